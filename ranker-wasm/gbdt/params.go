package gbdt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/crewplan/crewplan/ranker-wasm/internal/paramfmt"
	"github.com/crewplan/crewplan/sdk/ranker"
)

// Magic starts every parameter blob.
const Magic = "CPGB"

// FormatVersion is the version of the parameter format this package
// reads and writes.
const FormatVersion = 1

// The limits of the format: trees per model, nodes per tree.
const (
	MaxTrees = 4096
	MaxNodes = 4096
	// MaxDepth caps a tree's splits from root to leaf, so that a score
	// call's cost is bounded by rows × trees × MaxDepth steps even for a
	// chain-shaped tree: the host runs this evaluator with no deadline
	// check (see docs/models.md).
	MaxDepth = 16
)

// Leaf is the feature index of a leaf node.
const Leaf = -1

// nodeSize is the bytes of one node in the format.
const nodeSize = 2 + 4 + 2 + 2

// Params are trained gradient-boosted trees: score = sigmoid(Base + Σ
// tree(x)) over Trees.
type Params struct {
	Name     string   // the model's name: lowercase letters, digits, dashes
	Version  string   // the model's version: "2026-12-05.1"
	Features []string // the feature names, in column order
	Base     float32  // the margin before any tree
	Trees    []Tree
}

// Tree is one regression tree as flat arrays, one entry per node, all of
// the same length; node 0 is the root (see the package doc).
type Tree struct {
	Feature []int16   // the feature index a split tests; Leaf for a leaf
	Value   []float32 // a split's threshold; a leaf's output
	Left    []uint16  // a split's child for x[Feature] < Value; 0 for a leaf
	Right   []uint16  // a split's child otherwise (NaN included); 0 for a leaf
}

// Meta is what the model says about itself with p loaded: kind=gbdt and
// the number of trees besides the names.
func (p Params) Meta() ranker.Meta {
	return ranker.Meta{
		Name:     p.Name,
		Version:  p.Version,
		Features: p.Features,
		Extra:    map[string]string{"kind": "gbdt", "trees": strconv.Itoa(len(p.Trees))},
	}
}

// Reads reports, per feature of p.Features, whether a split of some tree
// tests it: the score of a row depends on those values only, so rows that
// agree on them score alike, whatever their other values. p is valid (see
// Validate).
func (p Params) Reads() []bool {
	reads := make([]bool, len(p.Features))
	for _, t := range p.Trees {
		for _, f := range t.Feature {
			if f != Leaf {
				reads[f] = true
			}
		}
	}
	return reads
}

// Validate reports what is wrong with p: names the host would refuse or
// misread (ranker.Meta.ValidateText), a string too long for the format, a
// base that is not finite, a tree count outside 1..MaxTrees, and any tree
// that breaks the rules of the package doc (see Tree.Validate).
func (p Params) Validate() error {
	if err := p.Meta().ValidateText(); err != nil {
		return fmt.Errorf("gbdt params: %w", err)
	}
	for _, s := range append([]string{p.Name, p.Version}, p.Features...) {
		if len(s) > math.MaxUint16 {
			return fmt.Errorf("gbdt params: a name of %d bytes: want at most %d", len(s), math.MaxUint16)
		}
	}
	if !finite(p.Base) {
		return fmt.Errorf("gbdt params: base is %v: want a finite number", p.Base)
	}
	if len(p.Trees) < 1 || len(p.Trees) > MaxTrees {
		return fmt.Errorf("gbdt params: %d trees: want 1 to %d", len(p.Trees), MaxTrees)
	}
	parent := make([]int32, MaxNodes) // reused from tree to tree
	for t, tree := range p.Trees {
		if err := tree.validate(len(p.Features), parent); err != nil {
			return fmt.Errorf("gbdt params: tree %d: %w", t, err)
		}
	}
	return nil
}

// Validate reports what is wrong with t as a tree over features
// features: arrays of different lengths, a node count outside
// 1..MaxNodes, a feature index other than Leaf or 0 to features-1, a
// value that is not finite, a leaf with children, a child index not after
// its parent's or not below the node count, a node other than the root
// that is not the child of exactly one node, a path from the root of more
// than MaxDepth splits.
func (t Tree) Validate(features int) error {
	return t.validate(features, make([]int32, MaxNodes))
}

