package logreg_test

import (
	"flag"
	"math"
	"path/filepath"
	"testing"

	"github.com/crewplan/crewplan/ranker-wasm/internal/wasmtest"
	"github.com/crewplan/crewplan/ranker-wasm/logreg"
	"github.com/crewplan/crewplan/sdk/ranker"
)

var update = flag.Bool("update", false, "rewrite the fixtures in testdata/ranker")

// The shared fixtures: the host's tests score the same matrix with the
// wasm module and the same parameters, and expect the same scores. This
// evaluator's fixture owns the shared matrix.
var fixtureParams = filepath.Join(wasmtest.FixtureDir, "logreg-fixture.params")

func fixture() logreg.Params {
	return logreg.Params{
		Name:     "logreg-fixture",
		Version:  "2026-12-05.1",
		Features: []string{"hours_week", "days_since_last", "skill_match", "travel_km", "accept_rate"},
		Weights:  []float32{-0.08, 0.15, 2.5, -0.03, 1.2},
		Bias:     -0.5,
	}
}

// TestFixture checks the files in testdata/ranker against the code: the
// parameters are fixture()'s, and scoring the matrix natively gives the
// expected scores bit for bit. With -update it writes them first.
func TestFixture(t *testing.T) {
	p := fixture()
	want := wasmtest.Fixture{
		ParamsFile: fixtureParams,
		ScoresFile: filepath.Join(wasmtest.FixtureDir, "fixture-scores.bin"),
		Params:     logreg.Encode(p),
		New:        func() ranker.Model { return logreg.New() },
		OwnsMatrix: true,
	}.Check(t, *update)
	x := wasmtest.Matrix()
	for i := range want {
		// The scores are the formula's, computed apart.
		z := float64(p.Bias)
		for j, w := range p.Weights {
			z += float64(w) * float64(x[i*wasmtest.Cols+j])
		}
		if s := 1 / (1 + math.Exp(-z)); math.Abs(float64(want[i])-s) > 1e-7 {
			t.Errorf("row %d: expected score %v, the formula gives %v", i+1, want[i], s)
		}
	}
}

func readFile(t *testing.T, name string) []byte { return wasmtest.ReadFile(t, name) }
