package train_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/demo"
	"github.com/crewplan/crewplan/host/internal/ranker/features"
	"github.com/crewplan/crewplan/host/internal/ranker/train"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/ranker"
)

// demoNow is the demo store's "now" in these tests.
var demoNow = time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)

// demoData loads the demo store into a new SQLite file and reads its
// history before before (zero: all of it).
func demoData(t testing.TB, before civil.Date) (*store.Store, *train.Data) {
	t.Helper()
	ctx := context.Background()
	s := storetest.SQLite(t)
	if _, err := demo.Load(ctx, s, demoNow); err != nil {
		t.Fatal(err)
	}
	d, err := train.Load(ctx, s, before)
	if err != nil {
		t.Fatal(err)
	}
	return s, d
}

func TestDataFromDemo(t *testing.T) {
	_, d := demoData(t, 0)
	first, last := d.Span()
	sp, err := d.SplitByTime(train.DefaultValidFraction, train.DefaultTestFraction)
	if err != nil {
		t.Fatal(err)
	}
	if !(first < sp.Valid && sp.Valid < sp.Test && sp.Test <= last) {
		t.Fatalf("split %+v of %s..%s: periods out of order", sp, first, last)
	}
	tr, va, te := d.Examples(0, sp.Valid), d.Examples(sp.Valid, sp.Test), d.Examples(sp.Test, 0)
	if tr.Rows+va.Rows+te.Rows != len(d.Worked) {
		t.Errorf("%d+%d+%d rows for %d worked assignments", tr.Rows, va.Rows, te.Rows, len(d.Worked))
	}
	for _, ex := range []train.Examples{tr, va, te} {
		if len(ex.X) != ex.Rows*features.Count || len(ex.Y) != ex.Rows {
			t.Fatalf("examples of %d rows hold %d values and %d labels", ex.Rows, len(ex.X), len(ex.Y))
		}
		if p := ex.Positives(); p == 0 || p == ex.Rows {
			t.Errorf("%d of %d rows succeed: want both outcomes", p, ex.Rows)
		}
	}
	qs := d.Queries(sp.Test, 0)
	if len(qs) < 20 {
		t.Fatalf("%d held-out queries; want at least 20", len(qs))
	}
	for _, q := range qs {
		if len(q.Employees) < 2 || len(q.X) != len(q.Employees)*features.Count || len(q.Relevant) != len(q.Employees) {
			t.Fatalf("query %+v: malformed", q.Event)
		}
	}
	t.Logf("%d worked %s..%s; train %d valid %d test %d rows; %d queries", len(d.Worked), first, last, tr.Rows, va.Rows, te.Rows, len(qs))
}

// TestNoLeakage: a row's features as of its day are the same whether the
// history holds the later days or not.
func TestNoLeakage(t *testing.T) {
	ctx := context.Background()
	s, full := demoData(t, 0)
	_, last := full.Span()
	cut := last.AddDays(-20)
	part, err := train.Load(ctx, s, cut)
	if err != nil {
		t.Fatal(err)
	}
	// The rows of the days before cut's week (whose workload features
	// count the rest of their week, which cut may split).
	upTo := cut.WeekStart()
	a, b := full.Examples(0, upTo), part.Examples(0, upTo)
	if a.Rows == 0 || a.Rows != b.Rows || !slices.Equal(a.X, b.X) || !slices.Equal(a.Y, b.Y) {
		t.Fatalf("rows before %s differ with the later history (%d rows vs %d)", upTo, a.Rows, b.Rows)
	}
}

func TestSplitRefusesTooLittle(t *testing.T) {
	_, d := demoData(t, 0)
	if _, err := d.SplitByTime(0.5, 0.5); err == nil {
		t.Error("fractions leaving nothing to train on were accepted")
	}
	empty := &train.Data{}
	if _, err := empty.SplitByTime(train.DefaultValidFraction, train.DefaultTestFraction); !errors.Is(err, train.ErrTooLittle) {
		t.Errorf("empty history: err = %v; want ErrTooLittle", err)
	}
}

// TestTrainBeatsRules trains on the demo store's history: the model it
// writes carries its card, and beats the rule-based ranking on the
// held-out period, in AUC and in precision@3 (the bar), and
// NDCG@5.
func TestTrainBeatsRules(t *testing.T) {
	_, d := demoData(t, 0)
	res, err := train.Train(context.Background(), d, train.Options{Now: demoNow})
	if err != nil {
		t.Fatal(err)
	}
	c, m := res.Card, res.Card.Metrics
	t.Logf("%d trees of %d rounds; held out: AUC %.3f (rules %.3f), P@3 %.4f (%.4f), NDCG@5 %.4f (%.4f), %d queries",
		c.Training.Trees, c.Training.Rounds, m.AUC, m.RulesAUC, m.PAt3, m.RulesPAt3, m.NDCGAt5, m.RulesNDCGAt5, m.Queries)
	if m.PAt3 <= m.RulesPAt3 || m.AUC <= m.RulesAUC || m.NDCGAt5 <= m.RulesNDCGAt5 {
		t.Errorf("the model does not beat the rules on the held-out period: %+v", m)
	}
	if m.LiftPAt3 == nil || *m.LiftPAt3 <= 1 {
		t.Errorf("lift over the rules = %v", m.LiftPAt3)
	}
	if c.Name != train.DefaultName || c.Version != "20261204-093000" || c.Kind != "gbdt" || len(c.Importance) != features.Count {
		t.Errorf("card %+v", c)
	}
	if c.Importance[0].Share <= 0 || c.Importance[0].Share < c.Importance[1].Share {
		t.Errorf("importance not sorted or empty: %+v", c.Importance[:2])
	}
	dd := c.Data
	if !(dd.From == dd.Train.From && dd.Train.To < dd.Valid.From && dd.Valid.To < dd.Test.From && dd.Test.To == dd.To) ||
		dd.Train.Rows+dd.Valid.Rows+dd.Test.Rows != len(d.Worked) {
		t.Errorf("card data %+v", dd)
	}
	// The module carries the parameters and the card.
	params, ok, err := ranker.Section(res.Module, ranker.SectionParams)
	if err != nil || !ok || !bytes.Equal(params, gbdt.Encode(res.Params)) {
		t.Errorf("params section: ok %v, err %v", ok, err)
	}
	raw, ok, err := ranker.Section(res.Module, ranker.SectionCard)
	var back train.Card
	if err != nil || !ok || json.Unmarshal(raw, &back) != nil || back.Metrics.PAt3 != m.PAt3 {
		t.Errorf("card section: ok %v, err %v", ok, err)
	}
	// Training is deterministic.
	again, err := train.Train(context.Background(), d, train.Options{Now: demoNow})
	if err != nil || !bytes.Equal(again.Module, res.Module) {
		t.Errorf("a second training wrote another module (err %v)", err)
	}
}
