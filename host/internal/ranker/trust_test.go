package ranker_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/host/internal/ranker/evaluator"
	abi "github.com/crewplan/crewplan/sdk/ranker"
)

// scoringHand is a hand-made module that loads: one feature, any
// parameters accepted, every row scored 0 (the zeros of its memory at
// 3072). It compiles in no time, for tests of what Load does with a
// module's sections.
func scoringHand(tb testing.TB, sections ...string) []byte {
	tb.Helper()
	h := hand{abi: 1, meta: "name=hand\nversion=1\nfeatures=a\n", edit: func(f *handFunc) {
		if f.name == abi.ExportScore {
			// i64.const 3072<<32; local.get 1 (rows); i64.extend_i32_u;
			// i64.const 4; i64.mul; i64.or: 4×rows bytes at 3072.
			f.body = append(sleb64([]byte{0x42}, 3072<<32), 0x20, 0x01, 0xad, 0x42, 0x04, 0x7e, 0x84)
		}
	}}
	b := h.module()
	for i := 0; i+1 < len(sections); i += 2 {
		var err error
		if b, err = abi.WithSection(b, sections[i], []byte(sections[i+1])); err != nil {
			tb.Fatal(err)
		}
	}
	return b
}

func codeSHA(tb testing.TB, wasm []byte) string {
	tb.Helper()
	sum, err := ranker.CodeSHA256(wasm)
	if err != nil {
		tb.Fatal(err)
	}
	return sum
}

// TestTrustByCode checks the trust rule: a module runs fast if and only if
// its code hash (the module without params and card) is trusted, whatever
// its parameters and card.
func TestTrustByCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	modA := scoringHand(t, abi.SectionParams, "a", abi.SectionCard, `{"name":"a"}`)
	modB := scoringHand(t, abi.SectionParams, "b")
	plain := scoringHand(t)
	extra := scoringHand(t, abi.SectionParams, "a", "other", "x")
	code := codeSHA(t, plain)
	if codeSHA(t, modA) != code || codeSHA(t, modB) != code {
		t.Fatal("modules that differ in params and card only have different code hashes")
	}
	if codeSHA(t, extra) == code {
		t.Fatal("a module with one more custom section has the same code hash")
	}

	tests := []struct {
		name    string
		trusted []string
		wasm    []byte
		fast    bool
	}{
		{"trusted code, params and card", []string{code}, modA, true},
		{"trusted code, other params", []string{strings.ToUpper(code)}, modB, true},
		{"trusted code, no sections", []string{evaluator.CodeSHA256(), code}, plain, true},
		{"one more custom section", []string{code}, extra, false},
		{"default: the embedded evaluator only", nil, modA, false},
		{"empty: none", []string{}, modA, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := newRuntime(t, ranker.Options{TrustedCode: tt.trusted})
			if got := rt.Trusts(codeSHA(t, tt.wasm)); got != tt.fast {
				t.Errorf("Trusts = %v, want %v", got, tt.fast)
			}
			m, err := rt.Load(ctx, tt.wasm)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close(ctx)
			// A module without params and card is its own code.
			if m.Trusted() != tt.fast || m.CodeSHA256() != codeSHA(t, tt.wasm) || (m.SHA256() == m.CodeSHA256()) != bytes.Equal(tt.wasm, plain) {
				t.Errorf("Trusted() = %v, CodeSHA256() = %s, SHA256() = %s; want trusted %v", m.Trusted(), m.CodeSHA256(), m.SHA256(), tt.fast)
			}
			if got, err := m.Score(ctx, []float32{1, 2}, 2, 1); err != nil || len(got) != 2 {
				t.Errorf("Score = %v, %v", got, err)
			}
		})
	}
}

