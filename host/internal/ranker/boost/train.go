package boost

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"

	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
)

// Train fits gradient-boosted trees to train (see the package doc),
// reporting each round's loss on train and, if valid is not nil, on
// valid. It checks ctx before each tree and, once ctx is done, returns
// ctx.Err() wrapped. It refuses data that fails Validate (valid need not
// hold both classes), a validation set of another width, and Options out
// of range.
func Train(ctx context.Context, train Data, valid *Data, opt Options) (*Model, error) {
	if err := train.check(true); err != nil {
		return nil, fmt.Errorf("boost: training data: %w", err)
	}
	if valid != nil {
		if err := valid.check(false); err != nil {
			return nil, fmt.Errorf("boost: validation data: %w", err)
		}
		if valid.Cols != train.Cols {
			return nil, fmt.Errorf("boost: validation data: %d columns: want %d, as in the training data", valid.Cols, train.Cols)
		}
	}
	opt = opt.withDefaults()
	if err := opt.validate(valid != nil); err != nil {
		return nil, fmt.Errorf("boost: options: %w", err)
	}

	t := newTrainer(train, opt)
	m := &Model{Base: t.base, Gain: make([]float64, train.Cols)}
	var vmargin []float64 // the validation rows' margins
	if valid != nil {
		vmargin = make([]float64, valid.Rows)
		for i := range vmargin {
			vmargin[i] = float64(t.base)
		}
	}
	treeGain := make([]float64, 0, opt.Trees*train.Cols) // per tree, per feature
	best, bestLoss := 0, math.Inf(1)
	for round := range opt.Trees {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("boost: train: before tree %d: %w", round+1, err)
		}
		tree := t.grow()
		m.Trees = append(m.Trees, tree)
		treeGain = append(treeGain, t.gain...)
		r := Round{TrainLoss: t.loss, ValidLoss: math.NaN()}
		if valid != nil {
			r.ValidLoss = addTree(*valid, vmargin, tree)
		}
		m.Rounds = append(m.Rounds, r)
		if opt.EarlyStopping == 0 {
			continue
		}
		if r.ValidLoss < bestLoss {
			best, bestLoss = round+1, r.ValidLoss
		}
		if round+1-best >= opt.EarlyStopping {
			break
		}
	}
	m.Best = len(m.Trees)
	if opt.EarlyStopping > 0 {
		m.Best = best
		m.Trees = m.Trees[:best:best]
	}
	for i := range m.Best * train.Cols {
		m.Gain[i%train.Cols] += treeGain[i]
	}
	return m, nil
}

// addTree adds tree's output to the margins of d's rows and returns their
// mean log loss, weighted.
func addTree(d Data, margin []float64, tree gbdt.Tree) float64 {
	var sum, total float64
	for i := range margin {
		margin[i] += float64(output(tree, d.row(i)))
		w := d.weight(i)
		if w > 0 {
			loss, _ := lossProb(margin[i], float64(d.Y[i]))
			sum += w * loss
			total += w
		}
	}
	return sum / total
}

// gradPair is a row's gradient and hessian, or their sums.
type gradPair struct{ g, h float64 }

// node is a node of the tree being grown.
type node struct {
	feature     int16   // the feature a split tests; gbdt.Leaf for a leaf
	bin         uint8   // a split sends bins ≤ bin left
	value       float32 // a split's threshold; a leaf's output
	left, right uint16  // a split's children
}

// work is a node waiting to be split or made a leaf.
type work struct {
	node       int        // its index in trainer.nodes
	start, end int        // its rows: trainer.idx[start:end]
	g, h       float64    // its rows' gradient and hessian sums
	hist       []gradPair // its histogram; nil if it may not split
}

// split is a node's best split.
type split struct {
	feature int
	bin     int // bins ≤ bin go left
	gl, hl  float64
	score   float64 // GL²/(HL+λ) + GR²/(HR+λ)
	gain    float64
}

// trainer holds the training set in bins and everything one round needs,
// reused from round to round.
type trainer struct {
	opt    Options
	n      int // rows of positive weight
	cols   int
	stride int // histogram slots per feature
	bins   []featureBins
	binned []uint8   // n×cols bins, row-major
	y, w   []float64 // per row
	base   float32
	margin []float64  // per row: base + Σ tree outputs so far
	p      []float64  // per row: sigmoid(margin)
	gh     []gradPair // per row, this round
	loss   float64    // the mean log loss after the last tree
	rng    *rand.Rand

	idx, scratch []int32 // the rows of this tree, grouped by node
	nodes        []node
	level, next  []work
	free         [][]gradPair // histograms to reuse
	gain         []float64    // per feature, this tree's split gain
}

