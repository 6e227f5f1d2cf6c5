package runs_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/sdk/rule"
)

// TestMain lets the plugin host re-execute this test binary as the
// built-in rule plugins.
func TestMain(m *testing.M) {
	if pluginhost.ServeIfPluginMode() {
		return
	}
	os.Exit(m.Run())
}

// pluginRules starts the built-in rule plugins as processes and returns
// the engine over them.
func pluginRules(b *testing.B) *rules.Engine {
	h, err := pluginhost.New(pluginhost.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	ps, err := h.StartRules(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	named := make([]rules.Named, len(ps))
	for i, p := range ps {
		named[i] = rules.Named{Name: p.Name(), Rule: p}
	}
	return rules.NewEngine(named...)
}

// benchRun schedules the scenario at path b.N times with check: the run
// itself, from its loaded input to its result (loading and storing are
// measured by the store's benchmarks).
func benchRun(b *testing.B, path string, check scheduler.Checker) {
	sc, err := scenario.ParseFile(path)
	if err != nil {
		b.Fatal(err)
	}
	benchScenario(b, sc, check)
}

// benchScenario schedules sc b.N times with check.
func benchScenario(b *testing.B, sc *scenario.Scenario, check scheduler.Checker) {
	ctx := context.Background()
	st := storetest.SQLite(b)
	if _, err := st.Import(ctx, store.SystemActor, sc.Dataset(store.SystemActor)); err != nil {
		b.Fatal(err)
	}
	in, err := runs.Load(ctx, st, sc.Now)
	if err != nil {
		b.Fatal(err)
	}
	var res *scheduler.Result
	key := uint64(0)
	timed := &timedChecker{c: check}
	for b.Loop() {
		key++
		res, err = scheduler.Run(ctx, in, timed, nil, scheduler.Options{ContextKey: key})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Stats.Placed), "placed")
	b.ReportMetric(float64(res.Stats.Batches), "batches")
	b.ReportMetric(float64(res.Stats.Candidates), "candidates")
	b.ReportMetric(timed.spent.Seconds()*1000/float64(b.N), "rules-ms")
}

// timedChecker adds up the time spent waiting for the rules.
type timedChecker struct {
	c     scheduler.Checker
	spent time.Duration
}

func (t *timedChecker) Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	start := time.Now()
	defer func() { t.spent += time.Since(start) }()
	return t.c.Check(ctx, b)
}

const (
	clubWeek    = "../../../testdata/scenarios/club-week.json"
	regionMonth = "../../../testdata/scenarios/region-month.json"
)

func BenchmarkRunClubWeekPlugins(b *testing.B)   { benchRun(b, clubWeek, pluginRules(b)) }
func BenchmarkRunClubWeekInProcess(b *testing.B) { benchRun(b, clubWeek, pluginhost.InProcessRules()) }
func BenchmarkRunRegionMonthPlugins(b *testing.B) {
	benchRun(b, regionMonth, pluginRules(b))
}
func BenchmarkRunRegionMonthInProcess(b *testing.B) {
	benchRun(b, regionMonth, pluginhost.InProcessRules())
}

// big is the largest size the issue names: 500 people, four weeks, as
// `crewplan demo generate --employees 500 --weeks 4` makes it.
func big(b *testing.B) *scenario.Scenario {
	sc, err := scenario.Generate(scenario.GenerateOptions{Employees: 500, Weeks: 4, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

func BenchmarkRun500x4Plugins(b *testing.B)   { benchScenario(b, big(b), pluginRules(b)) }
func BenchmarkRun500x4InProcess(b *testing.B) { benchScenario(b, big(b), pluginhost.InProcessRules()) }
