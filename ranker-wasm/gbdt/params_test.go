package gbdt_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/sdk/ranker"
)

// validParams are two trees over two features: a stump, and a tree in
// depth-first order.
func validParams() gbdt.Params {
	return gbdt.Params{
		Name:     "gbdt-test",
		Version:  "2026-12-05.1",
		Features: []string{"hours_week", "skill match"},
		Base:     0.5,
		Trees: []gbdt.Tree{
			tree(
				split(1, 0.5, 1, 2),
				leaf(-1),
				leaf(1),
			),
			tree(
				split(0, 30, 1, 4),
				split(1, 0.25, 2, 3),
				leaf(0.5),
				leaf(-0.5),
				leaf(0.25),
			),
		},
	}
}

// Where validParams' fields sit in its encoding.
const (
	validBaseAt  = 4 + 2 + 2 + len("gbdt-test") + 2 + len("2026-12-05.1") + 2 + 2 + len("hours_week") + 2 + len("skill match")
	validTreesAt = validBaseAt + 4         // the tree count
	validTree0At = validTreesAt + 2        // tree 0's node count
	validTree1At = validTree0At + 2 + 10*3 // tree 1's node count
)

func TestEncodeLayout(t *testing.T) {
	p := gbdt.Params{Name: "a", Version: "1", Features: []string{"x"}, Base: -2, Trees: []gbdt.Tree{
		tree(split(0, 1, 1, 2), leaf(0.5), leaf(-1)),
	}}
	want := []byte{
		'C', 'P', 'G', 'B',
		1, 0, // format
		1, 0, 'a', // name
		1, 0, '1', // version
		1, 0, // feature count
		1, 0, 'x', // feature 1
		0x00, 0x00, 0x00, 0xc0, // base
		1, 0, // tree count
		3, 0, // tree 0: node count
		0, 0, 0x00, 0x00, 0x80, 0x3f, 1, 0, 2, 0, // node 0: x < 1 ? node 1 : node 2
		0xff, 0xff, 0x00, 0x00, 0x00, 0x3f, 0, 0, 0, 0, // node 1: leaf 0.5
		0xff, 0xff, 0x00, 0x00, 0x80, 0xbf, 0, 0, 0, 0, // node 2: leaf -1
	}
	if got := gbdt.Encode(p); !bytes.Equal(got, want) {
		t.Errorf("Encode =\n% x\nwant\n% x", got, want)
	}
	if _, err := gbdt.Decode(want); err != nil {
		t.Errorf("Decode of the layout: %v", err)
	}
}

func TestParamsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range []gbdt.Params{
		validParams(),
		{Name: "leaf", Version: "1", Features: []string{"x"}, Trees: []gbdt.Tree{tree(leaf(0.25))}},
		randomParams(rng, 20, 6, 35, false),
	} {
		raw := gbdt.Encode(p)
		size := 4 + 2 + 2 + len(p.Name) + 2 + len(p.Version) + 2 + 4 + 2 // the package doc's formula
		for _, f := range p.Features {
			size += 2 + len(f)
		}
		for _, t := range p.Trees {
			size += 2 + 10*len(t.Feature)
		}
		if len(raw) != size {
			t.Errorf("Encode wrote %d bytes, the package doc says %d", len(raw), size)
		}
		got, err := gbdt.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("Decode(Encode(p)) (-want +got):\n%s", diff)
		}
	}
}

