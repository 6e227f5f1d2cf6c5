package gbdt_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/sdk/ranker"
)

// TestScoreProperty compares Score, walking 4 rows at a time (as natively)
// and 8 (as in WebAssembly), with the recursive reference evaluator, bit
// for bit, on random valid parameters: shallow trees (which Load pads to
// complete trees of depth 4) mixed in any order with deep, unbalanced
// ones up to MaxDepth (which it keeps as they are), lone leaves and
// chains, up to ranker.MaxCols features, thresholds drawn from a small
// pool (signed zeros and infinities' neighbours included), and 1 to 20 rows
// whose values are often exactly a threshold, NaN or infinite.
func TestScoreProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	rounds := 300
	if testing.Short() {
		rounds = 50
	}
	for round := range rounds {
		p, pool := propertyParams(rng)
		m := load(t, p)
		k := len(p.Features)
		rows := 1 + rng.IntN(20)
		x := make([]float32, rows*k)
		for i := range x {
			x[i] = propertyValue(rng, pool)
		}
		want := make([]float32, rows)
		for r := range rows {
			want[r] = refScore(p, x[r*k:r*k+k])
		}
		for _, wide := range []bool{false, true} {
			got := make([]float32, rows)
			if err := m.ScoreRows(x, rows, k, got, wide); err != nil {
				t.Fatal(err)
			}
			for r := range rows {
				if math.Float32bits(got[r]) != math.Float32bits(want[r]) {
					t.Fatalf("round %d (%d trees, %d features, wide %v), row %d of %d: score %v, the reference evaluator %v",
						round, len(p.Trees), k, wide, r+1, rows, got[r], want[r])
				}
			}
		}
		got, err := ranker.ScoreNative(m, x, rows, k)
		if err != nil {
			t.Fatal(err)
		}
		for r := range rows {
			if math.Float32bits(got[r]) != math.Float32bits(want[r]) {
				t.Fatalf("round %d, row %d: Score %v, the reference evaluator %v", round, r+1, got[r], want[r])
			}
		}
	}
}

// TestReadsProperty: on random valid parameters, a row scores bit for
// bit alike whatever the values of the features Reads says no split
// tests, and Reads says so of exactly the features no split tests.
func TestReadsProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	rounds := 300
	if testing.Short() {
		rounds = 50
	}
	for round := range rounds {
		p, pool := propertyParams(rng)
		m := load(t, p)
		reads := p.Reads()
		k := len(p.Features)
		if len(reads) != k {
			t.Fatalf("round %d: Reads has %d entries for %d features", round, len(reads), k)
		}
		tested := make([]bool, k)
		for _, tr := range p.Trees {
			for _, f := range tr.Feature {
				if f != gbdt.Leaf {
					tested[f] = true
				}
			}
		}
		for f := range k {
			if reads[f] != tested[f] {
				t.Fatalf("round %d: Reads says feature %d is read: %v; a split tests it: %v", round, f, reads[f], tested[f])
			}
		}
		const rows = 8
		x := make([]float32, rows*k)
		for i := range x {
			x[i] = propertyValue(rng, pool)
		}
		y := slices.Clone(x) // the unread features changed
		for i := range y {
			if !reads[i%k] {
				y[i] = propertyValue(rng, pool)
			}
		}
		sx, sy := make([]float32, rows), make([]float32, rows)
		if err := m.ScoreRows(x, rows, k, sx, true); err != nil {
			t.Fatal(err)
		}
		if err := m.ScoreRows(y, rows, k, sy, true); err != nil {
			t.Fatal(err)
		}
		for r := range rows {
			if math.Float32bits(sx[r]) != math.Float32bits(sy[r]) {
				t.Fatalf("round %d, row %d: %v, and %v with the unread features changed", round, r+1, sx[r], sy[r])
			}
		}
	}
}

// propertyParams returns random valid parameters and the pool their
// thresholds come from.
func propertyParams(rng *rand.Rand) (gbdt.Params, []float32) {
	k := 1 + rng.IntN(6)
	switch rng.IntN(8) {
	case 0:
		k = ranker.MaxCols // the last feature index, 255, is a uint8's last
	case 1:
		k = 1 + rng.IntN(ranker.MaxCols)
	}
	pool := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, math.SmallestNonzeroFloat32, -math.MaxFloat32, math.MaxFloat32}
	for range 4 {
		pool = append(pool, float32(rng.NormFloat64()))
	}
	p := gbdt.Params{Name: "property", Version: "1", Base: float32(rng.NormFloat64())}
	for i := range k {
		p.Features = append(p.Features, "f"+strconv.Itoa(i))
	}
	for range 1 + rng.IntN(12) {
		var t gbdt.Tree
		switch rng.IntN(6) {
		case 0: // a lone leaf
			t = tree(leaf(float32(rng.NormFloat64())))
		case 1: // a chain, leaves on random sides
			t = propertyTree(rng, k, pool, rng.IntN(gbdt.MaxDepth+1), func(int) float64 { return 0 })
		case 2: // full, up to depth 6
			t = propertyTree(rng, k, pool, rng.IntN(7), func(int) float64 { return 1 })
		case 3: // shallow, unbalanced
			t = propertyTree(rng, k, pool, 1+rng.IntN(4), func(int) float64 { return 0.7 })
		default: // deep, unbalanced
			t = propertyTree(rng, k, pool, 5+rng.IntN(gbdt.MaxDepth-4), func(d int) float64 { return 0.6 })
		}
		p.Trees = append(p.Trees, t)
	}
	return p, pool
}

