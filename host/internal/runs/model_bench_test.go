package runs_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/host/internal/ranker/features"
	"github.com/crewplan/crewplan/host/internal/ranker/rank"
	"github.com/crewplan/crewplan/host/internal/ranker/train"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/sdk/civil"
)

// benchModel schedules the region month b.N times with check, ranked by
// the rules (model false) or by a model trained on half a year of the
// region's generated history (model true): the model run includes what a
// server run adds for it, reading the history and building its index
// (rank.Service.ForRun), and scores every decision in WebAssembly.
func benchModel(b *testing.B, check scheduler.Checker, model bool) {
	ctx := context.Background()
	sc, st, svc := rankedRegion(b, model)
	in, err := runs.Load(ctx, st, sc.Now)
	if err != nil {
		b.Fatal(err)
	}
	var res *scheduler.Result
	var ranked *rank.Model // the last run's ranking, when a model ranks
	key := uint64(0)
	var rankMs []float64 // each model run's time in Rank
	for b.Loop() {
		key++
		rk, _, err := svc.ForRun(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		ranked, _ = rk.(*rank.Model)
		if ranked != nil {
			rk = &timedRanker{Ranker: rk}
		}
		if res, err = scheduler.Run(ctx, in, check, rk, scheduler.Options{ContextKey: key}); err != nil {
			b.Fatal(err)
		}
		if tr, ok := rk.(*timedRanker); ok {
			rankMs = append(rankMs, float64(tr.took.Microseconds())/1000)
		}
	}
	fallbacks := 0
	for _, n := range res.Stats.Fallbacks {
		fallbacks += n
	}
	b.ReportMetric(float64(res.Stats.Placed), "placed")
	b.ReportMetric(float64(res.Stats.Candidates), "candidates")
	b.ReportMetric(float64(res.Stats.Batches), "batches")
	b.ReportMetric(float64(res.Stats.Undone), "undone")
	b.ReportMetric(float64(fallbacks), "fallbacks")
	if ranked != nil {
		c := ranked.Counts()
		b.ReportMetric(float64(c.Rankings), "rankings")
		b.ReportMetric(float64(c.Rows), "rows")
		b.ReportMetric(float64(c.Calls), "calls")
		b.ReportMetric(median(rankMs), "rank-ms")
	}
}

// timedRanker is a Ranker that adds up the time its Rank takes.
type timedRanker struct {
	scheduler.Ranker
	took time.Duration
}

func (t *timedRanker) Rank(ctx context.Context, d *scheduler.Decision) ([]int, error) {
	start := time.Now()
	order, err := t.Ranker.Rank(ctx, d)
	t.took += time.Since(start)
	return order, err
}

func BenchmarkRunRegionMonthRankedPlugins(b *testing.B) {
	check := pluginRules(b)
	b.Run("rules", func(b *testing.B) { benchModel(b, check, false) })
	b.Run("model", func(b *testing.B) { benchModel(b, check, true) })
}

func BenchmarkRunRegionMonthRankedInProcess(b *testing.B) {
	b.Run("rules", func(b *testing.B) { benchModel(b, pluginhost.InProcessRules(), false) })
	b.Run("model", func(b *testing.B) { benchModel(b, pluginhost.InProcessRules(), true) })
}

// benchWholeRun runs the whole region-month run as the server does,
// b.N times: runs.Service.Run takes the run lock, records the run, loads
// its input from the database, gives it its ranking (rank.Service.ForRun:
// the rules, or the active model trained on the region's half year of
// history), schedules with check, and stores the 1,779 proposals and the
// failures in one transaction.
func benchWholeRun(b *testing.B, check scheduler.Checker, model bool) {
	ctx := context.Background()
	sc, st, ranking := rankedRegion(b, model)
	svc := &runs.Service{Store: st, Rules: check, Ranking: ranking.ForRun, Host: "bench"}
	var rec *store.SchedulerRun
	var err error
	for b.Loop() {
		if rec, _, err = svc.Run(ctx, runs.TriggerManual, "bench", sc.Now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rec.Placed), "placed")
	b.ReportMetric(float64(rec.Fallbacks), "fallbacks")
}

func BenchmarkWholeRunRegionMonthRanked(b *testing.B) {
	check := pluginRules(b)
	b.Run("rules", func(b *testing.B) { benchWholeRun(b, check, false) })
	b.Run("model", func(b *testing.B) { benchWholeRun(b, check, true) })
}

// BenchmarkWholeRunRegionMonthRankedPaired makes the whole region-month
// run as the server does (see benchWholeRun), ranked by the rules and by
// the model in turn, b.N pairs, and reports the medians of each one's
// time and of each pair's ratio (model/rules): a slow spell of the
// machine hits both runs of a pair, where it hits only one of two
// benchmarks run one after the other. ns/op is a pair's time.
func BenchmarkWholeRunRegionMonthRankedPaired(b *testing.B) {
	ctx := context.Background()
	check := pluginRules(b)
	var svc [2]*runs.Service
	var now [2]civil.DateTime
	for i, model := range []bool{false, true} {
		sc, st, ranking := rankedRegion(b, model)
		svc[i], now[i] = &runs.Service{Store: st, Rules: check, Ranking: ranking.ForRun, Host: "bench"}, sc.Now
	}
	var took [2][]float64
	var ratio []float64
	for b.Loop() {
		var ms [2]float64
		for i := range svc {
			start := time.Now()
			if _, _, err := svc[i].Run(ctx, runs.TriggerManual, "bench", now[i]); err != nil {
				b.Fatal(err)
			}
			ms[i] = float64(time.Since(start).Microseconds()) / 1000
			took[i] = append(took[i], ms[i])
		}
		ratio = append(ratio, ms[1]/ms[0])
	}
	b.ReportMetric(median(took[0]), "rules-ms")
	b.ReportMetric(median(took[1]), "model-ms")
	b.ReportMetric(median(ratio), "ratio")
}

// median returns the median of xs (sorted in place).
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// rankedRegion loads the region month with half a year of its generated
// history into a new SQLite store and returns the ranking service over
// it: with a model trained on that history active when model is set, with
// none (the rules rank) otherwise.
func rankedRegion(b *testing.B, model bool) (*scenario.Scenario, *store.Store, *rank.Service) {
	ctx := context.Background()
	sc, err := scenario.ParseFile(regionMonth)
	if err != nil {
		b.Fatal(err)
	}
	d := sc.Dataset(store.SystemActor)
	scenario.AddHistory(d, scenario.GenerateHistory(sc, scenario.HistoryOptions{Weeks: 26, Seed: 1}), store.SystemActor)
	st := storetest.SQLite(b)
	if _, err := st.Import(ctx, store.SystemActor, d); err != nil {
		b.Fatal(err)
	}
	rt, err := ranker.NewRuntime(ctx, ranker.Options{CacheDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	reg := &ranker.Registry{Dir: b.TempDir(), Store: st, Runtime: rt, Features: features.Names}
	b.Cleanup(func() { reg.Close(ctx); rt.Close(ctx) })
	if model {
		data, err := train.Load(ctx, st, sc.Now.Date)
		if err != nil {
			b.Fatal(err)
		}
		res, err := train.Train(ctx, data, train.Options{})
		if err != nil {
			b.Fatal(err)
		}
		m, err := reg.Add(ctx, res.Module)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := reg.Activate(ctx, m.ID); err != nil {
			b.Fatal(err)
		}
	}
	return sc, st, &rank.Service{Store: st, Registry: reg, Config: rank.Config{ConfidenceThreshold: 0.5}}
}