func TestDecodeRefusesTruncations(t *testing.T) {
	raw := gbdt.Encode(validParams())
	for n := range len(raw) {
		if _, err := gbdt.Decode(raw[:n]); err == nil {
			t.Errorf("Decode took the first %d of %d bytes", n, len(raw))
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	valid := gbdt.Encode(validParams())
	with := func(f func(p *gbdt.Params)) []byte {
		p := validParams()
		f(&p)
		return gbdt.Encode(p)
	}
	patch := func(off int, b ...byte) []byte {
		raw := bytes.Clone(valid)
		copy(raw[off:], b)
		return raw
	}
	manyTrees := make([]gbdt.Tree, gbdt.MaxTrees+1)
	for i := range manyTrees {
		manyTrees[i] = tree(leaf(0))
	}
	for _, tc := range []struct {
		name string
		raw  []byte
		want string
	}{
		// The envelope, as in logreg.
		{"empty", nil, "magic at byte 0: 4 bytes, but 0 left"},
		{"magic", patch(0, 'C', 'P', 'L', 'R'), `magic "CPLR": want "CPGB"`},
		{"format 2", patch(4, 2, 0), "format version 2: this evaluator reads 1"},
		{"trailing byte", append(bytes.Clone(valid), 0), "1 bytes after the last tree"},
		{"trailing tree", append(bytes.Clone(valid), 1, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0), "12 bytes after the last tree"},
		{"name past the end", patch(6, 0xff, 0xff), "name at byte 8: 65535 bytes"},
		{"no features", patch(validBaseAt-2-len("skill match")-2-len("hours_week")-2, 0, 0), "0 features: want 1 to 256"},
		{"upper-case name", with(func(p *gbdt.Params) { p.Name = "GBDT" }), `name "GBDT"`},
		{"empty version", with(func(p *gbdt.Params) { p.Version = "" }), "no version"},
		{"version with a line break", with(func(p *gbdt.Params) { p.Version = "1\nkind=x" }), "model metadata line"},
		{"repeated feature", with(func(p *gbdt.Params) { p.Features[1] = "hours_week" }), `feature 2 "hours_week"`},
		{"feature with a comma", with(func(p *gbdt.Params) { p.Features[0] = "a,b" }), "feature 1"},
		// Counts.
		{"NaN base", with(func(p *gbdt.Params) { p.Base = float32(math.NaN()) }), "base is NaN"},
		{"no trees", patch(validTreesAt, 0, 0), "0 trees: want 1 to 4096"},
		{"too many trees (count)", patch(validTreesAt, 0x01, 0x10), "4097 trees: want 1 to 4096"},
		{"too many trees", with(func(p *gbdt.Params) { p.Trees = manyTrees }), "4097 trees: want 1 to 4096"},
		{"empty tree", patch(validTree1At, 0, 0), "tree 1: 0 nodes: want 1 to 4096"},
		{"too many nodes", patch(validTree1At, 0x01, 0x10), "tree 1: 4097 nodes: want 1 to 4096"},
		{"nodes past the end", patch(validTree1At, 6, 0), "tree 1: nodes at byte"},
		{"trees past the end", patch(validTreesAt, 3, 0), "tree 2: node count at byte"},
		// The rules of a tree.
		{"child not after parent", with(func(p *gbdt.Params) { p.Trees[1].Left[1] = 0 }), "tree 1: node 1: child 0 is not after its parent"},
		{"child is its parent", with(func(p *gbdt.Params) { p.Trees[1].Right[1] = 1 }), "tree 1: node 1: child 1 is not after its parent"},
		{"child past the last node", with(func(p *gbdt.Params) { p.Trees[0].Right[0] = 3 }), "tree 0: node 0: child 3 is past the last node, 2"},
		{"shared child", with(func(p *gbdt.Params) { p.Trees[1].Right[1] = 4 }), "tree 1: node 1: child 4 is also the child of node 0"},
		{"both children one node", with(func(p *gbdt.Params) { p.Trees[0].Right[0] = 1 }), "tree 0: node 0: both children are node 1"},
		{"unreached node", with(func(p *gbdt.Params) {
			p.Trees[0] = tree(split(1, 0.5, 1, 2), leaf(-1), leaf(1), leaf(7))
		}), "tree 0: node 3 is no node's child"},
		{"feature out of range", with(func(p *gbdt.Params) { p.Trees[1].Feature[1] = 2 }), "tree 1: node 1: feature index 2: want 0 to 1, or -1 for a leaf"},
		{"negative feature", with(func(p *gbdt.Params) { p.Trees[0].Feature[0] = -2 }), "tree 0: node 0: feature index -2"},
		{"NaN threshold", with(func(p *gbdt.Params) { p.Trees[1].Value[1] = float32(math.NaN()) }), "tree 1: node 1: threshold NaN: want a finite number"},
		{"Inf threshold", with(func(p *gbdt.Params) { p.Trees[0].Value[0] = float32(math.Inf(1)) }), "tree 0: node 0: threshold +Inf"},
		{"Inf leaf", with(func(p *gbdt.Params) { p.Trees[1].Value[4] = float32(math.Inf(-1)) }), "tree 1: node 4: leaf value -Inf: want a finite number"},
		{"leaf with children", with(func(p *gbdt.Params) { p.Trees[0].Left[2] = 1 }), "tree 0: node 2: a leaf with children 1 and 0"},
		{"too deep", with(func(p *gbdt.Params) { p.Trees[0] = chain(gbdt.MaxDepth + 1) }), "tree 0: node 32: a split 17 deep: want at most 16 splits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := gbdt.Decode(tc.raw)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Decode = %v, want an error containing %q", err, tc.want)
			}
			if p.Name != "" || p.Features != nil || p.Trees != nil {
				t.Errorf("Decode returned parameters with its error: %+v", p)
			}
		})
	}
}

