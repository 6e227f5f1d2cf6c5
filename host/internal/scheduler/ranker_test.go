package scheduler_test

import (
	"cmp"
	"context"
	"hash/fnv"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/scheduler"
)

// reverse is a ranking that tries the choices last first, and checks the
// decisions it is given.
type reverse struct {
	t     *testing.T
	calls int
}

func (r *reverse) Name() string { return "reverse" }

func (r *reverse) Rank(_ context.Context, d *scheduler.Decision) ([]int, error) {
	r.calls++
	if len(d.Choices) < 2 {
		r.t.Errorf("event %d on %s: asked about %d choices", d.Event.Ref, d.Date, len(d.Choices))
	}
	for i, c := range d.Choices {
		l := d.Load(i)
		if l.Assignments != c.WeekLoad || l.Days > 7 || l.Today > l.Assignments || l.Minutes < 0 || (l.Assignments > 0) != (l.Days > 0) {
			r.t.Errorf("event %d on %s: %s has load %+v with week load %d", d.Event.Ref, d.Date, c.Employee.ID, l, c.WeekLoad)
		}
	}
	order := make([]int, len(d.Choices))
	for i := range order {
		order[i] = len(order) - 1 - i
	}
	return order, nil
}

// broken fails every decision.
type broken struct{ reason string }

func (b broken) Name() string { return "broken" }

func (b broken) Rank(context.Context, *scheduler.Decision) ([]int, error) {
	return nil, reasonError(b.reason)
}

type reasonError string

func (e reasonError) Error() string  { return "no order: " + string(e) }
func (e reasonError) Reason() string { return string(e) }

// badOrder returns orders that are not permutations.
type badOrder struct{}

func (badOrder) Name() string { return "bad" }

func (badOrder) Rank(_ context.Context, d *scheduler.Decision) ([]int, error) {
	return make([]int, len(d.Choices)), nil
}

func runWith(t *testing.T, rank scheduler.Ranker, opt scheduler.Options) *scheduler.Result {
	t.Helper()
	_, in := load(t, "../../../testdata/scenarios/club-week.json")
	res, err := scheduler.Run(context.Background(), in, pluginhost.InProcessRules(), rank, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestRankingOrders: a model's order decides who is placed, and the
// result still keeps every rule (the same events placed).
func TestRankingOrders(t *testing.T) {
	rules := runWith(t, nil, scheduler.Options{})
	rev := &reverse{t: t}
	res := runWith(t, rev, scheduler.Options{})
	if rev.calls == 0 || res.Stats.Ranker != "reverse" || len(res.Stats.Fallbacks) != 0 {
		t.Fatalf("calls %d, stats %+v", rev.calls, res.Stats)
	}
	if res.Stats.Placed != rules.Stats.Placed {
		t.Errorf("placed %d with the reversed order, %d by rules", res.Stats.Placed, rules.Stats.Placed)
	}
	if reflect.DeepEqual(res.Proposals, rules.Proposals) {
		t.Error("the reversed order placed exactly what the rules did")
	}
}

// TestRankingFallsBack: a ranking that fails, or returns something that
// is not an order, leaves every decision to the rules, counted by reason,
// and the result is the rule-based run's.
func TestRankingFallsBack(t *testing.T) {
	rules := runWith(t, nil, scheduler.Options{})
	for _, tc := range []struct {
		rank   scheduler.Ranker
		reason string
	}{{broken{"trap"}, "trap"}, {badOrder{}, "invalid_order"}} {
		res := runWith(t, tc.rank, scheduler.Options{})
		if !reflect.DeepEqual(res.Proposals, rules.Proposals) || !reflect.DeepEqual(res.Failures, rules.Failures) {
			t.Errorf("%s: the result differs from the rule-based run's", tc.rank.Name())
		}
		if res.Stats.Fallbacks[tc.reason] == 0 || len(res.Stats.Fallbacks) != 1 {
			t.Errorf("%s: fallbacks %v; want only %s", tc.rank.Name(), res.Stats.Fallbacks, tc.reason)
		}
	}
}

// TestShadow: a shadow ranking never changes the result; the same order
// agrees on every placement, the reversed one on fewer, and a failing one
// is counted.
func TestShadow(t *testing.T) {
	rules := runWith(t, nil, scheduler.Options{})
	if rules.Stats.Shadow != nil {
		t.Fatal("a shadow report without a shadow")
	}
	same := runWith(t, nil, scheduler.Options{Shadow: scheduler.RuleRanking{}})
	rev := runWith(t, nil, scheduler.Options{Shadow: &reverse{t: t}})
	bad := runWith(t, nil, scheduler.Options{Shadow: broken{"timeout"}})
	for _, res := range []*scheduler.Result{same, rev, bad} {
		if !reflect.DeepEqual(res.Proposals, rules.Proposals) || res.Stats.Ranker != "rules" {
			t.Fatalf("shadow %s changed the run", res.Stats.Shadow.Ranker)
		}
	}
	sh := same.Stats.Shadow
	if sh.Decisions == 0 || sh.Agreed != sh.Decisions {
		t.Errorf("the rules shadowing themselves: %+v", sh)
	}
	if r := rev.Stats.Shadow; r.Decisions != sh.Decisions || r.Agreed >= r.Decisions {
		t.Errorf("reversed shadow: %+v; the rules' own: %+v", r, sh)
	}
	if b := bad.Stats.Shadow; b.Fallbacks["timeout"] != b.Decisions || b.Agreed != 0 {
		t.Errorf("failing shadow: %+v", b)
	}
	if !slices.Equal([]string{"timeout"}, keys(bad.Stats.Shadow.Fallbacks)) {
		t.Errorf("failing shadow's reasons: %v", bad.Stats.Shadow.Fallbacks)
	}
}

func keys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// pointwise is a ranking like a model's: each employee scores on their
// own (here by a hash of their id, less for a heavier week), and how they
// score depends on the event's start (as a model's event_start_hour
// does), best first.
type pointwise struct{}

func (pointwise) Name() string { return "pointwise" }

func (pointwise) Rank(_ context.Context, d *scheduler.Decision) ([]int, error) {
	score := make([]float64, len(d.Choices))
	for i, c := range d.Choices {
		h := fnv.New32a()
		h.Write([]byte(c.Employee.ID))
		l := d.Load(i)
		h.Write([]byte{byte(d.Start / 60)})
		score[i] = float64(h.Sum32()%1000) - 150*float64(l.Assignments) - float64(l.Minutes)/10
	}
	order := make([]int, len(d.Choices))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
	return order, nil
}

// TestRankedStepSize: with a model-like ranking too, the result does not
// depend on the step size.
func TestRankedStepSize(t *testing.T) {
	for _, path := range []string{"../../../testdata/scenarios/club-week.json", "../../../testdata/scenarios/region-month.json"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			_, in := load(t, path)
			res := sameForEveryStepRanked(t, in, pluginhost.InProcessRules(), func() scheduler.Ranker { return pointwise{} }, 1, 4, 0, 200)
			rules := run(t, in, scheduler.Options{})
			if res[0].Stats.Placed != rules.Stats.Placed || reflect.DeepEqual(res[0].Proposals, rules.Proposals) {
				t.Errorf("pointwise ranking placed %d (rules %d), the same proposals: %v", res[0].Stats.Placed, rules.Stats.Placed, reflect.DeepEqual(res[0].Proposals, rules.Proposals))
			}
		})
	}
}
