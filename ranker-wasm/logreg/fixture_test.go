package logreg_test

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/ranker-wasm/logreg"
	"github.com/crewplan/crewplan/sdk/ranker"
)

var update = flag.Bool("update", false, "rewrite the fixtures in testdata/ranker")

// The shared fixtures: the host's tests score the same matrix with the
// wasm module and the same parameters, and expect the same scores.
var (
	fixtureDir    = filepath.Join("..", "..", "testdata", "ranker")
	fixtureParams = filepath.Join(fixtureDir, "logreg-fixture.params")
	fixtureMatrix = filepath.Join(fixtureDir, "fixture-matrix.bin")
	fixtureScores = filepath.Join(fixtureDir, "fixture-scores.bin")
)

const fixtureRows, fixtureCols = 7, 5

func fixture() (logreg.Params, []float32) {
	p := logreg.Params{
		Name:     "logreg-fixture",
		Version:  "2026-12-05.1",
		Features: []string{"hours_week", "days_since_last", "skill_match", "travel_km", "accept_rate"},
		Weights:  []float32{-0.08, 0.15, 2.5, -0.03, 1.2},
		Bias:     -0.5,
	}
	x := []float32{
		32, 3, 1, 12, 0.8,
		10, 14, 0.5, 40, 0.4,
		0, 0, 0, 0, 0, // sigmoid(bias)
		40, 1, 0, 80, 0.1,
		20, 7, 1, 5, 1,
		1000, 0, 0, 0, 0, // saturates toward 0, still a normal float32
		-5, 200, 1, 0, 1, // saturates at 1
	}
	return p, x
}

// TestFixture checks the files in testdata/ranker against the code: the
// parameters are fixture()'s, and scoring the matrix natively gives the
// expected scores bit for bit. With -update it writes them first.
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
			fixtureParams: logreg.Encode(p),
			fixtureMatrix: ranker.EncodeMatrix(x),
			fixtureScores: ranker.EncodeMatrix(scores),
		} {
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	raw := readFile(t, fixtureParams)
	if !bytes.Equal(raw, logreg.Encode(p)) {
		t.Errorf("%s is not the fixture's parameters: run go test -run TestFixture -update and review the diff", fixtureParams)
	}
	m := logreg.New()
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
		// And the scores are the formula's, computed apart.
		z := float64(p.Bias)
		for j, w := range p.Weights {
			z += float64(w) * float64(x[i*fixtureCols+j])
		}
		if s := 1 / (1 + math.Exp(-z)); math.Abs(float64(want[i])-s) > 1e-7 {
			t.Errorf("row %d: expected score %v, the formula gives %v", i+1, want[i], s)
		}
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