// chain returns a tree of splits, each with a leaf on the left and the
// next split on the right, ending in a leaf: splits deep.
func chain(splits int) gbdt.Tree {
	var t gbdt.Tree
	for i := range splits {
		at := uint16(2 * i)
		t.Feature = append(t.Feature, 0, gbdt.Leaf)
		t.Value = append(t.Value, 0.5, 0)
		t.Left = append(t.Left, at+1, 0)
		t.Right = append(t.Right, at+2, 0)
	}
	t.Feature = append(t.Feature, gbdt.Leaf)
	t.Value = append(t.Value, 1)
	t.Left = append(t.Left, 0)
	t.Right = append(t.Right, 0)
	return t
}

// TestMaxDepth: a chain as deep as MaxDepth is a tree; one split deeper
// is refused (see the case "too deep").
func TestMaxDepth(t *testing.T) {
	if err := chain(gbdt.MaxDepth).Validate(1); err != nil {
		t.Fatalf("a tree %d splits deep: %v", gbdt.MaxDepth, err)
	}
}

func TestValidateArrayLengths(t *testing.T) {
	p := validParams()
	p.Trees[1].Right = p.Trees[1].Right[:4]
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "tree 1: 5 features, 5 values, 5 left and 4 right children") {
		t.Errorf("Validate = %v", err)
	}
	if err := (gbdt.Tree{}).Validate(1); err == nil || !strings.Contains(err.Error(), "0 nodes") {
		t.Errorf("Validate of an empty tree = %v", err)
	}
}

// FuzzDecode checks that Decode never panics; that what it accepts is
// valid, encodes back to the same bytes (the format has one encoding)
// and scores any row, NaN and infinities included, to the reference
// evaluator's scores.
func FuzzDecode(f *testing.F) {
	f.Add(gbdt.Encode(validParams()))
	f.Add(gbdt.Encode(gbdt.Params{Name: "a", Version: "1", Features: []string{"x"}, Trees: []gbdt.Tree{tree(leaf(1))}}))
	f.Add(gbdt.Encode(randomParams(rand.New(rand.NewPCG(3, 4)), 3, 3, 4, false)))
	f.Add([]byte("CPGB\x01\x00"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := gbdt.Decode(raw)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Decode accepted invalid parameters: %v", err)
		}
		if again := gbdt.Encode(p); !bytes.Equal(again, raw) {
			t.Fatalf("Encode(Decode(raw)) =\n% x\nwant\n% x", again, raw)
		}
		if _, err := ranker.ParseMeta(p.Meta().Encode()); err != nil {
			t.Fatalf("the metadata of accepted parameters does not parse: %v", err)
		}
		at := 4 + 2 + 2 + len(p.Name) + 2 + len(p.Version) + 2
		for _, f := range p.Features {
			at += 2 + len(f)
		}
		if n := binary.LittleEndian.Uint16(raw[at+4:]); int(n) != len(p.Trees) {
			t.Fatalf("tree count %d, decoded %d", n, len(p.Trees))
		}

		m := gbdt.New()
		if err := m.Load(raw); err != nil {
			t.Fatalf("Load refused what Decode accepted: %v", err)
		}
		k := len(p.Features)
		x := make([]float32, 0, 5*k)
		nan, inf := float32(math.NaN()), float32(math.Inf(1))
		for _, v := range []float32{0, nan, inf, -inf, -1e30} {
			for range k {
				x = append(x, v)
			}
		}
		got, err := ranker.ScoreNative(m, x, 5, k)
		if err != nil {
			t.Fatal(err)
		}
		for r := range got {
			if want := refScore(p, x[r*k:r*k+k]); math.Float32bits(got[r]) != math.Float32bits(want) {
				t.Fatalf("row %d: score %v, the reference evaluator %v", r+1, got[r], want)
			}
		}
	})
}
