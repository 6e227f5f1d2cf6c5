package ranker_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker"
	abi "github.com/crewplan/crewplan/sdk/ranker"
)

// TestLoadRefuses loads modules that break the ABI and wants Load to
// refuse each, naming the model and what is wrong. The go-built guests
// break it the way a real module would; the hand-made modules (see
// handModule) cover what Go cannot produce, and compile instantly.
func TestLoadRefuses(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t, ranker.Options{MaxMemoryPages: 512})
	built := func(name string) func(testing.TB) []byte {
		return func(tb testing.TB) []byte { return guest(tb, name) }
	}
	made := func(h hand, sections ...string) func(testing.TB) []byte {
		return func(tb testing.TB) []byte {
			b := h.module()
			for i := 0; i+1 < len(sections); i += 2 {
				var err error
				if b, err = abi.WithSection(b, sections[i], []byte(sections[i+1])); err != nil {
					tb.Fatal(err)
				}
			}
			return b
		}
	}
	goodMeta := "name=hand\nversion=1\nfeatures=a\n"
	tests := []struct {
		name   string
		wasm   func(testing.TB) []byte
		errHas string
	}{
		{"wrong abi version", built("misbehave-abi2"), "abi version 2, host speaks 1"},
		{"missing export", built("misbehave-noscore"), "no crewplan_ranker_score export"},
		{"named by its card", made(hand{abi: 2}, abi.SectionCard, `{"name":"gbdt","version":"3"}`),
			"model gbdt 3: abi version 2, host speaks 1"},
		{"parameters refused", made(hand{abi: 1, loadRC: 1, text: "weights: 3 for 5 features"}, abi.SectionParams, "x"),
			"parameters refused (crewplan_ranker_load returned 1): weights: 3 for 5 features"},
		{"not wasm", func(testing.TB) []byte { return []byte("MZ\x90\x00") }, "not a WebAssembly module"},
		{"wrong signature", made(hand{abi: 1, edit: func(f *handFunc) {
			if f.name == abi.ExportScore {
				f.params = []byte{i32, i32}
			}
		}}), "export crewplan_ranker_score has type (i32, i32) -> (i64), want (i32, i32, i32) -> (i64)"},
		{"command, not reactor", made(hand{abi: 1, edit: func(f *handFunc) {
			if f.name == "_initialize" {
				f.name = "_start"
			}
		}}), "no _initialize export: not a reactor"},
		{"foreign import", made(hand{abi: 1, importMod: "env", importName: "now"}),
			"imports env.now: the host provides only wasi_snapshot_preview1"},
		{"no metadata", made(hand{abi: 1}), `model metadata line 1: "" is not key=value`},
		{"failed smoke test", made(hand{abi: 1, meta: goodMeta, text: "not ready"}),
			"smoke test on 3 rows of zeros: crewplan_ranker_score failed: not ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := rt.Load(context.Background(), tt.wasm(t))
			if err == nil {
				m.Close(context.Background())
				t.Fatal("Load succeeded")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("Load: %v\nwant it to say %q", err, tt.errHas)
			}
			if !strings.HasPrefix(err.Error(), "model ") {
				t.Errorf("Load: %v\nwant it to name the model first", err)
			}
			if !errors.Is(err, ranker.ErrInvalidModel) {
				t.Errorf("Load: %v\nwant it to match ErrInvalidModel", err)
			}
		})
	}
}

// Value types of hand-made modules.
const (
	i32 = 0x7f
	i64 = 0x7e
)

// hand describes a hand-made module: the exports of ABI version 1 and one
// page of memory, each function returning zero except that abi returns
// abi, load returns loadRC, meta returns meta and error returns text (both
// stored in a data segment); score returns 0, an error. edit may change
// each function, and importMod/importName add an imported function.
type hand struct {
	abi, loadRC           int32
	meta, text            string
	edit                  func(*handFunc)
	importMod, importName string
}

