package evaluator_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker/evaluator"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/sdk/ranker"
)

// stump is a valid model: one tree, one split.
func stump() gbdt.Params {
	return gbdt.Params{
		Name: "stump", Version: "1", Features: []string{"a", "b"}, Base: 0.5,
		Trees: []gbdt.Tree{{
			Feature: []int16{1, gbdt.Leaf, gbdt.Leaf},
			Value:   []float32{0.25, -1, 1},
			Left:    []uint16{1, 0, 0},
			Right:   []uint16{2, 0, 0},
		}},
	}
}

func TestGBDT(t *testing.T) {
	a := evaluator.GBDT()
	if !bytes.HasPrefix(a, []byte("\x00asm\x01\x00\x00\x00")) {
		t.Fatal("GBDT() is not a WebAssembly module")
	}
	for _, s := range []string{ranker.SectionParams, ranker.SectionCard} {
		if _, ok, err := ranker.Section(a, s); ok || err != nil {
			t.Errorf("the evaluator has a %s section (%v)", s, err)
		}
	}
	a[len(a)-1] ^= 0xff
	if b := evaluator.GBDT(); b[len(b)-1] == a[len(a)-1] {
		t.Error("GBDT returned the embedded bytes, not a copy")
	}
	sum := sha256.Sum256(evaluator.GBDT()) // no params or card: the module is its code
	if got := evaluator.CodeSHA256(); got != hex.EncodeToString(sum[:]) {
		t.Errorf("CodeSHA256() = %s, want the SHA-256 of GBDT(), %x", got, sum)
	}
}

func TestModule(t *testing.T) {
	p := stump()
	card := []byte(`{"name":"stump","metrics":{"auc":0.7}}`)
	for _, tc := range []struct {
		name string
		card []byte
	}{{"with a card", card}, {"without", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := evaluator.Module(p, tc.card)
			if err != nil {
				t.Fatal(err)
			}
			params, ok, err := ranker.Section(m, ranker.SectionParams)
			if err != nil || !ok || !bytes.Equal(params, gbdt.Encode(p)) {
				t.Errorf("params section = %d bytes, %v, %v; want gbdt.Encode(p)", len(params), ok, err)
			}
			got, ok, err := ranker.Section(m, ranker.SectionCard)
			if err != nil || ok != (tc.card != nil) || !bytes.Equal(got, tc.card) {
				t.Errorf("card section = %q, %v, %v; want %q", got, ok, err, tc.card)
			}
			code, err := ranker.WithoutSections(m, ranker.SectionParams, ranker.SectionCard)
			if err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(code); hex.EncodeToString(sum[:]) != evaluator.CodeSHA256() {
				t.Errorf("the model's code hash is %x, want the evaluator's %s", sum, evaluator.CodeSHA256())
			}
		})
	}
}

func TestModuleRefuses(t *testing.T) {
	noTrees := stump()
	noTrees.Trees = nil
	loop := stump()
	loop.Trees[0].Left[0] = 0 // the root its own child
	badName := stump()
	badName.Name = "Has Spaces"
	for _, tc := range []struct {
		name string
		p    gbdt.Params
		card string
		want string
	}{
		{"no trees", noTrees, "", "0 trees"},
		{"a child before its parent", loop, "", "not after its parent"},
		{"a bad name", badName, "", "gbdt model: gbdt params"},
		{"a card that is a list", stump(), `[1]`, "the card is not a JSON object"},
		{"a card that is null", stump(), `null`, "the card is not a JSON object"},
		{"a card that is not JSON", stump(), `{"name":`, "the card is not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := evaluator.Module(tc.p, []byte(tc.card))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Module = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// ExampleModule makes a trained model's module from the embedded
// evaluator: what the registry adds.
func ExampleModule() {
	p := gbdt.Params{
		Name: "example", Version: "2026-12-05.1", Features: []string{"hours_week", "skill_match"},
		Trees: []gbdt.Tree{{
			Feature: []int16{1, gbdt.Leaf, gbdt.Leaf}, // skill_match < 0.5 ?
			Value:   []float32{0.5, -1, 1},
			Left:    []uint16{1, 0, 0},
			Right:   []uint16{2, 0, 0},
		}},
	}
	wasm, err := evaluator.Module(p, []byte(`{"name":"example","metrics":{"ndcg@5":0.88}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	params, _, _ := ranker.Section(wasm, ranker.SectionParams)
	fmt.Println(len(wasm) > len(evaluator.GBDT()), bytes.Equal(params, gbdt.Encode(p)))
	// Output: true true
}
