package scheduler_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/sdk/civil"
)

// load imports the scenario at path into a new SQLite database and loads
// the run's input from it.
func load(t testing.TB, path string) (*scenario.Scenario, *scheduler.Input) {
	t.Helper()
	sc, err := scenario.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc, loadScenario(t, sc)
}

func loadScenario(t testing.TB, sc *scenario.Scenario) *scheduler.Input {
	t.Helper()
	ctx := context.Background()
	st := storetest.SQLite(t)
	if _, err := st.Import(ctx, store.SystemActor, sc.Dataset(store.SystemActor)); err != nil {
		t.Fatal(err)
	}
	in, err := runs.Load(ctx, st, sc.Now)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func run(t testing.TB, in *scheduler.Input, opt scheduler.Options) *scheduler.Result {
	t.Helper()
	res, err := scheduler.Run(context.Background(), in, pluginhost.InProcessRules(), nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

type expect struct {
	MustPlace map[string]struct {
		Employee string     `json:"employee"`
		Date     civil.Date `json:"date"`
	} `json:"must_place"`
	MustFail    []int64 `json:"must_fail"`
	MustBump    []int64 `json:"must_bump"`
	MustNotBump []int64 `json:"must_not_bump"`
}

// TestCases runs the shared cases and checks their expectations.
func TestCases(t *testing.T) {
	files, _ := filepath.Glob("../../../testdata/scenarios/cases/*.expect.json")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, xf := range files {
		name := strings.TrimSuffix(filepath.Base(xf), ".expect.json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(xf)
			if err != nil {
				t.Fatal(err)
			}
			var want expect
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			_, in := load(t, strings.TrimSuffix(xf, ".expect.json")+".json")
			res := run(t, in, scheduler.Options{})
			placed := map[int64]scheduler.Proposal{}
			for _, p := range res.Proposals {
				placed[p.Event] = p
			}
			failed := map[int64]string{}
			for _, f := range res.Failures {
				failed[f.Event] = f.Reason
			}
			for k, w := range want.MustPlace {
				var ref int64
				if err := json.Unmarshal([]byte(k), &ref); err != nil {
					t.Fatal(err)
				}
				p, ok := placed[ref]
				if !ok {
					t.Errorf("event %d not placed: %s", ref, failed[ref])
					continue
				}
				if w.Employee != "" && p.Employee != w.Employee {
					t.Errorf("event %d placed with %s, want %s", ref, p.Employee, w.Employee)
				}
				if !w.Date.IsZero() && p.Date != w.Date {
					t.Errorf("event %d placed on %s, want %s", ref, p.Date, w.Date)
				}
			}
			for _, ref := range want.MustFail {
				if _, ok := failed[ref]; !ok {
					t.Errorf("event %d should fail, got %+v", ref, placed[ref])
				}
			}
			bumped := map[int64]bool{}
			for _, p := range res.Proposals {
				if p.Bumps != nil && p.Bumps.Event != p.Event {
					bumped[p.Bumps.Event] = true
				}
			}
			for _, ref := range want.MustBump {
				if !bumped[ref] {
					t.Errorf("posted event %d should be bumped", ref)
				}
			}
			for _, ref := range want.MustNotBump {
				if bumped[ref] {
					t.Errorf("posted event %d should not be bumped", ref)
				}
			}
			t.Logf("proposals %+v", res.Proposals)
			t.Logf("failures %+v", res.Failures)
		})
	}
}

// TestStepSize: a run's result depends on its step size (the events of a
// step share one batch's verdicts), but for a given step size it is always
// the same, and no step size places fewer events on the shared week.
func TestStepSize(t *testing.T) {
	_, in := load(t, "../../../testdata/scenarios/club-week.json")
	one := run(t, in, scheduler.Options{StepSize: 1})
	for _, n := range []int{1, 4, 32, 200} {
		got := run(t, in, scheduler.Options{StepSize: n})
		again := run(t, in, scheduler.Options{StepSize: n})
		if !slices.EqualFunc(got.Proposals, again.Proposals, sameProposal) || !slices.Equal(got.Failures, again.Failures) {
			t.Errorf("step %d: two runs differ", n)
		}
		if !slices.EqualFunc(one.Proposals, got.Proposals, sameProposal) {
			t.Errorf("step %d: proposals differ from step 1:\n%v\n%v", n, one.Proposals, got.Proposals)
		}
		t.Logf("step %d: placed %d, %d batches, %d candidates", n, got.Stats.Placed, got.Stats.Batches, got.Stats.Candidates)
	}
}

func sameProposal(a, b scheduler.Proposal) bool {
	return a.Event == b.Event && a.Employee == b.Employee && a.Date == b.Date && a.Start == b.Start &&
		(a.Bumps == nil) == (b.Bumps == nil) && (a.Bumps == nil || *a.Bumps == *b.Bumps)
}

func TestRegionMonthStats(t *testing.T) {
	_, in := load(t, "../../../testdata/scenarios/region-month.json")
	for _, n := range []int{32, 48, 64, 128} {
		clear(scheduler.Debug)
		res := run(t, in, scheduler.Options{StepSize: n})
		t.Log(scheduler.Debug)
		t.Logf("step %d: placed %d failed %d bumps %d; %d batches, %d candidates", n, res.Stats.Placed, res.Stats.Failed, res.Stats.Bumps, res.Stats.Batches, res.Stats.Candidates)
	}
}
