package scheduler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
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

// TestStepSize: the step size changes how many batches a run sends, never
// what it decides.
func TestStepSize(t *testing.T) {
	for _, path := range []string{"../../../testdata/scenarios/club-week.json", "../../../testdata/scenarios/region-month.json"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			_, in := load(t, path)
			sameForEveryStep(t, in, pluginhost.InProcessRules(), 1, 4, 0, 200)
		})
	}
}

// TestStepSizeGenerated is TestStepSize on generated stores of several
// sizes.
func TestStepSizeGenerated(t *testing.T) {
	for _, size := range []struct{ people, weeks int }{{12, 2}, {40, 2}, {150, 1}} {
		t.Run(fmt.Sprintf("%dx%d", size.people, size.weeks), func(t *testing.T) {
			sc, err := scenario.Generate(scenario.GenerateOptions{Employees: size.people, Weeks: size.weeks, Seed: uint64(size.people)})
			if err != nil {
				t.Fatal(err)
			}
			sameForEveryStep(t, loadScenario(t, sc), pluginhost.InProcessRules(), 1, 0)
		})
	}
}

// TestRuleTheRunCannotForesee: a rule the run knows nothing of (here: at
// most four events per employee a week) makes its guesses wrong, so
// decisions of a step are undone and made again; the result still keeps
// the rule, and still does not depend on the step size.
func TestRuleTheRunCannotForesee(t *testing.T) {
	sc, err := scenario.Generate(scenario.GenerateOptions{Employees: 24, Weeks: 1, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	in := loadScenario(t, sc)
	check := rules.NewEngine(append(inProcessNamed(), rules.Named{Name: "weekly-cap", Rule: weeklyCap{max: 4}})...)
	res := sameForEveryStep(t, in, check, 1, 0)
	if res[1].Stats.Undone == 0 {
		t.Errorf("no decision was undone: the test no longer exercises the checks of a step's decisions")
	}
	perWeek := map[string]int{}
	for _, a := range in.Snapshot.Posted {
		perWeek[a.Employee+a.Date.WeekStart().String()]++
	}
	for _, p := range res[1].Proposals {
		k := p.Employee + p.Date.WeekStart().String()
		if perWeek[k]++; perWeek[k] > 4 && p.Bumps == nil {
			t.Errorf("%s has %d events in the week of %s", p.Employee, perWeek[k], p.Date)
		}
	}
	t.Logf("default step: %d placed, %d undone, %d batches", res[1].Stats.Placed, res[1].Stats.Undone, res[1].Stats.Batches)
}

// sameForEveryStep runs in with each step size and fails the test unless
// every run places the same events the same way and fails the same ones;
// it returns the results.
func sameForEveryStep(t *testing.T, in *scheduler.Input, check scheduler.Checker, steps ...int) []*scheduler.Result {
	t.Helper()
	return sameForEveryStepRanked(t, in, check, func() scheduler.Ranker { return nil }, steps...)
}

// sameForEveryStepRanked is sameForEveryStep with a ranking from rank.
func sameForEveryStepRanked(t *testing.T, in *scheduler.Input, check scheduler.Checker, rank func() scheduler.Ranker, steps ...int) []*scheduler.Result {
	t.Helper()
	var out []*scheduler.Result
	for _, n := range steps {
		res, err := scheduler.Run(context.Background(), in, check, rank(), scheduler.Options{StepSize: n})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res)
		t.Logf("step %d: placed %d, failed %d, %d batches, %d candidates, %d undone",
			n, res.Stats.Placed, res.Stats.Failed, res.Stats.Batches, res.Stats.Candidates, res.Stats.Undone)
		if len(out) == 1 {
			continue
		}
		if !slices.EqualFunc(out[0].Proposals, res.Proposals, sameProposal) {
			t.Errorf("step %d: proposals differ from step %d:\n%v\n%v", n, steps[0], out[0].Proposals, res.Proposals)
		}
		if !slices.EqualFunc(out[0].Failures, res.Failures, func(a, b scheduler.Failure) bool { return a.Event == b.Event }) {
			t.Errorf("step %d: failures differ from step %d:\n%v\n%v", n, steps[0], out[0].Failures, res.Failures)
		}
	}
	return out
}

func inProcessNamed() []rules.Named { return pluginhost.InProcessRules().Rules() }

// weeklyCap is a rule the run has no guess for: at most max events per
// employee in a Sunday-to-Saturday week.
type weeklyCap struct{ max int }

func (weeklyCap) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Type: plugin.TypeRule, Name: "weekly-cap", Version: "1.0.0", APIVersions: []int{rule.APIVersion}}, nil
}
func (weeklyCap) Configure(context.Context, []byte) error { return nil }
func (w weeklyCap) Check(_ context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	out := make([]rule.Verdict, len(b.Candidates))
	for i, c := range b.Candidates {
		n := 0
		for _, a := range b.Assignments {
			if a.Employee == c.Employee && a.Date.WeekStart() == c.Date.WeekStart() && a.Event != c.Event && a.Event != c.Replaces {
				n++
			}
		}
		if n >= w.max {
			out[i].Violations = []rule.Violation{rule.Hardf("weekly_cap", "%s has %d events that week", c.Employee, n)}
		}
	}
	return out, nil
}

func sameProposal(a, b scheduler.Proposal) bool {
	return a.Event == b.Event && a.Employee == b.Employee && a.Date == b.Date && a.Start == b.Start &&
		(a.Bumps == nil) == (b.Bumps == nil) && (a.Bumps == nil || *a.Bumps == *b.Bumps)
}
