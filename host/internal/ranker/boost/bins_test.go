package boost

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// refBin is x's bin by definition: NaN's, or the number of edges ≤ x.
func refBin(fb featureBins, x float32) uint8 {
	if x != x {
		return fb.nan
	}
	n := 0
	for _, e := range fb.edges {
		if e <= x {
			n++
		}
	}
	return uint8(n)
}

// TestBinsExact checks the promise the thresholds rest on: for every
// edge k and every value x the bins were made from, x < edges[k] in
// float32 exactly when bin(x) ≤ k, and NaN's bin is past every edge.
func TestBinsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	inf := float32(math.Inf(1))
	special := []float32{float32(math.NaN()), inf, -inf, math.MaxFloat32, -math.MaxFloat32, 0, float32(math.Copysign(0, -1)),
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 1, math.Nextafter32(1, 2), math.Nextafter32(1, 0)}
	for trial := range 300 {
		n := 1 + rng.IntN(3000)
		bins := 2 + rng.IntN(MaxBins-1)
		vals := make([]float32, n)
		var w []float64
		if trial%2 == 1 {
			w = make([]float64, n)
		}
		for i := range vals {
			switch rng.IntN(4) {
			case 0:
				vals[i] = special[rng.IntN(len(special))]
			case 1: // many ties
				vals[i] = float32(rng.IntN(20))
			case 2: // neighbouring float32s
				vals[i] = math.Nextafter32(1, float32(rng.IntN(3)))
			default:
				vals[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20)))
			}
			if w != nil {
				w[i] = rng.Float64() * 3
			}
		}
		orig := append([]float32(nil), vals...)
		out := make([]uint8, 2*n)
		var b binner
		fb := b.makeBins(vals, w, bins, out[1:], 2)
		maxEdges := bins - 1
		hasNaN := false
		for _, v := range orig {
			hasNaN = hasNaN || v != v
		}
		if hasNaN {
			maxEdges++
		}
		if len(fb.edges) > maxEdges {
			t.Fatalf("trial %d: %d edges for %d bins", trial, len(fb.edges), bins)
		}
		if int(fb.nan) < len(fb.edges) || int(fb.nan) > len(fb.edges)+1 {
			t.Fatalf("trial %d: NaN in bin %d with %d edges", trial, fb.nan, len(fb.edges))
		}
		for k, e := range fb.edges {
			if math.IsInf(float64(e), 0) || e != e || (k > 0 && !(fb.edges[k-1] < e)) {
				t.Fatalf("trial %d: edges %v: want finite and ascending", trial, fb.edges)
			}
		}
		if !slices.EqualFunc(vals, orig, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
			t.Fatalf("trial %d: makeBins changed its values", trial)
		}
		for i, x := range orig {
			b := refBin(fb, x)
			if out[1+2*i] != b || out[2*i] != 0 {
				t.Fatalf("trial %d: value %d, %v: bin %d written at its place, %d before it: want %d and 0", trial, i, x, out[1+2*i], out[2*i], b)
			}
			if x != x && b != fb.nan {
				t.Fatalf("trial %d: NaN in bin %d: want %d", trial, b, fb.nan)
			}
			if x == x && int(b) > len(fb.edges) {
				t.Fatalf("trial %d: %v in bin %d past the values' bins", trial, x, b)
			}
			for k, e := range fb.edges {
				if (x < e) != (int(b) <= k) {
					t.Fatalf("trial %d: %v in bin %d, but x < edge %d (%v) is %v", trial, x, b, k, e, x < e)
				}
			}
		}
	}
}

// TestBinsQuantiles checks that the edges of many distinct values split
// them into bins of about equal weight.
func TestBinsQuantiles(t *testing.T) {
	const n, bins = 64000, 64
	vals := make([]float32, n)
	for i := range vals {
		vals[i] = float32(i)
	}
	var b binner
	fb := b.makeBins(vals, nil, bins, make([]uint8, n), 1)
	if len(fb.edges) != bins-1 {
		t.Fatalf("%d edges: want %d", len(fb.edges), bins-1)
	}
	for k, e := range fb.edges {
		if want := float32((k+1)*n/bins) - 0.5; e != want {
			t.Errorf("edge %d: %v: want %v", k, e, want)
		}
	}
	// Weights move the edges: the first half weighs 3 times the second.
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
		if i < n/2 {
			w[i] = 3
		}
		vals[i] = float32(i)
	}
	fb = b.makeBins(vals, w, 4, make([]uint8, n), 1)
	if want := []float32{n/6 - 0.5, n/3 - 0.5, n/2 - 0.5}; len(fb.edges) != 3 ||
		math.Abs(float64(fb.edges[0]-want[0])) > 1 || math.Abs(float64(fb.edges[1]-want[1])) > 1 || math.Abs(float64(fb.edges[2]-want[2])) > 1 {
		t.Errorf("weighted edges %v: want about %v", fb.edges, want)
	}
}

func TestEdgeBetween(t *testing.T) {
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		lo, hi, want float32
		ok           bool
	}{
		{1, 2, 1.5, true},
		{1, math.Nextafter32(1, 2), math.Nextafter32(1, 2), true}, // no float32 between
		{-inf, 0, 0, true},
		{-inf, inf, -math.MaxFloat32, true},
		{5, inf, math.Nextafter32(5, inf), true},
		{math.MaxFloat32, inf, 0, false},
		{-math.MaxFloat32, math.MaxFloat32, 0, true},
	} {
		got, ok := edgeBetween(tc.lo, tc.hi)
		if got != tc.want || ok != tc.ok {
			t.Errorf("edgeBetween(%v, %v) = %v, %v: want %v, %v", tc.lo, tc.hi, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, n := range []int{0, 1, 2, 100, 5000} {
		keys := make([]uint64, n)
		for i := range keys {
			// Few distinct high words, some digits shared by all.
			keys[i] = uint64(rng.IntN(50))<<40 | uint64(rng.IntN(3))<<32 | uint64(i)
		}
		want := slices.Clone(keys)
		slices.SortStableFunc(want, func(a, b uint64) int { return cmp.Compare(a>>32, b>>32) })
		got, _ := radixSort(keys, make([]uint64, n))
		if !slices.Equal(got, want) {
			t.Errorf("%d keys: radixSort differs from a stable sort", n)
		}
	}
}
