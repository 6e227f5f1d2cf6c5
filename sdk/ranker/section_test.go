package ranker_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// header is an empty WebAssembly module.
var header = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// tinyModule is a valid module: a type section (one func type () -> ()),
// a custom section "other" with payload "xy", and a function section.
var tinyModule = concat(header,
	[]byte{0x01, 0x04, 0x01, 0x60, 0x00, 0x00},
	[]byte{0x00, 0x08, 0x05, 'o', 't', 'h', 'e', 'r', 'x', 'y'},
	[]byte{0x03, 0x02, 0x01, 0x00},
)

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestWithSectionAppendsAndReplaces(t *testing.T) {
	orig := bytes.Clone(tinyModule)
	m1, err := ranker.WithSection(tinyModule, ranker.SectionParams, []byte("params v1"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tinyModule, orig) {
		t.Fatal("WithSection modified its input")
	}
	want := concat(tinyModule, []byte{0x00, 0x19, 0x0f}, []byte("crewplan.params"), []byte("params v1"))
	if !bytes.Equal(m1, want) {
		t.Errorf("WithSection appended\n% x\nwant\n% x", m1, want)
	}
	checkSection(t, m1, ranker.SectionParams, "params v1")
	checkSection(t, m1, "other", "xy")

	// Replacing keeps the section's place and every other section.
	m2, err := ranker.WithSection(m1, ranker.SectionParams, []byte("v2"))
	if err != nil {
		t.Fatal(err)
	}
	checkSection(t, m2, ranker.SectionParams, "v2")
	checkSection(t, m2, "other", "xy")
	if want := concat(tinyModule, []byte{0x00, 0x12, 0x0f}, []byte("crewplan.params"), []byte("v2")); !bytes.Equal(m2, want) {
		t.Errorf("WithSection replaced into\n% x\nwant\n% x", m2, want)
	}
	m3, err := ranker.WithSection(m2, "other", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := concat(header, tinyModule[8:14], []byte{0x00, 0x06, 0x05, 'o', 't', 'h', 'e', 'r'}, tinyModule[24:], m2[len(tinyModule):]); !bytes.Equal(m3, want) {
		t.Errorf("WithSection replaced in place into\n% x\nwant\n% x", m3, want)
	}
	checkSection(t, m3, "other", "")
}

func TestWithSectionLarge(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789"), 20_000) // a size of 3 LEB128 bytes
	m, err := ranker.WithSection(header, ranker.SectionParams, payload)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := ranker.Section(m, ranker.SectionParams)
	if err != nil || !ok || !bytes.Equal(got, payload) {
		t.Errorf("Section = %d bytes, %v, %v; want the %d bytes written", len(got), ok, err, len(payload))
	}
}

func TestWithSectionDropsDuplicates(t *testing.T) {
	dup := concat(header, []byte{0x00, 0x03, 0x01, 'p', 'A'}, []byte{0x01, 0x01, 0x00}, []byte{0x00, 0x03, 0x01, 'p', 'B'})
	if _, _, err := ranker.Section(dup, "p"); err == nil || !strings.Contains(err.Error(), `two custom sections "p"`) {
		t.Errorf("Section of a duplicated name = %v, want an error", err)
	}
	m, err := ranker.WithSection(dup, "p", []byte("C"))
	if err != nil {
		t.Fatal(err)
	}
	if want := concat(header, []byte{0x00, 0x03, 0x01, 'p', 'C'}, []byte{0x01, 0x01, 0x00}); !bytes.Equal(m, want) {
		t.Errorf("WithSection = % x, want % x", m, want)
	}
}

func TestSectionMissing(t *testing.T) {
	for _, m := range [][]byte{header, tinyModule} {
		if got, ok, err := ranker.Section(m, ranker.SectionParams); ok || err != nil || got != nil {
			t.Errorf("Section of a module without it = %q, %v, %v", got, ok, err)
		}
	}
}

func TestSectionRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		module []byte
		want   string
	}{
		{"empty", nil, "not a WebAssembly module"},
		{"ELF", []byte("\x7fELF\x02\x01\x01\x00\x00\x00"), "not a WebAssembly module"},
		{"short header", header[:7], "not a WebAssembly module"},
		{"version 2", concat(header[:4], []byte{2, 0, 0, 0}), "not a WebAssembly module"},
		{"component", concat(header[:4], []byte{0x0d, 0, 0x01, 0}), "not a WebAssembly module"},
		{"no size", concat(header, []byte{0x01}), "section at byte 8: size: LEB128 number runs past the end"},
		{"size past end", concat(header, []byte{0x01, 0x05, 0x00}), "5 bytes, but 1 left"},
		{"size over 32 bits", concat(header, []byte{0x01, 0xff, 0xff, 0xff, 0xff, 0x1f}), "over 32 bits"},
		{"size of 6 bytes", concat(header, []byte{0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}), "over 32 bits"},
		{"name past end", concat(header, []byte{0x00, 0x02, 0x05, 'a'}), "name of 5 bytes, but 1 left"},
		{"no name", concat(header, []byte{0x00, 0x00}), "name: LEB128 number runs past the end"},
		{"name not UTF-8", concat(header, []byte{0x00, 0x02, 0x01, 0xff}), "not UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := ranker.Section(tc.module, "x"); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Section = %v, want an error containing %q", err, tc.want)
			}
			if _, err := ranker.WithSection(tc.module, "x", nil); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("WithSection = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if _, err := ranker.WithSection(header, "\xff", nil); err == nil {
		t.Error("WithSection took a name that is not UTF-8")
	}
}

