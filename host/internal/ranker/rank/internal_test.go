package rank

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/crewplan/crewplan/host/internal/scheduler"
)

// TestSortByScore holds sortByScore to a stable sort by score, highest
// first, for few and many choices, with ties, negative scores and both
// zeros.
func TestSortByScore(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pool := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, -0.5, math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 1e-30, -1e30}
	var keys []uint64
	for round := range 2000 {
		n := 1 + rng.IntN(80)
		scores := make([]float32, n)
		for i := range scores {
			if rng.IntN(3) == 0 {
				scores[i] = pool[rng.IntN(len(pool))]
			} else {
				scores[i] = float32(rng.NormFloat64())
			}
		}
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		want := slices.Clone(order)
		slices.SortStableFunc(want, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
		sortByScore(order, scores, &keys)
		for i := range order {
			// Equal scores (0 and -0 included) must keep their order.
			if order[i] != want[i] {
				t.Fatalf("round %d, %d scores %v: got %v, want %v", round, n, scores, order, want)
			}
		}
	}
}

// TestKeyOf: a row's key holds the load and tier values the model reads,
// the others as 0, and fits only while every value read is 0 to 65535.
func TestKeyOf(t *testing.T) {
	all := &Model{readLoad: [5]int{-1, -1, -1, -1, -1}}
	k, ok := all.keyOf(scheduler.Load{Assignments: 3, Minutes: 65535, Days: 2, Today: 1}, 2)
	if !ok || k != (rowKey{3, 65535, 2, 1, 2}) {
		t.Errorf("all read: key %v, fits %v", k, ok)
	}
	for i, l := range []scheduler.Load{{Assignments: 65536}, {Minutes: -1}, {Days: 1 << 40}, {Today: -65536}} {
		if _, ok := all.keyOf(l, 0); ok {
			t.Errorf("load %d (%+v) fits a key", i, l)
		}
	}
	if _, ok := all.keyOf(scheduler.Load{}, -2); ok {
		t.Error("tier -2 fits a key")
	}
	some := &Model{readLoad: [5]int{0, -1, 0, -1, 0}} // minutes and today
	k, ok = some.keyOf(scheduler.Load{Assignments: -7, Minutes: 90, Days: 1 << 20, Today: 2}, 99999)
	if !ok || k != (rowKey{minutes: 90, today: 2}) {
		t.Errorf("minutes and today read: key %v, fits %v", k, ok)
	}
}
