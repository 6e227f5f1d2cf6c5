// Package paramfmt is the binary layout the evaluators' parameter formats
// share: all numbers little-endian, a string as a uint16 byte count and
// its bytes, and a header of magic, uint16 format version, name, version,
// uint16 feature count (1 to ranker.MaxCols) and the feature names. Each
// evaluator's package doc gives its whole format.
package paramfmt

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// Header is the start of every evaluator's parameters.
type Header struct {
	Name, Version string
	Features      []string
}

// AppendHeader appends magic, the format version and h.
func AppendHeader(b []byte, magic string, format uint16, h Header, who string) []byte {
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint16(b, format)
	b = AppendString(b, h.Name, who)
	b = AppendString(b, h.Version, who)
	b = binary.LittleEndian.AppendUint16(b, Uint16(len(h.Features), who))
	for _, f := range h.Features {
		b = AppendString(b, f, who)
	}
	return b
}

// AppendString appends s with its uint16 length.
func AppendString(b []byte, s, who string) []byte {
	b = binary.LittleEndian.AppendUint16(b, Uint16(len(s), who))
	return append(b, s...)
}

// Uint16 returns n as a uint16; it panics, naming who encodes, when n does
// not fit, which no valid parameters allow.
func Uint16(n int, who string) uint16 {
	if n < 0 || n > math.MaxUint16 {
		panic(fmt.Sprintf("%s: length %d does not fit the format's uint16", who, n))
	}
	return uint16(n)
}

// Reader reads a parameter blob front to back; the first error sticks and
// every later read returns zero values.
type Reader struct {
	b   []byte
	off int
	// Err is the first error, naming what was read and where.
	Err error
	// Prefix starts every error ("gbdt params: "); Where, when set, follows
	// it ("tree 3: ").
	Prefix, Where string
}

// NewReader reads b; its errors start with prefix.
func NewReader(b []byte, prefix string) *Reader { return &Reader{b: b, Prefix: prefix} }

// Off is how many bytes were read.
func (r *Reader) Off() int { return r.off }

// Left is how many bytes are still to read.
func (r *Reader) Left() int { return len(r.b) - r.off }

// Bytes reads n bytes (shared with the blob).
func (r *Reader) Bytes(n int, what string) []byte {
	if r.Err != nil {
		return nil
	}
	if n > len(r.b)-r.off {
		r.Err = fmt.Errorf("%s%s%s at byte %d: %d bytes, but %d left", r.Prefix, r.Where, what, r.off, n, len(r.b)-r.off)
		return nil
	}
	b := r.b[r.off : r.off+n]
	r.off += n
	return b
}

// Uint16 reads a uint16.
func (r *Reader) Uint16(what string) uint16 {
	if b := r.Bytes(2, what); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

// String reads a string and its length.
func (r *Reader) String(what string) string {
	n := r.Uint16(what + " length")
	return string(r.Bytes(int(n), what))
}

// Header reads the header of an evaluator's format: magic, format version,
// name, version, features. kind names the evaluator in errors ("gbdt").
func (r *Reader) Header(magic string, format uint16, kind string) (Header, error) {
	var h Header
	if m := r.Bytes(len(magic), "magic"); r.Err == nil && string(m) != magic {
		return Header{}, fmt.Errorf("%smagic %q: want %q (not %s parameters)", r.Prefix, m, magic, kind)
	}
	if v := r.Uint16("format version"); r.Err == nil && v != format {
		return Header{}, fmt.Errorf("%sformat version %d: this evaluator reads %d", r.Prefix, v, format)
	}
	h.Name = r.String("name")
	h.Version = r.String("version")
	k := int(r.Uint16("feature count"))
	if r.Err == nil && (k < 1 || k > ranker.MaxCols) {
		return Header{}, fmt.Errorf("%s%d features: want 1 to %d", r.Prefix, k, ranker.MaxCols)
	}
	if r.Err != nil {
		return Header{}, r.Err
	}
	h.Features = make([]string, k)
	for i := range h.Features {
		h.Features[i] = r.String(fmt.Sprintf("feature %d name", i+1))
	}
	return h, r.Err
}
