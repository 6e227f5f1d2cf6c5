package gbdt

import "github.com/crewplan/crewplan/sdk/ranker"

// shallowDepth is the depth up to which Load pads a tree to a complete
// tree4: Score walks those in straight-line code, no loop per level.
const shallowDepth = 4

// tree4 is a tree of depth shallowDepth or less as a complete tree of
// depth 4: records 0 to 14 are splits, level by level, record i's
// children at 2i+1 (x[feature] < value) and 2i+2 (otherwise, NaN
// included); records 15 to 30 are the leaves, left to right; record 31 is
// unused, so that an index masked with &31 is in range without a bounds
// check. A leaf above depth 4 is padded with splits whose two subtrees
// repeat it, so whichever way such a split goes, the walk ends at a copy
// of that leaf: every walk takes exactly 4 steps and the output is the
// original tree's.
type tree4 [32]node

// node is a split (threshold, feature) or a leaf (output) of a tree4.
type node struct {
	value   float32 // a split's threshold; a leaf's output
	feature uint8   // a split's feature index: below ranker.MaxCols
}

// A feature index fits a uint8, and a row of rowLen values has every
// feature a model can have: indexing a row with a node's feature needs no
// bounds check.
const rowLen = 256

var _ [rowLen - ranker.MaxCols]struct{} // ranker.MaxCols ≤ rowLen

// row is one row of x, copied, padded to rowLen values.
type row [rowLen]float32

// fill writes node i of t, and its subtree, at record pos, with levels
// levels to go to the leaves.
func (d *tree4) fill(t Tree, i, pos, levels int) {
	if levels == 0 { // a leaf at depth 4: Load padded the shallower ones
		d[pos] = node{value: t.Value[i]}
		return
	}
	if t.Feature[i] == Leaf { // a padding split: both subtrees are this leaf
		d[pos] = node{}
		d.fill(t, i, 2*pos+1, levels-1)
		d.fill(t, i, 2*pos+2, levels-1)
		return
	}
	d[pos] = node{value: t.Value[i], feature: uint8(t.Feature[i])}
	d.fill(t, int(t.Left[i]), 2*pos+1, levels-1)
	d.fill(t, int(t.Right[i]), 2*pos+2, levels-1)
}

// step goes from record i of t to the child x picks: a flag, not a
// branch, so that no row's path costs a misprediction (SETcc on amd64, no
// block transition in WebAssembly).
func step(t *tree4, i int, x *row) int {
	n := &t[i&31]
	right := 0
	if !(x[n.feature] < n.value) { // NaN goes right too
		right = 1
	}
	return 2*i + 1 + right
}

// walk adds the outputs of the deep trees of r to z, in order, for row
// x: node by node, each step to a later entry of the same tree (Load
// validated the trees), so the walk ends at a leaf within MaxDepth steps.
func (m *Model) walk(z float64, r run, x *row) float64 {
	feature, value, child := m.feature, m.value, m.child
	for _, i := range m.roots[r.first:r.end] {
		for f := feature[i]; f != Leaf; f = feature[i] {
			right := int32(0)
			if !(x[uint8(f)] < value[i]) { // NaN goes right too
				right = 1
			}
			i = child[2*i+right]
		}
		z += float64(value[i])
	}
	return z
}

// score4 scores the 4 rows of x from row r into out, rows past the
// last walked as copies of the last row and not written: each tree is
// walked for the 4 rows together, so that their independent steps
// overlap. The rows are written out one variable each, not looped over:
// Go would keep an array of them in memory.
func (m *Model) score4(x []float32, cols, r int, out []float32, buf *[4]row) {
	last := len(out) - 1
	x0, x1, x2, x3 := &buf[0], &buf[1], &buf[2], &buf[3]
	copy(x0[:cols], x[min(r, last)*cols:][:cols])
	copy(x1[:cols], x[min(r+1, last)*cols:][:cols])
	copy(x2[:cols], x[min(r+2, last)*cols:][:cols])
	copy(x3[:cols], x[min(r+3, last)*cols:][:cols])
	z0, z1, z2, z3 := m.base, m.base, m.base, m.base
	for _, run := range m.runs {
		if run.deep {
			z0 = m.walk(z0, run, x0)
			z1 = m.walk(z1, run, x1)
			z2 = m.walk(z2, run, x2)
			z3 = m.walk(z3, run, x3)
			continue
		}
		trees := m.shallow[run.first:run.end]
		for k := range trees {
			t := &trees[k]
			i0 := step(t, 0, x0)
			i1 := step(t, 0, x1)
			i2 := step(t, 0, x2)
			i3 := step(t, 0, x3)
			i0 = step(t, i0, x0)
			i1 = step(t, i1, x1)
			i2 = step(t, i2, x2)
			i3 = step(t, i3, x3)
			i0 = step(t, i0, x0)
			i1 = step(t, i1, x1)
			i2 = step(t, i2, x2)
			i3 = step(t, i3, x3)
			i0 = step(t, i0, x0)
			i1 = step(t, i1, x1)
			i2 = step(t, i2, x2)
			i3 = step(t, i3, x3)
			z0 += float64(t[i0&31].value)
			z1 += float64(t[i1&31].value)
			z2 += float64(t[i2&31].value)
			z3 += float64(t[i3&31].value)
		}
	}
	for k, z := range [4]float64{z0, z1, z2, z3} {
		if r+k <= last {
			out[r+k] = float32(Sigmoid(z))
		}
	}
}

