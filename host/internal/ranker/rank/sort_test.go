package rank

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
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
