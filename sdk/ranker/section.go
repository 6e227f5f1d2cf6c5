package ranker

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"
)

// A WebAssembly binary is the header (magic "\0asm", version 1 as u32
// little-endian) followed by sections: an id byte, the content's size as
// an unsigned LEB128 u32, the content. A custom section has id 0 and
// starts its content with its name (LEB128 length, UTF-8 bytes); the rest
// is its payload. WithSection, WithoutSections and Section read no further
// than that, so a trained model can be written as evaluator bytes plus a
// "crewplan.params" section by any program, without a Go toolchain.

var wasmHeader = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// customSection is where one section sits in a module and, for a custom
// section, its name and payload.
type customSection struct {
	start, end int  // the whole section, id byte to end of content
	custom     bool // id 0
	name       string
	payload    []byte
}

// Section returns the payload of module's custom section called name, and
// whether module has one. The payload aliases module. It refuses a module
// that is not a WebAssembly binary, a malformed section, and two custom
// sections of that name.
func Section(module []byte, name string) (payload []byte, ok bool, err error) {
	secs, err := sections(module)
	if err != nil {
		return nil, false, err
	}
	for _, s := range secs {
		if !s.custom || s.name != name {
			continue
		}
		if ok {
			return nil, false, fmt.Errorf("wasm module: two custom sections %q", name)
		}
		payload, ok = s.payload, true
	}
	return payload, ok, nil
}

// WithSection returns a copy of module with its custom section called
// name holding payload: the section replaces the first of that name (and
// any further one is dropped) or, when there is none, is appended at the
// end. module is not modified. It refuses a module that is not a
// WebAssembly binary, a malformed section, a name that is not UTF-8, and
// a section over 4 GiB.
func WithSection(module []byte, name string, payload []byte) ([]byte, error) {
	if !utf8.ValidString(name) {
		return nil, fmt.Errorf("wasm custom section name %q: not UTF-8", name)
	}
	secs, err := sections(module)
	if err != nil {
		return nil, err
	}
	if n := uint64(len(name)) + uint64(len(payload)); n > math.MaxUint32-5 {
		return nil, fmt.Errorf("wasm custom section %q: %d bytes: want under 4 GiB", name, n)
	}
	nameLen := appendULEB(nil, uint32(len(name)))
	size := uint64(len(nameLen)) + uint64(len(name)) + uint64(len(payload))
	sec := make([]byte, 0, 1+5+size)
	sec = append(sec, 0)
	sec = appendULEB(sec, uint32(size))
	sec = append(append(append(sec, nameLen...), name...), payload...)

	out := make([]byte, 0, len(module)+len(sec))
	out = append(out, module[:len(wasmHeader)]...)
	written := false
	for _, s := range secs {
		if s.custom && s.name == name {
			if !written {
				out, written = append(out, sec...), true
			}
			continue
		}
		out = append(out, module[s.start:s.end]...)
	}
	if !written {
		out = append(out, sec...)
	}
	return out, nil
}

// WithoutSections returns a copy of module without its custom sections
// called any of names (every one of each name), the other sections kept
// as they are, in their order. module is not modified. It refuses a
// module that is not a WebAssembly binary and a malformed section.
//
// The host calls the rest of a model's module its code: a trained model
// without its "crewplan.params" and "crewplan.card" sections is the
// evaluator it was made from, byte for byte, so
//
//	WithoutSections(WithSection(evaluator, SectionParams, p), SectionParams, SectionCard)
//
// equals WithoutSections(evaluator, SectionParams, SectionCard) for any p.
func WithoutSections(module []byte, names ...string) ([]byte, error) {
	secs, err := sections(module)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(module))
	out = append(out, module[:len(wasmHeader)]...)
	for _, s := range secs {
		if s.custom && slices.Contains(names, s.name) {
			continue
		}
		out = append(out, module[s.start:s.end]...)
	}
	return out, nil
}

// sections splits module into its sections, checking the header and that
// every section, and every custom section's name, lies inside the module.
func sections(module []byte) ([]customSection, error) {
	if !bytes.HasPrefix(module, wasmHeader) {
		return nil, errors.New("not a WebAssembly module: want the header \\0asm, version 1")
	}
	var secs []customSection
	for off := len(wasmHeader); off < len(module); {
		s := customSection{start: off, custom: module[off] == 0}
		size, n, err := readULEB(module[off+1:])
		if err != nil {
			return nil, fmt.Errorf("wasm module: section at byte %d: size: %w", s.start, err)
		}
		off += 1 + n
		if uint64(size) > uint64(len(module)-off) {
			return nil, fmt.Errorf("wasm module: section at byte %d: %d bytes, but %d left", s.start, size, len(module)-off)
		}
		content := module[off : off+int(size)]
		off += int(size)
		s.end = off
		if s.custom {
			nameLen, n, err := readULEB(content)
			if err != nil {
				return nil, fmt.Errorf("wasm module: custom section at byte %d: name: %w", s.start, err)
			}
			if uint64(nameLen) > uint64(len(content)-n) {
				return nil, fmt.Errorf("wasm module: custom section at byte %d: name of %d bytes, but %d left", s.start, nameLen, len(content)-n)
			}
			name := content[n : n+int(nameLen)]
			if !utf8.Valid(name) {
				return nil, fmt.Errorf("wasm module: custom section at byte %d: name %q: not UTF-8", s.start, name)
			}
			s.name, s.payload = string(name), content[n+int(nameLen):]
		}
		secs = append(secs, s)
	}
	return secs, nil
}

// readULEB reads an unsigned LEB128 u32 as WebAssembly encodes it (at
// most 5 bytes, no bits beyond the 32nd) and returns it with the number
// of bytes it took.
func readULEB(b []byte) (uint32, int, error) {
	var v uint32
	for i := range 5 {
		if i >= len(b) {
			return 0, 0, errors.New("LEB128 number runs past the end")
		}
		c := b[i]
		if i == 4 && c > 0x0f {
			return 0, 0, errors.New("LEB128 number over 32 bits")
		}
		v |= uint32(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v, i + 1, nil
		}
	}
	panic("unreachable: the fifth byte either ends the number or is refused")
}

// appendULEB appends v as an unsigned LEB128 number.
func appendULEB(dst []byte, v uint32) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}