// propertyTree returns a random tree of at most depth splits from root to
// leaf over k features, thresholds from pool, in a random node order
// that keeps every child after its parent. Where a split has room below
// it, its one child always splits again and the other one with
// probability more(depth of the child); trees stop growing at 1,000
// nodes.
func propertyTree(rng *rand.Rand, k int, pool []float32, depth int, more func(int) float64) gbdt.Tree {
	type pending struct {
		parent, depth int
		left, split   bool
	}
	var t gbdt.Tree
	frontier := []pending{{parent: -1, split: depth > 0}}
	for len(frontier) > 0 {
		j := rng.IntN(len(frontier))
		c := frontier[j]
		frontier[j] = frontier[len(frontier)-1]
		frontier = frontier[:len(frontier)-1]
		i := uint16(len(t.Feature))
		if c.parent >= 0 && c.left {
			t.Left[c.parent] = i
		} else if c.parent >= 0 {
			t.Right[c.parent] = i
		}
		t.Left = append(t.Left, 0)
		t.Right = append(t.Right, 0)
		if c.split && len(t.Feature)+len(frontier) < 1000 {
			t.Feature = append(t.Feature, int16(rng.IntN(k)))
			t.Value = append(t.Value, pool[rng.IntN(len(pool))])
			d := c.depth + 1
			on := rng.IntN(2) == 0 // the child that goes on
			frontier = append(frontier,
				pending{int(i), d, true, d < depth && (on || rng.Float64() < more(d))},
				pending{int(i), d, false, d < depth && (!on || rng.Float64() < more(d))})
			continue
		}
		t.Feature = append(t.Feature, gbdt.Leaf)
		t.Value = append(t.Value, float32(rng.NormFloat64()/4))
	}
	return t
}

// propertyValue returns a feature value: a threshold of the pool (so
// exactly at a split) half the time, else NaN, an infinity, a signed zero
// or a random number.
func propertyValue(rng *rand.Rand, pool []float32) float32 {
	switch rng.IntN(10) {
	case 0:
		return float32(math.NaN())
	case 1:
		return float32(math.Inf(1 - 2*rng.IntN(2)))
	case 2:
		return float32(math.Copysign(0, -1))
	case 3, 4:
		return float32(rng.NormFloat64())
	default:
		return pool[rng.IntN(len(pool))]
	}
}

// TestExpNonPositive holds the evaluator's exp to the standard
// library's portable one (refExp, which math.Exp is in WebAssembly), bit
// for bit, over every kind of x ≤ 0 the sigmoid passes it: random x across
// the whole range and near zero, the edges of its own range and their
// neighbours, and margins a sum of float32 leaves makes.
func TestExpNonPositive(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), -1e-300, -1.0 / (1 << 28), -708, -709, -745.2, -746, -1000, math.Inf(-1)}
	for _, x := range []float64{-1.0 / (1 << 28), -708} {
		xs = append(xs, math.Nextafter(x, 0), math.Nextafter(x, math.Inf(-1)))
	}
	rng := rand.New(rand.NewPCG(5, 6))
	n := 200000
	if testing.Short() {
		n = 20000
	}
	for range n {
		xs = append(xs,
			-rng.Float64()*800,                        // the whole range
			-rng.Float64()*20,                         // where sigmoids live
			-math.Ldexp(rng.Float64(), -rng.IntN(60)), // near zero
			float64(float32(-rng.Float64()*10))+float64(float32(rng.Float64()-0.5))) // float32 sums
	}
	for _, x := range xs {
		if x > 0 {
			continue
		}
		if got, want := gbdt.ExpNonPositive(x), refExp(x); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("exp(%v) = %v (%#x), the reference says %v (%#x)", x, got, math.Float64bits(got), want, math.Float64bits(want))
		}
	}
}

// refExp is the standard library's portable exp (math/exp.go), which
// math.Exp is where the platform has no assembly for it (WebAssembly, for
// one; amd64 has its own, which can differ in the last bit).
func refExp(x float64) float64 {
	const (
		ln2Hi     = 6.93147180369123816490e-01
		ln2Lo     = 1.90821492927058770002e-10
		log2e     = 1.44269504088896338700e+00
		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		nearZero  = 1.0 / (1 << 28)
		p1        = 1.66666666666666657415e-01
		p2        = -2.77777777770155933842e-03
		p3        = 6.61375632143793436117e-05
		p4        = -1.65339022054652515390e-06
		p5        = 4.13813679705723846039e-08
	)
	switch {
	case math.IsNaN(x):
		return x
	case x > overflow:
		return math.Inf(1)
	case x < underflow:
		return 0
	case -nearZero < x && x < nearZero:
		return 1 + x
	}
	var k int
	switch {
	case x < 0:
		k = int(log2e*x - 0.5)
	case x > 0:
		k = int(log2e*x + 0.5)
	}
	hi := x - float64(k)*ln2Hi
	lo := float64(k) * ln2Lo
	r := hi - lo
	t := r * r
	c := r - t*(p1+t*(p2+t*(p3+t*(p4+t*p5))))
	y := 1 - ((lo - (r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}