// score8 is score4 for 8 rows at a time.
func (m *Model) score8(x []float32, cols, r int, out []float32, buf *[8]row) {
	last := len(out) - 1
	x0, x1, x2, x3, x4, x5, x6, x7 := &buf[0], &buf[1], &buf[2], &buf[3], &buf[4], &buf[5], &buf[6], &buf[7]
	copy(x0[:cols], x[min(r, last)*cols:][:cols])
	copy(x1[:cols], x[min(r+1, last)*cols:][:cols])
	copy(x2[:cols], x[min(r+2, last)*cols:][:cols])
	copy(x3[:cols], x[min(r+3, last)*cols:][:cols])
	copy(x4[:cols], x[min(r+4, last)*cols:][:cols])
	copy(x5[:cols], x[min(r+5, last)*cols:][:cols])
	copy(x6[:cols], x[min(r+6, last)*cols:][:cols])
	copy(x7[:cols], x[min(r+7, last)*cols:][:cols])
	z0, z1, z2, z3, z4, z5, z6, z7 := m.base, m.base, m.base, m.base, m.base, m.base, m.base, m.base
	for _, run := range m.runs {
		if run.deep {
			z0 = m.walk(z0, run, x0)
			z1 = m.walk(z1, run, x1)
			z2 = m.walk(z2, run, x2)
			z3 = m.walk(z3, run, x3)
			z4 = m.walk(z4, run, x4)
			z5 = m.walk(z5, run, x5)
			z6 = m.walk(z6, run, x6)
			z7 = m.walk(z7, run, x7)
			continue
		}
		trees := m.shallow[run.first:run.end]
		for k := range trees {
			t := &trees[k]
			i0 := step(t, 0, x0)
			i1 := step(t, 0, x1)
			i2 := step(t, 0, x2)
			i3 := step(t, 0, x3)
			i4 := step(t, 0, x4)
			i5 := step(t, 0, x5)
			i6 := step(t, 0, x6)
			i7 := step(t, 0, x7)
			i0 = step(t, i0, x0)
			i1 = step(t, i1, x1)
			i2 = step(t, i2, x2)
			i3 = step(t, i3, x3)
			i4 = step(t, i4, x4)
			i5 = step(t, i5, x5)
			i6 = step(t, i6, x6)
			i7 = step(t, i7, x7)
			i0 = step(t, i0, x0)
			i1 = step(t, i1, x1)
			i2 = step(t, i2, x2)
			i3 = step(t, i3, x3)
			i4 = step(t, i4, x4)
			i5 = step(t, i5, x5)
			i6 = step(t, i6, x6)
			i7 = step(t, i7, x7)
			i0 = step(t, i0, x0)
			i1 = step(t, i1, x1)
			i2 = step(t, i2, x2)
			i3 = step(t, i3, x3)
			i4 = step(t, i4, x4)
			i5 = step(t, i5, x5)
			i6 = step(t, i6, x6)
			i7 = step(t, i7, x7)
			z0 += float64(t[i0&31].value)
			z1 += float64(t[i1&31].value)
			z2 += float64(t[i2&31].value)
			z3 += float64(t[i3&31].value)
			z4 += float64(t[i4&31].value)
			z5 += float64(t[i5&31].value)
			z6 += float64(t[i6&31].value)
			z7 += float64(t[i7&31].value)
		}
	}
	for k, z := range [8]float64{z0, z1, z2, z3, z4, z5, z6, z7} {
		if r+k <= last {
			out[r+k] = float32(Sigmoid(z))
		}
	}
}
