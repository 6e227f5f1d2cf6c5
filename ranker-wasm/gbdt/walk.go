package gbdt

import (
	"unsafe"

	"github.com/crewplan/crewplan/sdk/ranker"
)

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

// row is a row of x, read in place: a pointer to its first value. Every
// feature index a node holds is below the model's feature count, which
// Score checked is the matrix's column count, so reading the row at a
// node's feature never leaves the row; the reads skip Go's bounds check
// (and the copy into a padded buffer that avoided it), which WebAssembly
// makes dear.
type row = *float32

// A node's feature index fits its uint8: ranker.MaxCols ≤ 256.
var _ [256 - ranker.MaxCols]struct{}

// rowOf returns row r of x, which has cols columns.
func rowOf(x []float32, cols, r int) row { return &x[r*cols] }

// at returns the row's value of feature f (below the column count).
func at(x row, f uint8) float32 {
	return *(*float32)(unsafe.Add(unsafe.Pointer(x), uintptr(f)*4))
}

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
func step(t *tree4, i int, x row) int {
	n := &t[i&31]
	right := 0
	if !(at(x, n.feature) < n.value) { // NaN goes right too
		right = 1
	}
	return 2*i + 1 + right
}

// walk adds the outputs of the deep trees of r to z, in order, for row
// x: node by node, each step to a later entry of the same tree (Load
// validated the trees), so the walk ends at a leaf within MaxDepth steps.
func (m *Model) walk(z float64, r run, x row) float64 {
	feature, value, child := m.feature, m.value, m.child
	for _, i := range m.roots[r.first:r.end] {
		for f := feature[i]; f != Leaf; f = feature[i] {
			right := int32(0)
			if !(at(x, uint8(f)) < value[i]) { // NaN goes right too
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
func (m *Model) score4(x []float32, cols, r int, out []float32) {
	last := len(out) - 1
	x0, x1 := rowOf(x, cols, min(r, last)), rowOf(x, cols, min(r+1, last))
	x2, x3 := rowOf(x, cols, min(r+2, last)), rowOf(x, cols, min(r+3, last))
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
	z := [8]float64{z0, z1, z2, z3}
	sigmoids(&z, out[r:min(r+4, len(out))])
}

// score8 is score4 for 8 rows at a time.
func (m *Model) score8(x []float32, cols, r int, out []float32) {
	last := len(out) - 1
	x0, x1 := rowOf(x, cols, min(r, last)), rowOf(x, cols, min(r+1, last))
	x2, x3 := rowOf(x, cols, min(r+2, last)), rowOf(x, cols, min(r+3, last))
	x4, x5 := rowOf(x, cols, min(r+4, last)), rowOf(x, cols, min(r+5, last))
	x6, x7 := rowOf(x, cols, min(r+6, last)), rowOf(x, cols, min(r+7, last))
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
	z := [8]float64{z0, z1, z2, z3, z4, z5, z6, z7}
	sigmoids(&z, out[r:r+8])
}