// newTrainer bins the rows of d with positive weight; d is valid.
func newTrainer(d Data, opt Options) *trainer {
	rows := make([]int32, 0, d.Rows)
	for i := range d.Rows {
		if d.weight(i) > 0 {
			rows = append(rows, int32(i))
		}
	}
	n, cols := len(rows), d.Cols
	t := &trainer{
		opt:    opt,
		n:      n,
		cols:   cols,
		bins:   make([]featureBins, cols),
		binned: make([]uint8, n*cols),
		y:      make([]float64, n),
		w:      make([]float64, n),
		margin: make([]float64, n),
		p:      make([]float64, n),
		gh:     make([]gradPair, n),
		idx:    make([]int32, 0, n),
		// The second PCG word is fixed: Seed alone picks the stream.
		rng:  rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15)),
		gain: make([]float64, cols),
	}
	var pos, neg float64
	for i, r := range rows {
		t.y[i], t.w[i] = float64(d.Y[r]), d.weight(int(r))
		if d.Y[r] == 1 {
			pos += t.w[i]
		} else {
			neg += t.w[i]
		}
	}
	t.base = float32(math.Log(pos / neg))
	for i := range t.margin {
		t.margin[i] = float64(t.base)
		_, t.p[i] = lossProb(t.margin[i], t.y[i])
	}

	vals := make([]float32, n)
	var wts []float64
	if d.Weight != nil {
		wts = t.w
	}
	var b binner
	for f := range cols {
		for i, r := range rows {
			vals[i] = d.X[int(r)*cols+f]
		}
		t.bins[f] = b.makeBins(vals, wts, opt.Bins, t.binned[f:], cols)
		t.stride = max(t.stride, int(t.bins[f].nan)+1)
	}
	return t
}

// grow fits one tree to the gradients of the current margins, adds it to
// the margins and returns it.
func (t *trainer) grow() gbdt.Tree {
	for i, p := range t.p {
		w := t.w[i]
		t.gh[i] = gradPair{w * (p - t.y[i]), w * p * (1 - p)}
	}
	t.sample()
	clear(t.gain)

	root := work{end: len(t.idx), hist: t.alloc()}
	for _, r := range t.idx {
		root.g += t.gh[r].g
		root.h += t.gh[r].h
	}
	t.build(root.hist, t.idx)
	t.nodes = append(t.nodes[:0], node{})
	level, next := append(t.level[:0], root), t.next[:0]
	for depth := 0; len(level) > 0; depth++ {
		next = next[:0]
		for _, w := range level {
			var sp split
			ok := w.hist != nil && len(t.nodes)+2 <= gbdt.MaxNodes
			if ok {
				sp, ok = t.best(&w)
			}
			nl := 0
			if ok {
				nl = t.partition(t.idx[w.start:w.end], sp.feature, uint8(sp.bin))
				ok = nl > 0 && nl < w.end-w.start // histogram rounding aside, always
			}
			if !ok {
				t.nodes[w.node] = node{feature: gbdt.Leaf, value: t.leafValue(w.g, w.h)}
				t.release(w.hist)
				continue
			}
			t.gain[sp.feature] += sp.gain
			l := work{node: len(t.nodes), start: w.start, end: w.start + nl, g: sp.gl, h: sp.hl}
			r := work{node: len(t.nodes) + 1, start: w.start + nl, end: w.end, g: w.g - sp.gl, h: w.h - sp.hl}
			t.nodes[w.node] = node{
				feature: int16(sp.feature),
				bin:     uint8(sp.bin),
				value:   t.bins[sp.feature].edges[sp.bin],
				left:    uint16(l.node),
				right:   uint16(r.node),
			}
			t.nodes = append(t.nodes, node{}, node{})
			if depth+1 < t.opt.MaxDepth {
				// Scan the smaller child; the larger one's histogram is
				// the parent's minus it.
				small, large := &l, &r
				if r.end-r.start < l.end-l.start {
					small, large = large, small
				}
				small.hist = t.alloc()
				t.build(small.hist, t.idx[small.start:small.end])
				for i, p := range small.hist {
					w.hist[i].g -= p.g
					w.hist[i].h -= p.h
				}
				large.hist = w.hist
			} else {
				t.release(w.hist)
			}
			next = append(next, l, r)
		}
		level, next = next, level
	}
	t.level, t.next = level, next

	t.loss = t.addNodes()
	tree := gbdt.Tree{
		Feature: make([]int16, len(t.nodes)),
		Value:   make([]float32, len(t.nodes)),
		Left:    make([]uint16, len(t.nodes)),
		Right:   make([]uint16, len(t.nodes)),
	}
	for i, nd := range t.nodes {
		tree.Feature[i], tree.Value[i], tree.Left[i], tree.Right[i] = nd.feature, nd.value, nd.left, nd.right
	}
	return tree
}