func checkSection(t *testing.T, module []byte, name, want string) {
	t.Helper()
	got, ok, err := ranker.Section(module, name)
	if err != nil || !ok || string(got) != want {
		t.Errorf("Section(%q) = %q, %v, %v; want %q", name, got, ok, err, want)
	}
}

// FuzzSection checks that Section never panics, and that a module it reads
// takes WithSection: the section reads back, and the other sections stay.
func FuzzSection(f *testing.F) {
	f.Add(tinyModule, "other", []byte("p"))
	f.Add(concat(tinyModule, []byte{0x00, 0x03, 0x01, 'p', 'A'}), "p", []byte{})
	f.Add(header, ranker.SectionParams, []byte("params"))
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x00\x80"), "", []byte(nil))
	f.Fuzz(func(t *testing.T, module []byte, name string, payload []byte) {
		if _, _, err := ranker.Section(module, name); err != nil {
			_, err2 := ranker.WithSection(module, name, payload)
			if err2 == nil && !strings.Contains(err.Error(), "two custom sections") {
				t.Fatalf("Section refused the module (%v), WithSection took it", err)
			}
			return
		}
		out, err := ranker.WithSection(module, name, payload)
		if err != nil {
			return // a name that is not UTF-8
		}
		got, ok, err := ranker.Section(out, name)
		if err != nil || !ok || !bytes.Equal(got, payload) {
			t.Fatalf("Section(WithSection(m, %q, % x)) = % x, %v, %v", name, payload, got, ok, err)
		}
		other := name + "~"
		before, okB, errB := ranker.Section(module, other)
		after, okA, errA := ranker.Section(out, other)
		if (errB == nil) != (errA == nil) || okB != okA || !bytes.Equal(before, after) {
			t.Fatalf("WithSection(%q) changed section %q: % x, %v, %v → % x, %v, %v", name, other, before, okB, errB, after, okA, errA)
		}
	})
}

func TestWithoutSections(t *testing.T) {
	params := []byte{0x00, 0x03, 0x01, 'p', 'A'}
	card := []byte{0x00, 0x03, 0x01, 'c', 'B'}
	other := []byte{0x00, 0x03, 0x01, 'o', 'C'}
	typ := []byte{0x01, 0x01, 0x00}
	in := concat(header, params, typ, card, other, params)
	orig := bytes.Clone(in)
	for _, tc := range []struct {
		name  string
		names []string
		want  []byte
	}{
		{"none named", nil, in},
		{"one name, every section of it", []string{"p"}, concat(header, typ, card, other)},
		{"two names", []string{"p", "c"}, concat(header, typ, other)},
		{"a name it lacks", []string{"absent"}, in},
		{"not a custom section's name", []string{"\x01"}, in},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ranker.WithoutSections(in, tc.names...)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("WithoutSections(%q) =\n% x\nwant\n% x", tc.names, got, tc.want)
			}
			if len(got) > 0 && len(in) > 0 && &got[0] == &in[0] {
				t.Error("WithoutSections returned its input, not a copy")
			}
		})
	}
	if !bytes.Equal(in, orig) {
		t.Error("WithoutSections modified its input")
	}
	for _, m := range [][]byte{nil, []byte("\x7fELF"), concat(header, []byte{0x01, 0x05, 0x00})} {
		if _, err := ranker.WithoutSections(m, "p"); err == nil {
			t.Errorf("WithoutSections(% x) took a malformed module", m)
		}
	}
}

