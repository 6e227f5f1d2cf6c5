package gbdt_test

import (
	"flag"
	"math"
	"path/filepath"
	"testing"

	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/ranker-wasm/internal/wasmtest"
	"github.com/crewplan/crewplan/sdk/ranker"
)

var update = flag.Bool("update", false, "rewrite this model's fixtures in testdata/ranker")

// The shared fixtures: the host's tests score the same matrix with the
// wasm module and the same parameters, and expect the same scores. The
// matrix belongs to ranker-wasm/logreg's fixture; this test reads it and
// writes only the gbdt-* files.
var fixtureParams = filepath.Join(wasmtest.FixtureDir, "gbdt-fixture.params")

// fixture returns 3 trees of depth 2 over the features of the logreg
// fixture, each in another node order (breadth-first, depth-first, right
// subtree first).
func fixture() gbdt.Params {
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
	return p
}

// TestFixture checks the files in testdata/ranker against the code: the
// parameters are fixture()'s, and scoring the matrix natively gives the
// expected scores bit for bit, which are also the recursive reference
// evaluator's. With -update it writes the gbdt-* files first.
func TestFixture(t *testing.T) {
	p := fixture()
	want := wasmtest.Fixture{
		ParamsFile: fixtureParams,
		ScoresFile: filepath.Join(wasmtest.FixtureDir, "gbdt-fixture-scores.bin"),
		Params:     gbdt.Encode(p),
		New:        func() ranker.Model { return gbdt.New() },
	}.Check(t, *update)
	x := wasmtest.Matrix()
	for i := range want {
		// The scores are the recursive evaluator's, computed apart.
		if ref := refScore(p, x[i*wasmtest.Cols:(i+1)*wasmtest.Cols]); math.Float32bits(ref) != math.Float32bits(want[i]) {
			t.Errorf("row %d: expected score %v, the reference evaluator gives %v", i+1, want[i], ref)
		}
	}
	t.Logf("margins %v, scores %v", margins(p, x), want)
}

func margins(p gbdt.Params, x []float32) []float64 {
	z := make([]float64, 0, wasmtest.Rows)
	for i := range wasmtest.Rows {
		z = append(z, refMargin(p, x[i*wasmtest.Cols:(i+1)*wasmtest.Cols]))
	}
	return z
}

func readFile(t *testing.T, name string) []byte { return wasmtest.ReadFile(t, name) }