// sample fills idx with the rows of this tree, in order: all of them, or
// round(Subsample·n) of them drawn without replacement.
func (t *trainer) sample() {
	k := t.n
	if t.opt.Subsample < 1 {
		k = max(1, int(math.Round(t.opt.Subsample*float64(t.n))))
	}
	idx := t.idx[:0]
	for i := 0; i < t.n && len(idx) < k; i++ {
		// Selection sampling: take row i with probability needed/left.
		if k == t.n || t.rng.IntN(t.n-i) < k-len(idx) {
			idx = append(idx, int32(i))
		}
	}
	t.idx = idx
}

// alloc returns a histogram to fill.
func (t *trainer) alloc() []gradPair {
	if n := len(t.free); n > 0 {
		h := t.free[n-1]
		t.free = t.free[:n-1]
		return h
	}
	return make([]gradPair, t.cols*t.stride)
}

// release returns a histogram to reuse; h may be nil.
func (t *trainer) release(h []gradPair) {
	if h != nil {
		t.free = append(t.free, h)
	}
}

// build sets hist to the gradient and hessian sums of rows by feature and
// bin.
func (t *trainer) build(hist []gradPair, rows []int32) {
	clear(hist)
	cols, stride := t.cols, t.stride
	for _, r := range rows {
		gp := t.gh[r]
		row := t.binned[int(r)*cols : int(r)*cols+cols]
		off := 0
		for _, b := range row {
			p := &hist[off+int(b)]
			p.g += gp.g
			p.h += gp.h
			off += stride
		}
	}
}

// best returns the split of w of most gain, if any has a gain above
// rounding noise with MinChildWeight on each side.
func (t *trainer) best(w *work) (split, bool) {
	lambda, mcw := t.opt.Lambda, t.opt.MinChildWeight
	if w.h < 2*mcw {
		return split{}, false
	}
	b := split{score: math.Inf(-1)}
	found := false
	for f := range t.cols {
		// Bins past the last edge (and NaN's) always go right.
		hist := w.hist[f*t.stride : f*t.stride+len(t.bins[f].edges)]
		var gl, hl float64
		for k, p := range hist {
			gl += p.g
			hl += p.h
			if hl < mcw {
				continue
			}
			hr := w.h - hl
			if hr < mcw {
				break
			}
			gr := w.g - gl
			if s := gl*gl/(hl+lambda) + gr*gr/(hr+lambda); s > b.score {
				b = split{feature: f, bin: k, gl: gl, hl: hl, score: s}
				found = true
			}
		}
	}
	if !found {
		return split{}, false
	}
	b.gain = (b.score - w.g*w.g/(w.h+lambda)) / 2
	// A gain within rounding of 0 splits rows that all want the same
	// leaf value.
	if !(b.gain > 1e-12*b.score) || math.IsInf(b.gain, 0) {
		return split{}, false
	}
	return b, true
}

// partition reorders rows, stably, into those whose feature f is in a
// bin ≤ bin and the rest, and returns the number of the former.
func (t *trainer) partition(rows []int32, f int, bin uint8) int {
	if cap(t.scratch) < len(rows) {
		t.scratch = make([]int32, len(rows))
	}
	right := t.scratch[:len(rows)]
	nl, nr := 0, 0
	binned, cols := t.binned[f:], t.cols
	for _, r := range rows {
		// Without a branch, since the side is unpredictable: write r to
		// both sides and advance one.
		left := int(uint(int(binned[int(r)*cols])-int(bin)-1) >> (bits.UintSize - 1)) // 1 if bin ≥ r's bin
		rows[nl], right[nr] = r, r
		nl += left
		nr += 1 - left
	}
	copy(rows[nl:], right[:nr])
	return nl
}

// leafValue is the output of a leaf of gradient sum g and hessian sum h:
// −LearningRate·g/(h+λ), clamped to the finite float32 range.
func (t *trainer) leafValue(g, h float64) float32 {
	v := -t.opt.LearningRate * g / (h + t.opt.Lambda)
	return float32(max(-math.MaxFloat32, min(v, math.MaxFloat32)))
}

// addNodes adds the grown tree's output to every row's margin, walking
// the bins as the evaluator walks the thresholds, updates the rows'
// probabilities and returns the new mean log loss, weighted.
func (t *trainer) addNodes() float64 {
	var sum, total float64
	nodes, cols := t.nodes, t.cols
	for i := range t.margin {
		row := t.binned[i*cols : i*cols+cols]
		j := 0
		for nodes[j].feature != gbdt.Leaf {
			nd := &nodes[j]
			if row[nd.feature] <= nd.bin {
				j = int(nd.left)
			} else {
				j = int(nd.right)
			}
		}
		t.margin[i] += float64(nodes[j].value)
		var loss float64
		loss, t.p[i] = lossProb(t.margin[i], t.y[i])
		sum += t.w[i] * loss
		total += t.w[i]
	}
	return sum / total
}
