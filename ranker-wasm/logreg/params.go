package logreg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/crewplan/crewplan/ranker-wasm/internal/paramfmt"
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
	b = paramfmt.AppendHeader(b, Magic, FormatVersion, paramfmt.Header{Name: p.Name, Version: p.Version, Features: p.Features}, "logreg.Encode")
	b = ranker.AppendFloats(b, p.Weights)
	return ranker.AppendFloats(b, []float32{p.Bias})
}

// Decode reads parameters in the format of the package doc, refusing
// anything malformed or invalid (see Validate) with an error that says
// where.
func Decode(raw []byte) (Params, error) {
	r := paramfmt.NewReader(raw, "logreg params: ")
	h, err := r.Header(Magic, FormatVersion, "logreg")
	if err != nil {
		return Params{}, err
	}
	p := Params{Name: h.Name, Version: h.Version, Features: h.Features}
	k := len(h.Features)
	if w := r.Bytes(4*k, "weights"); r.Err == nil {
		p.Weights = make([]float32, k)
		for i := range p.Weights {
			p.Weights[i] = math.Float32frombits(binary.LittleEndian.Uint32(w[4*i:]))
		}
	}
	if b := r.Bytes(4, "bias"); r.Err == nil {
		p.Bias = math.Float32frombits(binary.LittleEndian.Uint32(b))
	}
	if r.Err != nil {
		return Params{}, r.Err
	}
	if n := r.Left(); n != 0 {
		return Params{}, fmt.Errorf("logreg params: %d bytes after the bias at byte %d", n, r.Off())
	}
	if err := p.Validate(); err != nil {
		return Params{}, err
	}
	return p, nil
}

var errNoParams = errors.New("logreg: no parameters: write them into the module's " + ranker.SectionParams + " section (ranker.WithSection)")
