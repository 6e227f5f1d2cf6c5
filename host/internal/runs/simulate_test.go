package runs_test

import (
	"bytes"
	"context"
	"fmt"
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
	res, err := runs.Simulate(context.Background(), sc, pluginhost.InProcessRules(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range verify.Check(sc, res) {
		t.Errorf("verifier: %s", p)
	}
	return res
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
			b := simulate(t, sc)
			if !bytes.Equal(canonical(t, a), canonical(t, b)) {
				t.Error("two runs of the same scenario differ")
			}
			t.Logf("placed %d, failed %d, bumps %d", a.Run.Placed, a.Run.Failed, a.Run.Bumps)
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
		emps := scenario.MinEmployees + int(seed*7)%30
		weeks := 1 + int(seed)%3
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