// validate is Validate with parent, MaxNodes long, as scratch: parent[i]
// is the node whose child i is, -1 while none is.
func (t Tree) validate(features int, parent []int32) error {
	n := len(t.Feature)
	if len(t.Value) != n || len(t.Left) != n || len(t.Right) != n {
		return fmt.Errorf("%d features, %d values, %d left and %d right children: want one of each per node", n, len(t.Value), len(t.Left), len(t.Right))
	}
	if n < 1 || n > MaxNodes {
		return fmt.Errorf("%d nodes: want 1 to %d", n, MaxNodes)
	}
	parent = parent[:n]
	for i := range parent {
		parent[i] = -1
	}
	depth := make([]uint8, n) // splits above each node; a parent comes first
	for i := range n {
		f, v, l, r := t.Feature[i], t.Value[i], int(t.Left[i]), int(t.Right[i])
		if f == Leaf {
			if !finite(v) {
				return fmt.Errorf("node %d: leaf value %v: want a finite number", i, v)
			}
			if l != 0 || r != 0 {
				return fmt.Errorf("node %d: a leaf with children %d and %d: want 0 and 0", i, l, r)
			}
			continue
		}
		if f < 0 || int(f) >= features {
			return fmt.Errorf("node %d: feature index %d: want 0 to %d, or %d for a leaf", i, f, features-1, Leaf)
		}
		if !finite(v) {
			return fmt.Errorf("node %d: threshold %v: want a finite number", i, v)
		}
		if l == r {
			return fmt.Errorf("node %d: both children are node %d: want two distinct nodes", i, l)
		}
		for _, c := range [2]int{l, r} {
			if c <= i {
				return fmt.Errorf("node %d: child %d is not after its parent: want a node from %d on", i, c, i+1)
			}
			if c >= n {
				return fmt.Errorf("node %d: child %d is past the last node, %d", i, c, n-1)
			}
			if parent[c] >= 0 {
				return fmt.Errorf("node %d: child %d is also the child of node %d: want every node the child of one node", i, c, parent[c])
			}
			if depth[i] >= MaxDepth {
				return fmt.Errorf("node %d: a split %d deep: want at most %d splits from root to leaf", i, depth[i]+1, MaxDepth)
			}
			parent[c] = int32(i)
			depth[c] = depth[i] + 1
		}
	}
	for i := 1; i < n; i++ {
		if parent[i] < 0 {
			return fmt.Errorf("node %d is no node's child: want every node but the root the child of one node", i)
		}
	}
	return nil
}

func finite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

// Encode writes p in the parameter format (see the package doc). It
// writes p as it is: call Validate first, since Decode refuses what
// Validate refuses. It panics on a string longer than 65535 bytes, a
// count over 65535 or a tree whose arrays differ in length, which no
// valid Params has.
func Encode(p Params) []byte {
	size := 64 + 16*len(p.Features)
	for _, t := range p.Trees {
		size += 2 + nodeSize*len(t.Feature)
	}
	b := make([]byte, 0, size)
	b = paramfmt.AppendHeader(b, Magic, FormatVersion, paramfmt.Header{Name: p.Name, Version: p.Version, Features: p.Features}, who)
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(p.Base))
	b = binary.LittleEndian.AppendUint16(b, paramfmt.Uint16(len(p.Trees), who))
	for i, t := range p.Trees {
		n := len(t.Feature)
		if len(t.Value) != n || len(t.Left) != n || len(t.Right) != n {
			panic(fmt.Sprintf("gbdt.Encode: tree %d: arrays of %d, %d, %d and %d nodes", i, n, len(t.Value), len(t.Left), len(t.Right)))
		}
		b = binary.LittleEndian.AppendUint16(b, paramfmt.Uint16(n, who))
		for j := range n {
			b = binary.LittleEndian.AppendUint16(b, uint16(t.Feature[j]))
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(t.Value[j]))
			b = binary.LittleEndian.AppendUint16(b, t.Left[j])
			b = binary.LittleEndian.AppendUint16(b, t.Right[j])
		}
	}
	return b
}

// who names Encode in its panics.
const who = "gbdt.Encode"

// Decode reads parameters in the format of the package doc, refusing
// anything malformed or invalid (see Validate) with an error that says
// where. It reads counts before allocating for them, so a short blob
// never makes it allocate much.
func Decode(raw []byte) (Params, error) {
	r := paramfmt.NewReader(raw, "gbdt params: ")
	h, err := r.Header(Magic, FormatVersion, "gbdt")
	if err != nil {
		return Params{}, err
	}
	p := Params{Name: h.Name, Version: h.Version, Features: h.Features}
	if b := r.Bytes(4, "base"); r.Err == nil {
		p.Base = math.Float32frombits(binary.LittleEndian.Uint32(b))
	}
	nt := int(r.Uint16("tree count"))
	if r.Err == nil && (nt < 1 || nt > MaxTrees) {
		return Params{}, fmt.Errorf("gbdt params: %d trees: want 1 to %d", nt, MaxTrees)
	}
	if r.Err != nil {
		return Params{}, r.Err
	}
	// Each tree takes at least 2 bytes: do not trust the count further.
	p.Trees = make([]Tree, 0, min(nt, r.Left()/2))
	for t := range nt {
		r.Where = fmt.Sprintf("tree %d: ", t)
		n := int(r.Uint16("node count"))
		if r.Err == nil && (n < 1 || n > MaxNodes) {
			return Params{}, fmt.Errorf("gbdt params: tree %d: %d nodes: want 1 to %d", t, n, MaxNodes)
		}
		b := r.Bytes(nodeSize*n, "nodes")
		if r.Err != nil {
			return Params{}, r.Err
		}
		tree := Tree{Feature: make([]int16, n), Value: make([]float32, n), Left: make([]uint16, n), Right: make([]uint16, n)}
		for j := range n {
			nb := b[nodeSize*j : nodeSize*j+nodeSize]
			tree.Feature[j] = int16(binary.LittleEndian.Uint16(nb))
			tree.Value[j] = math.Float32frombits(binary.LittleEndian.Uint32(nb[2:]))
			tree.Left[j] = binary.LittleEndian.Uint16(nb[6:])
			tree.Right[j] = binary.LittleEndian.Uint16(nb[8:])
		}
		p.Trees = append(p.Trees, tree)
	}
	if n := r.Left(); n != 0 {
		return Params{}, fmt.Errorf("gbdt params: %d bytes after the last tree at byte %d", n, r.Off())
	}
	if err := p.Validate(); err != nil {
		return Params{}, err
	}
	return p, nil
}

var errNoParams = errors.New("gbdt: no parameters: write them into the module's " + ranker.SectionParams + " section (ranker.WithSection)")
