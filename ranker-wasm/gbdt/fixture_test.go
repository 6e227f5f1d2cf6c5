package gbdt_test

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/sdk/ranker"
)

var update = flag.Bool("update", false, "rewrite this model's fixtures in testdata/ranker")

// The shared fixtures: the host's tests score the same matrix with the
// wasm module and the same parameters, and expect the same scores. The
// matrix belongs to ranker-wasm/logreg's fixtures; this test reads it and
// writes only the gbdt-* files.
var (
	fixtureDir    = filepath.Join("..", "..", "testdata", "ranker")
	fixtureParams = filepath.Join(fixtureDir, "gbdt-fixture.params")
	fixtureMatrix = filepath.Join(fixtureDir, "fixture-matrix.bin")
	fixtureScores = filepath.Join(fixtureDir, "gbdt-fixture-scores.bin")
)

const fixtureRows, fixtureCols = 7, 5

// fixture returns 3 trees of depth 2 over the features of the logreg
// fixture, each in another node order (breadth-first, depth-first, right
// subtree first), and fixture-matrix.bin's matrix.
func fixture() (gbdt.Params, []float32) {
	const (
		hoursWeek = iota
		daysSinceLast
		skillMatch
		travelKm
		acceptRate
	)
	p := gbdt.Params{
		Name:     "gbdt-fixture",
		Version:  "2026-12-05.1",
		Features: []string{"hours_week", "days_since_last", "skill_match", "travel_km", "accept_rate"},
		Base:     -0.2,
		Trees: []gbdt.Tree{
			tree( // breadth-first
				split(skillMatch, 0.75, 1, 2),
				split(hoursWeek, 30, 3, 4),
				split(travelKm, 25, 5, 6),
				leaf(-0.4),
				leaf(-1.1),
				leaf(1.3),
				leaf(0.2),
			),
			tree( // depth-first
				split(acceptRate, 0.5, 1, 4),
				split(daysSinceLast, 5, 2, 3),
				leaf(-0.6),
				leaf(0.1),
				split(hoursWeek, 32, 5, 6), // row 1 has exactly 32: goes right
				leaf(0.7),
				leaf(-0.2),
			),
			tree( // the right subtree first
				split(travelKm, 50, 4, 1),
				split(acceptRate, 0.3, 2, 3),
				leaf(-0.9),
				leaf(-0.3),
				split(daysSinceLast, 10, 5, 6),
				leaf(0.15),
				leaf(0.45),
			),
		},
	}
	x := []float32{
		32, 3, 1, 12, 0.8,
		10, 14, 0.5, 40, 0.4,
		0, 0, 0, 0, 0,
		40, 1, 0, 80, 0.1,
		20, 7, 1, 5, 1,
		1000, 0, 0, 0, 0,
		-5, 200, 1, 0, 1,
	}
	return p, x
}

// TestFixture checks the files in testdata/ranker against the code: the
// parameters are fixture()'s, and scoring the matrix natively gives the
// expected scores bit for bit, which are also the recursive reference
// evaluator's. With -update it writes the gbdt-* files first.
func TestFixture(t *testing.T) {
	p, x := fixture()
	if *update {
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		scores, err := ranker.ScoreNative(load(t, p), x, fixtureRows, fixtureCols)
		if err != nil {
			t.Fatal(err)
		}
		for name, b := range map[string][]byte{
			fixtureParams: gbdt.Encode(p),
			fixtureScores: ranker.EncodeMatrix(scores),
		} {
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	raw := readFile(t, fixtureParams)
	if !bytes.Equal(raw, gbdt.Encode(p)) {
		t.Errorf("%s is not the fixture's parameters: run go test -run TestFixture -update and review the diff", fixtureParams)
	}
	m := gbdt.New()
	if err := m.Load(raw); err != nil {
		t.Fatalf("%s: %v", fixtureParams, err)
	}
	matrix, err := ranker.DecodeMatrix(readFile(t, fixtureMatrix), fixtureRows, fixtureCols)
	if err != nil {
		t.Fatalf("%s: %v", fixtureMatrix, err)
	}
	if diff := cmp.Diff(x, matrix); diff != "" {
		t.Errorf("%s is not the fixture's matrix (-want +got):\n%s", fixtureMatrix, diff)
	}
	want, err := ranker.DecodeScores(readFile(t, fixtureScores), fixtureRows)
	if err != nil {
		t.Fatalf("%s: %v", fixtureScores, err)
	}
	got, err := ranker.ScoreNative(m, matrix, fixtureRows, fixtureCols)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("row %d: ScoreNative %v (%#x), %s has %v (%#x)", i+1, got[i], math.Float32bits(got[i]), fixtureScores, want[i], math.Float32bits(want[i]))
		}
		// And the scores are the recursive evaluator's, computed apart.
		if ref := refScore(p, x[i*fixtureCols:(i+1)*fixtureCols]); math.Float32bits(ref) != math.Float32bits(want[i]) {
			t.Errorf("row %d: expected score %v, the reference evaluator gives %v", i+1, want[i], ref)
		}
	}
	t.Logf("margins %v, scores %v", margins(p, x), want)
}

func margins(p gbdt.Params, x []float32) []float64 {
	z := make([]float64, 0, fixtureRows)
	for i := range fixtureRows {
		z = append(z, refMargin(p, x[i*fixtureCols:(i+1)*fixtureCols]))
	}
	return z
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
