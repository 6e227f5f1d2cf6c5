package ranker

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// ABIVersion is the version of the ABI this package speaks.
const ABIVersion = 1

// The names of the exports of ABI version 1 (see the package doc).
const (
	ExportABI   = "crewplan_ranker_abi"
	ExportMeta  = "crewplan_ranker_meta"
	ExportAlloc = "crewplan_ranker_alloc"
	ExportLoad  = "crewplan_ranker_load"
	ExportScore = "crewplan_ranker_score"
	ExportError = "crewplan_ranker_error"
	ExportGC    = "crewplan_ranker_gc"
)

// The custom sections a model file may carry.
const (
	SectionParams = "crewplan.params"
	SectionCard   = "crewplan.card"
)

// The most rows (candidates) and columns (features) one score call takes.
const (
	MaxRows = 4096
	MaxCols = 256
)

// MaxAlloc is the largest buffer crewplan_ranker_alloc hands out (64 MiB):
// a larger request gets 0. A score call of MaxRows×MaxCols takes 4 MiB.
const MaxAlloc = 64 << 20

// Pack packs a guest pointer and length into the i64 the ABI returns.
func Pack(ptr, length uint32) uint64 { return uint64(ptr)<<32 | uint64(length) }

// Unpack splits a packed i64 into its pointer and length.
func Unpack(v uint64) (ptr, length uint32) { return uint32(v >> 32), uint32(v) }

// Model is what a model author writes; Register makes it the module's.
type Model interface {
	// Load takes the model's parameters (the "crewplan.params" section;
	// nil when the file has none) and refuses bad ones with an error
	// saying what is wrong. It is called before Meta and Score, and again
	// whenever the host hands new parameters.
	Load(params []byte) error
	// Meta describes the model as loaded.
	Meta() Meta
	// Score writes one score per row of x (rows×cols, row-major, one
	// column per feature of Meta().Features) into out (len rows), higher
	// is better. It must not keep x or out, and should not allocate.
	Score(x []float32, rows, cols int, out []float32) error
}

// Meta is what a model says about itself.
type Meta struct {
	Name     string   // lowercase letters, digits, dashes: "gbdt"
	Version  string   // the model's version: "2026-12-05.1"
	Features []string // the feature names it expects, in column order
	// Extra holds further keys ("kind", "trained", ...), for the record.
	Extra map[string]string
}

// Encode writes m in the ABI's text form: "key=value" lines, name,
// version and features first, then Extra by key.
func (m Meta) Encode() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "name=%s\nversion=%s\nfeatures=%s\n", m.Name, m.Version, strings.Join(m.Features, ","))
	keys := make([]string, 0, len(m.Extra))
	for k := range m.Extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, m.Extra[k])
	}
	return []byte(b.String())
}

// ParseMeta reads the text form of a model's metadata, refusing anything
// malformed with an error naming the line.
func ParseMeta(raw []byte) (Meta, error) {
	var m Meta
	if !utf8.Valid(raw) {
		return m, errors.New("model metadata: not UTF-8")
	}
	seen := map[string]bool{}
	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" {
			return m, fmt.Errorf("model metadata line %d: %q is not key=value", i+1, line)
		}
		if seen[k] {
			return m, fmt.Errorf("model metadata line %d: %q given twice", i+1, k)
		}
		seen[k] = true
		switch k {
		case "name":
			m.Name = v
		case "version":
			m.Version = v
		case "features":
			if v != "" {
				m.Features = strings.Split(v, ",")
			}
		default:
			if m.Extra == nil {
				m.Extra = map[string]string{}
			}
			m.Extra[k] = v
		}
	}
	return m, m.Validate()
}

// Validate reports what is wrong with m: a missing or malformed name, a
// missing version, no features, too many, an empty or repeated name.
func (m Meta) Validate() error {
	if m.Name == "" || strings.Trim(m.Name, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return fmt.Errorf("model metadata: name %q: want lowercase letters, digits and dashes", m.Name)
	}
	if m.Version == "" {
		return errors.New("model metadata: no version")
	}
	if len(m.Features) == 0 || len(m.Features) > MaxCols {
		return fmt.Errorf("model metadata: %d features: want 1 to %d", len(m.Features), MaxCols)
	}
	seen := map[string]bool{}
	for i, f := range m.Features {
		if f == "" || seen[f] || strings.ContainsAny(f, ",\n=") {
			return fmt.Errorf("model metadata: feature %d %q: empty, repeated or with , = or a line break", i+1, f)
		}
		seen[f] = true
	}
	return nil
}

// ValidateText reports what Validate reports and, beyond it, anything in
// m that would not come back unchanged from ParseMeta(m.Encode()): a line
// break in the version or an Extra value, an Extra key that is empty,
// holds "=" or a line break, or repeats name, version or features, text
// that is not UTF-8. The guest refuses a model whose Meta fails it, since
// the host would read something else.
func (m Meta) ValidateText() error {
	if err := m.Validate(); err != nil {
		return err
	}
	got, err := ParseMeta(m.Encode())
	if err != nil {
		return err
	}
	if got.Name != m.Name || got.Version != m.Version || !slices.Equal(got.Features, m.Features) || !maps.Equal(got.Extra, m.Extra) {
		return errors.New("model metadata: its text form reads back different: a line break in the version or in an Extra value?")
	}
	return nil
}
