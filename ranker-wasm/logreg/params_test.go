package logreg_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/ranker-wasm/logreg"
	"github.com/crewplan/crewplan/sdk/ranker"
)

func validParams() logreg.Params {
	return logreg.Params{
		Name:     "logreg-test",
		Version:  "2026-12-05.1",
		Features: []string{"hours_week", "skill match"},
		Weights:  []float32{-0.25, 2},
		Bias:     0.5,
	}
}

func TestEncodeLayout(t *testing.T) {
	p := logreg.Params{Name: "a", Version: "1", Features: []string{"x"}, Weights: []float32{1}, Bias: -2}
	want := []byte{
		'C', 'P', 'L', 'R',
		1, 0, // format
		1, 0, 'a', // name
		1, 0, '1', // version
		1, 0, // feature count
		1, 0, 'x', // feature 1
		0x00, 0x00, 0x80, 0x3f, // weight 1
		0x00, 0x00, 0x00, 0xc0, // bias
	}
	if got := logreg.Encode(p); !bytes.Equal(got, want) {
		t.Errorf("Encode =\n% x\nwant\n% x", got, want)
	}
}

func TestParamsRoundTrip(t *testing.T) {
	p := validParams()
	got, err := logreg.Decode(logreg.Encode(p))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("Decode(Encode(p)) (-want +got):\n%s", diff)
	}
}

func TestDecodeRefusesTruncations(t *testing.T) {
	raw := logreg.Encode(validParams())
	for n := range len(raw) {
		if _, err := logreg.Decode(raw[:n]); err == nil {
			t.Errorf("Decode took the first %d of %d bytes", n, len(raw))
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	valid := logreg.Encode(validParams())
	with := func(f func(p *logreg.Params)) []byte {
		p := validParams()
		f(&p)
		return logreg.Encode(p)
	}
	patch := func(off int, b ...byte) []byte {
		raw := bytes.Clone(valid)
		copy(raw[off:], b)
		return raw
	}
	countAt := 4 + 2 + 2 + len("logreg-test") + 2 + len("2026-12-05.1")
	for _, tc := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty", nil, "magic at byte 0: 4 bytes, but 0 left"},
		{"magic", patch(0, 'C', 'P', 'L', 'X'), `magic "CPLX": want "CPLR"`},
		{"format 2", patch(4, 2, 0), "format version 2: this evaluator reads 1"},
		{"trailing byte", append(bytes.Clone(valid), 0), "1 bytes after the bias"},
		{"no features", patch(countAt, 0, 0), "0 features: want 1 to 256"},
		{"too many features", patch(countAt, 1, 1), "257 features"},
		{"name past the end", patch(6, 0xff, 0xff), "name at byte 8: 65535 bytes"},
		{"weights past the end", valid[:len(valid)-5], "weights at byte"},
		{"NaN weight", with(func(p *logreg.Params) { p.Weights[1] = float32(math.NaN()) }), "weight 2 (skill match) is NaN"},
		{"Inf bias", with(func(p *logreg.Params) { p.Bias = float32(math.Inf(-1)) }), "bias is -Inf"},
		{"upper-case name", with(func(p *logreg.Params) { p.Name = "LogReg" }), `name "LogReg"`},
		{"empty name", with(func(p *logreg.Params) { p.Name = "" }), `name ""`},
		{"empty version", with(func(p *logreg.Params) { p.Version = "" }), "no version"},
		{"version with a line break", with(func(p *logreg.Params) { p.Version = "1\nkind=x" }), "model metadata line"},
		{"version with a key", with(func(p *logreg.Params) { p.Version = "1\nfoo=bar" }), "reads back different"},
		{"version not UTF-8", with(func(p *logreg.Params) { p.Version = "1\xff" }), "not UTF-8"},
		{"repeated feature", with(func(p *logreg.Params) { p.Features[1] = "hours_week" }), `feature 2 "hours_week"`},
		{"feature with a comma", with(func(p *logreg.Params) { p.Features[0] = "a,b" }), "feature 1"},
		{"empty feature", with(func(p *logreg.Params) { p.Features[0] = "" }), "feature 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := logreg.Decode(tc.raw)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Decode = %v, want an error containing %q", err, tc.want)
			}
			if p.Name != "" || p.Features != nil {
				t.Errorf("Decode returned parameters with its error: %+v", p)
			}
		})
	}
}

func TestValidateWeightCount(t *testing.T) {
	p := validParams()
	p.Weights = p.Weights[:1]
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "1 weights for 2 features") {
		t.Errorf("Validate = %v", err)
	}
}

// FuzzDecode checks that Decode never panics and that what it accepts is
// valid and encodes back to the same bytes (the format has one encoding).
func FuzzDecode(f *testing.F) {
	f.Add(logreg.Encode(validParams()))
	f.Add(logreg.Encode(logreg.Params{Name: "a", Version: "1", Features: []string{"x"}, Weights: []float32{1}}))
	f.Add([]byte("CPLR\x01\x00"))
	f.Add([]byte("CPLR\x01\x00\x01\x00a\x01\x001\x01\x00\x01\x00x\x00\x00\x80\x3f\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := logreg.Decode(raw)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Decode accepted invalid parameters: %v", err)
		}
		if again := logreg.Encode(p); !bytes.Equal(again, raw) {
			t.Fatalf("Encode(Decode(raw)) =\n% x\nwant\n% x", again, raw)
		}
		if _, err := ranker.ParseMeta(p.Meta().Encode()); err != nil {
			t.Fatalf("the metadata of accepted parameters does not parse: %v", err)
		}
		if k := binary.LittleEndian.Uint16(raw[4+2+2+len(p.Name)+2+len(p.Version):]); int(k) != len(p.Features) {
			t.Fatalf("feature count %d, decoded %d", k, len(p.Features))
		}
	})
}