// handFunc is a function of a hand-made module.
type handFunc struct {
	name            string
	params, results []byte
	body            []byte // instructions before end; nil: return zero
}

// Where the data segment of a hand-made module puts its strings.
const (
	handMetaAt = 1024
	handTextAt = 2048
)

// module assembles h.
func (h hand) module() []byte {
	packed := func(at int, s string) []byte {
		if s == "" {
			return []byte{0x42, 0x00} // i64.const 0
		}
		return sleb64([]byte{0x42}, int64(at)<<32|int64(len(s)))
	}
	funcs := []handFunc{
		{"_initialize", nil, nil, nil},
		{abi.ExportABI, nil, []byte{i32}, sleb64([]byte{0x41}, int64(h.abi))},
		{abi.ExportMeta, nil, []byte{i64}, packed(handMetaAt, h.meta)},
		{abi.ExportAlloc, []byte{i32}, []byte{i32}, []byte{0x41, 0x80, 0x20}}, // i32.const 4096
		{abi.ExportLoad, []byte{i32, i32}, []byte{i32}, sleb64([]byte{0x41}, int64(h.loadRC))},
		{abi.ExportScore, []byte{i32, i32, i32}, []byte{i64}, nil},
		{abi.ExportError, nil, []byte{i64}, packed(handTextAt, h.text)},
		{abi.ExportGC, nil, nil, nil},
	}
	if h.edit != nil {
		for i := range funcs {
			h.edit(&funcs[i])
		}
	}
	vec := func(items ...[]byte) []byte {
		b := uleb(nil, uint32(len(items)))
		for _, it := range items {
			b = append(b, it...)
		}
		return b
	}
	bytesOf := func(b []byte) []byte { return append(uleb(nil, uint32(len(b))), b...) }
	name := func(s string) []byte { return bytesOf([]byte(s)) }
	section := func(id byte, body []byte) []byte { return append([]byte{id}, bytesOf(body)...) }
	funcType := func(params, results []byte) []byte {
		return append(append([]byte{0x60}, bytesOf(params)...), bytesOf(results)...)
	}

	var types, fidx, exports, codes, imports [][]byte
	imported := 0
	if h.importMod != "" {
		types = append(types, funcType(nil, nil))
		imports = append(imports, append(append(name(h.importMod), name(h.importName)...), 0x00, 0x00))
		imported = 1
	}
	for i, f := range funcs {
		types = append(types, funcType(f.params, f.results))
		fidx = append(fidx, uleb(nil, uint32(imported+i)))
		exports = append(exports, append(name(f.name), append([]byte{0x00}, uleb(nil, uint32(imported+i))...)...))
		body := append([]byte{0x00}, f.body...) // no locals
		if f.body == nil && len(f.results) == 1 {
			body = append(body, map[byte]byte{i32: 0x41, i64: 0x42}[f.results[0]], 0x00)
		}
		codes = append(codes, bytesOf(append(body, 0x0b)))
	}
	exports = append(exports, append(name("memory"), 0x02, 0x00))
	data := func(at int, s string) []byte {
		return append(append(sleb64([]byte{0x00, 0x41}, int64(at)), 0x0b), name(s)...)
	}

	out := []byte("\x00asm\x01\x00\x00\x00")
	out = append(out, section(1, vec(types...))...)
	if imports != nil {
		out = append(out, section(2, vec(imports...))...)
	}
	out = append(out, section(3, vec(fidx...))...)
	out = append(out, section(5, vec([]byte{0x00, 0x01}))...) // one memory of at least 1 page
	out = append(out, section(7, vec(exports...))...)
	out = append(out, section(10, vec(codes...))...)
	out = append(out, section(11, vec(data(handMetaAt, h.meta), data(handTextAt, h.text)))...)
	return out
}

// uleb appends v as an unsigned LEB128 number.
func uleb(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// sleb64 appends v as a signed LEB128 number (the immediate of
// i32.const and i64.const).
func sleb64(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
