package ranker_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/host/internal/ranker/evaluator"
	abi "github.com/crewplan/crewplan/sdk/ranker"
)

// fixtureDir holds the fixtures the guest side scores natively.
var fixtureDir = filepath.Join("..", "..", "..", "testdata", "ranker")

// readFixture returns a file of fixtureDir.
func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// withParams returns the logreg evaluator with params installed.
func withParams(tb testing.TB, params []byte) []byte {
	tb.Helper()
	b, err := abi.WithSection(guest(tb, "logreg"), abi.SectionParams, params)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// fixtureModule returns the logreg evaluator with the fixture's
// parameters.
func fixtureModule(tb testing.TB) []byte {
	return withParams(tb, readFixture(tb, "logreg-fixture.params"))
}

// TestFixture scores the shared fixture with the logreg module, on both
// runtimes, and wants the scores ranker-wasm/logreg gets natively.
func TestFixture(t *testing.T) {
	t.Parallel()
	const rows, cols = 7, 5
	x, err := abi.DecodeMatrix(readFixture(t, "fixture-matrix.bin"), rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	want, err := abi.DecodeScores(readFixture(t, "fixture-scores.bin"), rows)
	if err != nil {
		t.Fatal(err)
	}
	wasm := fixtureModule(t)
	for _, trusted := range []bool{false, true} {
		rt := newRuntime(t, ranker.Options{})
		m := load(t, rt, wasm, trusted)
		meta := m.Meta()
		if meta.Name != "logreg-fixture" || meta.Version != "2026-12-05.1" || len(meta.Features) != cols || meta.Extra["kind"] != "logreg" {
			t.Errorf("trusted=%v: Meta() = %+v", trusted, meta)
		}
		if m.Trusted() != trusted || len(m.SHA256()) != 64 {
			t.Errorf("trusted=%v: Trusted() = %v, SHA256() = %q", trusted, m.Trusted(), m.SHA256())
		}
		for range 3 { // the same on a reused instance
			got, err := m.Score(context.Background(), x, rows, cols)
			if err != nil {
				t.Fatalf("trusted=%v: %v", trusted, err)
			}
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-6 {
					t.Errorf("trusted=%v: row %d scored %v, want %v", trusted, i+1, got[i], want[i])
				}
			}
		}
	}
}

// TestFixtureGBDT scores the shared fixture matrix with the embedded gbdt
// evaluator and its fixture parameters, loaded by the trust rule: it runs
// on the fast runtime, its code hash the evaluator's. It wants the scores
// ranker-wasm/gbdt gets natively.
func TestFixtureGBDT(t *testing.T) {
	t.Parallel()
	const rows, cols = 7, 5
	x, err := abi.DecodeMatrix(readFixture(t, "fixture-matrix.bin"), rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	want, err := abi.DecodeScores(readFixture(t, "gbdt-fixture-scores.bin"), rows)
	if err != nil {
		t.Fatal(err)
	}
	wasm, err := abi.WithSection(evaluator.GBDT(), abi.SectionParams, readFixture(t, "gbdt-fixture.params"))
	if err != nil {
		t.Fatal(err)
	}
	m := loadTrust(t, newRuntime(t, ranker.Options{}), wasm)
	if meta := m.Meta(); meta.Name != "gbdt-fixture" || meta.Extra["kind"] != "gbdt" || len(meta.Features) != cols {
		t.Errorf("Meta() = %+v", meta)
	}
	if !m.Trusted() || m.CodeSHA256() != evaluator.CodeSHA256() {
		t.Errorf("Trusted() = %v, CodeSHA256() = %s; want true, the evaluator's %s", m.Trusted(), m.CodeSHA256(), evaluator.CodeSHA256())
	}
	got, err := m.Score(context.Background(), x, rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-6 {
			t.Errorf("row %d scored %v, want %v", i+1, got[i], want[i])
		}
	}
}
