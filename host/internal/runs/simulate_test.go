package runs_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/verify"
)

// simulate runs sc with the built-in rules in process and checks the
// result with the independent verifier.
func simulate(t *testing.T, sc *scenario.Scenario) *scenario.Result {
	t.Helper()
	res, err := runs.Simulate(context.Background(), sc, pluginhost.InProcessRules(), nil, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range verify.Check(sc, res) {
		t.Errorf("verifier: %s", p)
	}
	// Coverage: the run places at least 99.5% of what any valid schedule
	// could, and never more than the bound allows.
	if res.Run.Bound == nil {
		t.Fatal("a simulation records no bound")
	}
	n, b := placedToPlace(sc, res), *res.Run.Bound
	switch {
	case n > b:
		t.Errorf("placed %d, over the bound of %d: the bound is wrong", n, b)
	case len(sc.Employees) >= minCoverageStaff && float64(n) < 0.995*float64(b):
		t.Errorf("placed %d of a bound of %d: under 99.5%%", n, b)
	default:
		t.Logf("placed %d of a bound of %d", n, b)
	}
	return res
}

// minCoverageStaff is the smallest staff on which a run must place 99.5%
// of the bound. On smaller ones the bound is loose: it lets a supervisor
// count when its core could take some day the supervisor can work, while a
// staff that fills every day with cores must put some cores on days without
// a supervisor-capable person (see docs/scheduler.md).
const minCoverageStaff = 12

// placedToPlace counts the proposals for events the run was to place (not
// the re-placements of posted events it displaced): what the bound bounds.
func placedToPlace(sc *scenario.Scenario, res *scenario.Result) int {
	posted := map[int64]bool{}
	for _, p := range sc.Posted {
		posted[p.Event] = true
	}
	n := 0
	for _, p := range res.Proposals {
		if !posted[p.Event] {
			n++
		}
	}
	return n
}

// canonical is the result document without its timing, for comparisons.
func canonical(t *testing.T, res *scenario.Result) []byte {
	t.Helper()
	r := *res
	r.Run.ElapsedMS = 0
	var buf bytes.Buffer
	if err := scenario.WriteResult(&buf, &r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var update = flag.Bool("update", false, "rewrite the golden results in testdata/scenarios/golden")

// golden compares res with the golden result of the scenario file name,
// or rewrites it with -update.
func golden(t *testing.T, name string, res *scenario.Result) {
	t.Helper()
	path := filepath.Join("../../../testdata/scenarios/golden", strings.TrimSuffix(name, ".json")+".result.json")
	got := canonical(t, res)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("the result differs from %s; if the change is intended, run the test with -update and review the diff", path)
	}
}

// TestSimulateSharedScenarios: every shared scenario and case schedules
// with no hard-rule violation and full coverage, as the independent
// verifier sees it, and the same scenario gives the same result.
func TestSimulateSharedScenarios(t *testing.T) {
	files, _ := filepath.Glob("../../../testdata/scenarios/*.json")
	cases, _ := filepath.Glob("../../../testdata/scenarios/cases/*.json")
	files = append(files, cases...)
	for _, f := range files {
		if strings.HasSuffix(f, ".expect.json") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			sc, err := scenario.ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if testing.Short() && len(sc.Events) > 200 {
				t.Skip("large scenario")
			}
			a := simulate(t, sc)
			golden(t, filepath.Base(f), a)
			if len(sc.Events) < 500 { // determinism on the large ones: TestSimulateGeneratedScenarios
				b := simulate(t, sc)
				if !bytes.Equal(canonical(t, a), canonical(t, b)) {
					t.Error("two runs of the same scenario differ")
				}
			}
			t.Logf("placed %d (bound %d), failed %d, bumps %d", a.Run.Placed, *a.Run.Bound, a.Run.Failed, a.Run.Bumps)
		})
	}
}

// TestSimulateGeneratedScenarios is the property test: on generated
// scenarios of several sizes, no proposal breaks a hard rule, every event
// is proposed or failed exactly once, and runs are deterministic.
func TestSimulateGeneratedScenarios(t *testing.T) {
	n := 12
	if testing.Short() {
		n = 4
	}
	for seed := range uint64(n) {
		emps := minCoverageStaff + int(seed*7)%40
		if seed%4 == 3 {
			emps = scenario.MinEmployees + int(seed)%8 // a tiny staff now and then
		}
		weeks := 1 + int(seed)%4
		t.Run(fmt.Sprintf("seed=%d/employees=%d/weeks=%d", seed, emps, weeks), func(t *testing.T) {
			sc, err := scenario.Generate(scenario.GenerateOptions{Employees: emps, Weeks: weeks, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			a := simulate(t, sc)
			b := simulate(t, sc)
			if !bytes.Equal(canonical(t, a), canonical(t, b)) {
				t.Error("two runs of the same scenario differ")
			}
		})
	}
}
