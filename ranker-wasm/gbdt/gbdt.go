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
	var buf [8]row // the rows walked together, copied: see row
	r := 0
	if wide8 {
		for ; r+8 <= len(out); r += 8 {
			m.score8(x, cols, r, out, &buf)
		}
	}
	for ; r < len(out); r += 4 {
		m.score4(x, cols, r, out, (*[4]row)(buf[:4]))
	}
}

// sigmoid is 1/(1+e^-z), computed so that e^z never overflows.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}
