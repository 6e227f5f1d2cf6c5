package logreg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// Magic starts every parameter blob.
const Magic = "CPLR"

// FormatVersion is the version of the parameter format this package
// reads and writes.
const FormatVersion = 1

// Params are a trained logistic regression: score = sigmoid(Weights·x + Bias).
type Params struct {
	Name     string    // the model's name: lowercase letters, digits, dashes
	Version  string    // the model's version: "2026-12-05.1"
	Features []string  // the feature names, in column order
	Weights  []float32 // one per feature
	Bias     float32
}

// Meta is what the model says about itself with p loaded.
func (p Params) Meta() ranker.Meta {
	return ranker.Meta{
		Name:     p.Name,
		Version:  p.Version,
		Features: p.Features,
		Extra:    map[string]string{"kind": "logreg"},
	}
}

// Validate reports what is wrong with p: names the host would refuse or
// misread (ranker.Meta.ValidateText), a string too long for the format, a weight count other than
// the feature count, a weight or bias that is not finite.
func (p Params) Validate() error {
	if err := p.Meta().ValidateText(); err != nil {
		return fmt.Errorf("logreg params: %w", err)
	}
	for _, s := range append([]string{p.Name, p.Version}, p.Features...) {
		if len(s) > math.MaxUint16 {
			return fmt.Errorf("logreg params: a name of %d bytes: want at most %d", len(s), math.MaxUint16)
		}
	}
	if len(p.Weights) != len(p.Features) {
		return fmt.Errorf("logreg params: %d weights for %d features", len(p.Weights), len(p.Features))
	}
	for i, w := range p.Weights {
		if !finite(w) {
			return fmt.Errorf("logreg params: weight %d (%s) is %v: want a finite number", i+1, p.Features[i], w)
		}
	}
	if !finite(p.Bias) {
		return fmt.Errorf("logreg params: bias is %v: want a finite number", p.Bias)
	}
	return nil
}

func finite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

// Encode writes p in the parameter format (see the package doc). It
// writes p as it is: call Validate first, since Decode refuses what
// Validate refuses. It panics on a string longer than 65535 bytes or a
// feature count over 65535, which no valid Params has.
func Encode(p Params) []byte {
	b := make([]byte, 0, 64+16*len(p.Features)+4*len(p.Weights))
	b = append(b, Magic...)
	b = binary.LittleEndian.AppendUint16(b, FormatVersion)
	b = appendString(b, p.Name)
	b = appendString(b, p.Version)
	b = binary.LittleEndian.AppendUint16(b, checkedUint16(len(p.Features)))
	for _, f := range p.Features {
		b = appendString(b, f)
	}
	b = ranker.AppendFloats(b, p.Weights)
	return ranker.AppendFloats(b, []float32{p.Bias})
}

func appendString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint16(b, checkedUint16(len(s)))
	return append(b, s...)
}

func checkedUint16(n int) uint16 {
	if n > math.MaxUint16 {
		panic(fmt.Sprintf("logreg.Encode: length %d does not fit the format's uint16", n))
	}
	return uint16(n)
}

// Decode reads parameters in the format of the package doc, refusing
// anything malformed or invalid (see Validate) with an error that says
// where.
func Decode(raw []byte) (Params, error) {
	var p Params
	r := reader{b: raw}
	if magic := r.bytes(len(Magic), "magic"); r.err == nil && string(magic) != Magic {
		return Params{}, fmt.Errorf("logreg params: magic %q: want %q (not logreg parameters)", magic, Magic)
	}
	if v := r.uint16("format version"); r.err == nil && v != FormatVersion {
		return Params{}, fmt.Errorf("logreg params: format version %d: this evaluator reads %d", v, FormatVersion)
	}
	p.Name = r.string("name")
	p.Version = r.string("version")
	k := int(r.uint16("feature count"))
	if r.err == nil && (k < 1 || k > ranker.MaxCols) {
		return Params{}, fmt.Errorf("logreg params: %d features: want 1 to %d", k, ranker.MaxCols)
	}
	if r.err != nil {
		return Params{}, r.err
	}
	p.Features = make([]string, k)
	for i := range p.Features {
		p.Features[i] = r.string(fmt.Sprintf("feature %d name", i+1))
	}
	if w := r.bytes(4*k, "weights"); r.err == nil {
		p.Weights = make([]float32, k)
		for i := range p.Weights {
			p.Weights[i] = math.Float32frombits(binary.LittleEndian.Uint32(w[4*i:]))
		}
	}
	if b := r.bytes(4, "bias"); r.err == nil {
		p.Bias = math.Float32frombits(binary.LittleEndian.Uint32(b))
	}
	if r.err != nil {
		return Params{}, r.err
	}
	if n := len(raw) - r.off; n != 0 {
		return Params{}, fmt.Errorf("logreg params: %d bytes after the bias at byte %d", n, r.off)
	}
	if err := p.Validate(); err != nil {
		return Params{}, err
	}
	return p, nil
}

// reader reads the format's fields, keeping the first error.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) bytes(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b)-r.off {
		r.err = fmt.Errorf("logreg params: %s at byte %d: %d bytes, but %d left", what, r.off, n, len(r.b)-r.off)
		return nil
	}
	b := r.b[r.off : r.off+n]
	r.off += n
	return b
}

func (r *reader) uint16(what string) uint16 {
	if b := r.bytes(2, what); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (r *reader) string(what string) string {
	n := r.uint16(what + " length")
	return string(r.bytes(int(n), what))
}

var errNoParams = errors.New("logreg: no parameters: write them into the module's " + ranker.SectionParams + " section (ranker.WithSection)")
