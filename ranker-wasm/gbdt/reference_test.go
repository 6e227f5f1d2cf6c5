package gbdt_test

import (
	"math/rand/v2"
	"strconv"

	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
)

// The reference evaluator: the straightforward recursive walk, over the
// Params as decoded, apart from the Model's flattened arrays.

// refTree is tree t's output for row, walking recursively from node.
func refTree(t gbdt.Tree, node int, row []float32) float32 {
	if t.Feature[node] == gbdt.Leaf {
		return t.Value[node]
	}
	if row[t.Feature[node]] < t.Value[node] {
		return refTree(t, int(t.Left[node]), row)
	}
	return refTree(t, int(t.Right[node]), row) // NaN too
}

// refMargin is base + Σ tree(row), summed in float64 in tree order.
func refMargin(p gbdt.Params, row []float32) float64 {
	z := float64(p.Base)
	for _, t := range p.Trees {
		z += float64(refTree(t, 0, row))
	}
	return z
}

// refScore is the score the package doc defines: the sigmoid of the
// margin by the portable exp, rounded once to float32.
func refScore(p gbdt.Params, row []float32) float32 {
	z := refMargin(p, row)
	if z >= 0 {
		return float32(1 / (1 + refExp(-z)))
	}
	return float32(refExp(z) / (1 + refExp(z)))
}

// node is one node of a tree written out by hand.
type node struct {
	feature     int16
	value       float32
	left, right uint16
}

func split(feature int16, threshold float32, left, right uint16) node {
	return node{feature, threshold, left, right}
}

func leaf(value float32) node { return node{gbdt.Leaf, value, 0, 0} }

// tree makes a Tree of nodes, node 0 first.
func tree(nodes ...node) gbdt.Tree {
	var t gbdt.Tree
	for _, n := range nodes {
		t.Feature = append(t.Feature, n.feature)
		t.Value = append(t.Value, n.value)
		t.Left = append(t.Left, n.left)
		t.Right = append(t.Right, n.right)
	}
	return t
}

// randomTree returns a random tree of at most depth levels of splits
// (exactly depth on every path when full) over features features. Its
// nodes are numbered in a random order that keeps every child after its
// parent, so the tests see more than breadth- or depth-first layouts.
func randomTree(rng *rand.Rand, depth, features int, full bool) gbdt.Tree {
	type pending struct {
		parent, depth int
		left          bool
	}
	var t gbdt.Tree
	frontier := []pending{{parent: -1}}
	for len(frontier) > 0 {
		k := rng.IntN(len(frontier))
		p := frontier[k]
		frontier[k] = frontier[len(frontier)-1]
		frontier = frontier[:len(frontier)-1]
		i := uint16(len(t.Feature))
		if p.parent >= 0 && p.left {
			t.Left[p.parent] = i
		} else if p.parent >= 0 {
			t.Right[p.parent] = i
		}
		t.Left = append(t.Left, 0)
		t.Right = append(t.Right, 0)
		if p.depth < depth && (full || rng.IntN(4) > 0) {
			t.Feature = append(t.Feature, int16(rng.IntN(features)))
			t.Value = append(t.Value, rng.Float32())
			frontier = append(frontier, pending{int(i), p.depth + 1, true}, pending{int(i), p.depth + 1, false})
			continue
		}
		t.Feature = append(t.Feature, gbdt.Leaf)
		t.Value = append(t.Value, float32(rng.NormFloat64()/4))
	}
	return t
}

// randomParams returns random valid parameters of trees trees of depth
// depth over features features named f0, f1, ...
func randomParams(rng *rand.Rand, trees, depth, features int, full bool) gbdt.Params {
	p := gbdt.Params{Name: "random", Version: "1", Base: float32(rng.NormFloat64())}
	for i := range features {
		p.Features = append(p.Features, "f"+strconv.Itoa(i))
	}
	for range trees {
		p.Trees = append(p.Trees, randomTree(rng, depth, features, full))
	}
	return p
}