// TestTrustedCodeDefault: the default Runtime trusts the embedded
// evaluator's code, and refuses a trusted code that is not a SHA-256.
func TestTrustedCodeDefault(t *testing.T) {
	rt := newRuntime(t, ranker.Options{})
	if !rt.Trusts(evaluator.CodeSHA256()) {
		t.Error("the default Runtime does not trust the embedded evaluator")
	}
	if rt.Trusts(codeSHA(t, scoringHand(t))) {
		t.Error("the default Runtime trusts a hand-made module")
	}
	if got, err := ranker.CodeSHA256(evaluator.GBDT()); err != nil || got != evaluator.CodeSHA256() {
		t.Errorf("CodeSHA256(evaluator.GBDT()) = %s, %v; evaluator.CodeSHA256() = %s", got, err, evaluator.CodeSHA256())
	}
	for _, bad := range []string{"", "abc", strings.Repeat("g", 64), strings.Repeat("a", 63)} {
		if rt, err := ranker.NewRuntime(context.Background(), ranker.Options{TrustedCode: []string{bad}}); err == nil {
			rt.Close(context.Background())
			t.Errorf("NewRuntime took trusted code %q", bad)
		}
	}
	if _, err := ranker.CodeSHA256([]byte("MZ")); err == nil {
		t.Error("CodeSHA256 took bytes that are not WebAssembly")
	}
}

// TestSharedCode loads two models of one code, on each runtime: the
// Runtime holds one compiled module per code and runtime, and closes it
// with the last model that uses it.
func TestSharedCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	modA := scoringHand(t, abi.SectionParams, "a")
	modB := scoringHand(t, abi.SectionParams, "b", abi.SectionCard, `{"name":"b"}`)
	rt := newRuntime(t, ranker.Options{TrustedCode: []string{codeSHA(t, modA)}})
	var models []*ranker.Model
	for _, w := range [][]byte{modA, modB} {
		m, err := rt.Load(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, m)
	}
	if n := rt.CompiledCodes(); n != 1 {
		t.Errorf("two models of one code: %d compiled modules, want 1", n)
	}
	guarded, err := rt.LoadForced(ctx, modA, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := rt.CompiledCodes(); n != 2 {
		t.Errorf("the same code guarded too: %d compiled modules, want 2", n)
	}
	if err := guarded.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := models[0].Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := models[0].Close(ctx); err != nil { // a second Close gives nothing back
		t.Fatal(err)
	}
	if n := rt.CompiledCodes(); n != 1 {
		t.Errorf("one model of the code left: %d compiled modules, want 1", n)
	}
	// The model left still scores on the shared code.
	if got, err := models[1].Score(ctx, []float32{1}, 1, 1); err != nil || len(got) != 1 {
		t.Errorf("Score on the model left = %v, %v", got, err)
	}
	if err := models[1].Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rt.CompiledCodes(); n != 0 {
		t.Errorf("no model left: %d compiled modules, want 0", n)
	}
	// Loads of one code at once compile it once.
	var wg sync.WaitGroup
	loaded := make([]*ranker.Model, 8)
	for i := range loaded {
		wg.Go(func() {
			var err error
			if loaded[i], err = rt.Load(ctx, scoringHand(t, abi.SectionParams, fmt.Sprint(i))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := rt.CompiledCodes(); n != 1 {
		t.Errorf("%d models of one code loaded at once: %d compiled modules, want 1", len(loaded), n)
	}
	for _, m := range loaded {
		if m != nil {
			m.Close(ctx)
		}
	}
	if n := rt.CompiledCodes(); n != 0 {
		t.Errorf("all closed: %d compiled modules, want 0", n)
	}

	// A failed Load gives its code back too.
	refused, err := abi.WithSection(hand{abi: 1, loadRC: 1, text: "no"}.module(), abi.SectionParams, []byte("p"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Load(ctx, refused); err == nil {
		t.Fatal("Load took parameters the module refuses")
	}
	if n := rt.CompiledCodes(); n != 0 {
		t.Errorf("after a failed Load: %d compiled modules, want 0", n)
	}
}