// TestWithoutSectionsUndoesWithSection: a trained model's code (the module
// without its params and card) is the evaluator's code.
func TestWithoutSectionsUndoesWithSection(t *testing.T) {
	code, err := ranker.WithoutSections(tinyModule, ranker.SectionParams, ranker.SectionCard)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ranker.WithSection(tinyModule, ranker.SectionParams, []byte("trained"))
	if err == nil {
		m, err = ranker.WithSection(m, ranker.SectionCard, []byte(`{"name":"x"}`))
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := ranker.WithoutSections(m, ranker.SectionParams, ranker.SectionCard)
	if err != nil || !bytes.Equal(got, code) || !bytes.Equal(code, tinyModule) {
		t.Errorf("code of the trained model = % x, %v; want the evaluator's, % x", got, err, code)
	}
}

// FuzzWithoutSections checks that WithoutSections refuses what Section
// refuses as malformed, and otherwise leaves no section of the names,
// keeps every other one, is idempotent, and undoes WithSection.
func FuzzWithoutSections(f *testing.F) {
	f.Add(tinyModule, "other", []byte("p"))
	f.Add(concat(tinyModule, []byte{0x00, 0x03, 0x01, 'p', 'A'}, []byte{0x00, 0x03, 0x01, 'p', 'B'}), "p", []byte{})
	f.Add(header, ranker.SectionParams, []byte("params"))
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x00\x80"), "", []byte(nil))
	f.Fuzz(func(t *testing.T, module []byte, name string, payload []byte) {
		out, err := ranker.WithoutSections(module, name)
		other := name + "~"
		// Two sections of one name make Section refuse, not WithoutSections.
		before, okB, errB := ranker.Section(module, other)
		dup := errB != nil && strings.Contains(errB.Error(), "two custom sections")
		if (err == nil) != (errB == nil || dup) {
			t.Fatalf("WithoutSections: %v; Section: %v; want both to refuse or take the module", err, errB)
		}
		if err != nil {
			return
		}
		if _, ok, err := ranker.Section(out, name); ok || err != nil {
			t.Fatalf("WithoutSections(%q) left the section (%v, %v)", name, ok, err)
		}
		after, okA, errA := ranker.Section(out, other)
		if (errA == nil) != (errB == nil) || okB != okA || !bytes.Equal(before, after) {
			t.Fatalf("WithoutSections(%q) changed section %q: % x, %v → % x, %v, %v", name, other, before, okB, after, okA, errA)
		}
		if again, err := ranker.WithoutSections(out, name); err != nil || !bytes.Equal(again, out) {
			t.Fatalf("WithoutSections is not idempotent: % x, %v after % x", again, err, out)
		}
		with, err := ranker.WithSection(module, name, payload)
		if err != nil {
			return // a name that is not UTF-8
		}
		if undone, err := ranker.WithoutSections(with, name); err != nil || !bytes.Equal(undone, out) {
			t.Fatalf("WithoutSections(WithSection(m, %q, p)) = % x, %v; want WithoutSections(m) = % x", name, undone, err, out)
		}
	})
}

// ExampleWithoutSections shows what the host calls a model's code: its
// module without the parameters and the card, the same for every model
// trained for one evaluator.
func ExampleWithoutSections() {
	evaluator := []byte("\x00asm\x01\x00\x00\x00") // a real evaluator has code sections
	model, _ := ranker.WithSection(evaluator, ranker.SectionParams, []byte("trained parameters"))
	code, _ := ranker.WithoutSections(model, ranker.SectionParams, ranker.SectionCard)
	fmt.Println(len(model), len(code), bytes.Equal(code, evaluator))
	// Output: 44 8 true
}
