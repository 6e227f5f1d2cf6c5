package runs_test

import (
	"context"
	"slices"
	"syscall"
	"testing"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/sdk/rule"
)

// killing kills a rule plugin process with SIGKILL just before the batch
// numbered at, then lets the engine check as usual.
type killing struct {
	engine *rules.Engine
	victim *pluginhost.RulePlugin
	at, n  int
}

func (k *killing) Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	if k.n == k.at {
		if err := syscall.Kill(k.victim.PID(), syscall.SIGKILL); err != nil {
			return nil, err
		}
	}
	k.n++
	return k.engine.Check(ctx, b)
}

// TestRunSurvivesAPluginKilledMidRun: a rule plugin process killed in the
// middle of a run is restarted, its batch retried, and the run's result is
// exactly that of an undisturbed run.
func TestRunSurvivesAPluginKilledMidRun(t *testing.T) {
	ctx := context.Background()
	h, err := pluginhost.New(pluginhost.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	ps, err := h.StartRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	named := make([]rules.Named, len(ps))
	for i, p := range ps {
		named[i] = rules.Named{Name: p.Name(), Rule: p}
	}
	victim := ps[slices.IndexFunc(ps, func(p *pluginhost.RulePlugin) bool { return p.Name() == "rules-workload" })]
	pid := victim.PID()

	const scenarioFile = "../../../testdata/scenarios/club-week.json"
	st, sc := scenarioStore(t, scenarioFile)
	svc := &runs.Service{Store: st, Rules: &killing{engine: rules.NewEngine(named...), victim: victim, at: 5}}
	_, got, err := svc.Run(ctx, runs.TriggerManual, "tester", sc.Now)
	if err != nil {
		t.Fatalf("run with a plugin killed: %v", err)
	}
	if victim.PID() == pid {
		t.Fatal("the plugin was not restarted")
	}
	st2, _ := scenarioStore(t, scenarioFile)
	_, want, err := (&runs.Service{Store: st2, Rules: pluginhost.InProcessRules()}).Run(ctx, runs.TriggerManual, "tester", sc.Now)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(want.Proposals, got.Proposals, func(a, b scheduler.Proposal) bool {
		return a.Event == b.Event && a.Employee == b.Employee && a.Date == b.Date && a.Start == b.Start
	}) || len(want.Failures) != len(got.Failures) {
		t.Errorf("result with a plugin killed mid-run differs from an undisturbed run:\n%v\n%v", got.Proposals, want.Proposals)
	}
}
