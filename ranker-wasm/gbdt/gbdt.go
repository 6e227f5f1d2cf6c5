package gbdt

import (
	"fmt"
	"math"
	"runtime"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// Model is the gradient-boosted-trees evaluator: a ranker.Model whose
// Load takes parameters in the format of the package doc. The zero Model
// has no parameters; Load gives it some.
//
// Load lays the trees out for Score (see the package doc, Evaluation):
// a tree of depth 4 or less becomes a complete tree of depth 4 in one
// 32-record array (tree4), walked without branches, several rows at a
// time; a deeper tree is kept as flat arrays (a struct of arrays, no
// pointers) and walked node by node. Both layouts keep the trees in their
// order, as runs of consecutive trees of one kind.
type Model struct {
	meta     ranker.Meta
	features int
	base     float64
	runs     []run   // the trees, in order
	shallow  []tree4 // the trees of depth ≤ 4, in order

	// The deeper trees, in order: node i of deep tree t is entry
	// roots[t]+i, child indices rebased to those entries.
	roots   []int32   // the entry of each deep tree's root
	feature []int16   // per entry: the feature a split tests; Leaf for a leaf
	value   []float32 // per entry: a split's threshold, a leaf's output
	child   []int32   // entry i's children: [2i] for x[feature] < value, [2i+1] otherwise; 0 for a leaf
}

// run is consecutive trees of one layout: shallow[first:end] or, when
// deep, roots[first:end].
type run struct {
	deep       bool
	first, end int32
}

var _ ranker.Model = (*Model)(nil)

// New returns a Model without parameters.
func New() *Model { return &Model{} }

// Load decodes params (see Decode) and makes them the model's. It refuses
// nil: the evaluator has no built-in trees. On error the model keeps its
// previous parameters.
func (m *Model) Load(params []byte) error {
	if len(params) == 0 {
		return errNoParams
	}
	p, err := Decode(params)
	if err != nil {
		return err
	}
	next := Model{
		meta:     p.Meta(),
		features: len(p.Features),
		base:     float64(p.Base),
	}
	var depth [MaxNodes]uint8 // splits above each node; Decode checked the children
	for _, t := range p.Trees {
		d := uint8(0) // the tree's depth
		for i, f := range t.Feature {
			if f == Leaf {
				d = max(d, depth[i])
				continue
			}
			depth[t.Left[i]], depth[t.Right[i]] = depth[i]+1, depth[i]+1
		}
		deep := d > shallowDepth
		if len(next.runs) == 0 || next.runs[len(next.runs)-1].deep != deep {
			first := int32(len(next.shallow))
			if deep {
				first = int32(len(next.roots))
			}
			next.runs = append(next.runs, run{deep: deep, first: first, end: first})
		}
		r := &next.runs[len(next.runs)-1]
		if !deep {
			next.shallow = append(next.shallow, tree4{})
			next.shallow[len(next.shallow)-1].fill(t, 0, 0, shallowDepth)
			r.end = int32(len(next.shallow))
			continue
		}
		root := int32(len(next.feature)) // at most MaxTrees×MaxNodes = 2^24
		next.roots = append(next.roots, root)
		next.feature = append(next.feature, t.Feature...)
		next.value = append(next.value, t.Value...)
		for i := range t.Feature {
			next.child = append(next.child, root+int32(t.Left[i]), root+int32(t.Right[i]))
		}
		r.end = int32(len(next.roots))
	}
	*m = next
	return nil
}

// Meta describes the loaded parameters: their name, version and
// features, kind=gbdt and trees=N. Before a Load it is the zero Meta,
// which does not validate.
func (m *Model) Meta() ranker.Meta { return m.meta }

// Score writes sigmoid(base + Σ tree(x)) for each row of x into out,
// accumulating in float64 in tree order (see the package doc). It does
// not allocate unless it fails.
func (m *Model) Score(x []float32, rows, cols int, out []float32) error {
	if len(m.runs) == 0 {
		return errNoParams
	}
	if cols != m.features || len(x) != rows*cols || len(out) != rows {
		return fmt.Errorf("gbdt: %d values and %d outputs for %d rows × %d columns; the model has %d features", len(x), len(out), rows, cols, m.features)
	}
	m.score(x, cols, out, wide)
	return nil
}

// wide says Score walks 8 rows at a time rather than 4: faster in
// WebAssembly, where Go's code pays for every loop iteration and block
// transition, and slower natively, where 8 rows need more registers than
// amd64 has (see BenchmarkScoreGBDT* in host/internal/ranker).
const wide = runtime.GOARCH == "wasm"

// score is Score after its checks, 8 rows at a time when wide8 is set
// and 4 rows at a time for the rest.
func (m *Model) score(x []float32, cols int, out []float32, wide8 bool) {
	r := 0
	if wide8 {
		for ; r+8 <= len(out); r += 8 {
			m.score8(x, cols, r, out)
		}
	}
	for ; r < len(out); r += 4 {
		m.score4(x, cols, r, out)
	}
}

// Sigmoid is 1/(1+e^-z) as the evaluator computes it, so that e^z never
// overflows and alike on every platform (see ExpNonPositive): a trainer
// that predicts with it gets the evaluator's scores bit for bit.
func Sigmoid(z float64) float64 {
	e := ExpNonPositive(-math.Abs(z))
	if z >= 0 {
		return 1 / (1 + e)
	}
	return e / (1 + e)
}

// sigmoids writes float32(Sigmoid(z[k])) to out[k] for each k of out,
// which is at most 8 long: Sigmoid written out for the common margins,
// without a call per row, which WebAssembly makes dear.
func sigmoids(z *[8]float64, out []float32) {
	for k := range out {
		e := -math.Abs(z[k])
		if e >= expNormalMin && e <= -expNearZero {
			y, n := expParts(e)
			e = y * math.Float64frombits(uint64(1023+n)<<52)
		} else {
			e = expEdge(e)
		}
		if z[k] >= 0 {
			out[k] = float32(1 / (1 + e))
		} else {
			out[k] = float32(e / (1 + e))
		}
	}
}

// ExpNonPositive is e^x for x ≤ 0 as the evaluator computes it: by the
// standard library's portable algorithm (math/exp.go, from FreeBSD's
// e_exp.c), bit for bit, but faster in WebAssembly, where Ldexp, its last
// step, costs more than the rest: here that step is a multiplication by
// 2^k wherever 2^k and the result are normal numbers, where the two are
// exact and so equal. It is the same on every platform, where math.Exp is
// not (amd64 has its own, which can differ in the last bit), so that the
// evaluator scores alike in WebAssembly and natively. x > 0 goes to
// math.Exp; the sigmoid never passes one.
func ExpNonPositive(x float64) float64 {
	if x >= expNormalMin && x <= -expNearZero {
		y, k := expParts(x)
		return y * math.Float64frombits(uint64(1023+k)<<52)
	}
	return expEdge(x)
}

const (
	// expNormalMin is the least x for which ExpNonPositive multiplies by
	// 2^k: k is then at least -1021, so 2^k and y·2^k (y > 1/2) are
	// normal numbers.
	expNormalMin = -708.0
	// expNearZero: e^x is 1+x for |x| under it.
	expNearZero = 1.0 / (1 << 28)
)

// expParts returns y and k with e^x = y·2^k, by the standard library's
// portable algorithm, for x < 0 not near zero.
func expParts(x float64) (y float64, k int) {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		log2e = 1.44269504088896338700e+00
		p1    = 1.66666666666666657415e-01
		p2    = -2.77777777770155933842e-03
		p3    = 6.61375632143793436117e-05
		p4    = -1.65339022054652515390e-06
		p5    = 4.13813679705723846039e-08
	)
	k = int(log2e*x - 0.5)
	hi := x - float64(k)*ln2Hi
	lo := float64(k) * ln2Lo
	r := hi - lo
	t := r * r
	c := r - t*(p1+t*(p2+t*(p3+t*(p4+t*p5))))
	return 1 - ((lo - (r*c)/(2-c)) - hi), k
}

// expEdge is ExpNonPositive for the x it does not multiply by 2^k: NaN,
// x > 0, x near zero, and x under expNormalMin, where Ldexp rounds a
// subnormal result right.
func expEdge(x float64) float64 {
	const underflow = -7.45133219101941108420e+02
	switch {
	case x != x: // NaN
		return x
	case x > 0:
		return math.Exp(x)
	case x < underflow: // -Inf too
		return 0
	case x > -expNearZero:
		return 1 + x
	}
	y, k := expParts(x)
	return math.Ldexp(y, k)
}
