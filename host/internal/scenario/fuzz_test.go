package scenario_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/host/internal/scenario"
)

// FuzzParse checks that Parse never panics, that every error it gives for a
// document is a *ValidationError, and that whatever it accepts survives
// Write and Parse unchanged.
func FuzzParse(f *testing.F) {
	// The shared cases seed the corpus; the big club-week and region-month
	// files are left to the round-trip tests: the fuzzer spends its time
	// minimizing every new input derived from a big seed (60 s each by
	// default) and hardly gets to fuzz.
	if _, err := os.Stat(sharedDir); err == nil {
		cases, _ := filepath.Glob(filepath.Join(sharedDir, "cases", "*.json"))
		for _, file := range cases {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for _, s := range []string{
		valid,
		``,
		`{}`,
		`null`,
		`{"version": 1, "now": "2026-03-02T08:00"}`,
		`{"version": 1, "now": "2026-03-02T08:00", "settings": {"core_slots": ["23:59"], "earliest_offset_days": {"default": 0}}}`,
		`{"version": 1, "now": "2026-03-02T08:00", "employees": [{"id": "E1", "name": "\u00e9\ud83d\ude00", "role": "lead", "weekly": {"mon": null}}]}`,
		`{"version": 1, "now": "2026-03-02T08:00", "events": [{"ref": 1, "name": "x", "start": "2026-03-03", "due": "2026-03-01"}]}`,
		`{"version": 1, "version": 1}`,
		`{"version": 1e0, "now": "2026-02-30T08:00"}`,
		`{"employees": [{"id": 1}], "posted": [{"event": -1}]}`,
		`{"rotations": {"juicer": {"mon": "E1"}}}`,
		`{"version": 1, "now": "2026-03-02T08:00"} trailing`,
		`{"a": "\ud800"}`,
		"{\"a\": \"\xff\"}",
		`[[[[[[[[[[]]]]]]]]]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenario.Parse(bytes.NewReader(data))
		if err != nil {
			var verr *scenario.ValidationError
			if !errors.As(err, &verr) || len(verr.Problems) == 0 {
				t.Fatalf("Parse error %v (%T) is not a *ValidationError with problems", err, err)
			}
			return
		}
		var out bytes.Buffer
		if err := scenario.Write(&out, s); err != nil {
			t.Fatalf("Write of a parsed scenario: %v", err)
		}
		back, err := scenario.Parse(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("Parse(Write(s)): %v\n%s", err, out.Bytes())
		}
		if diff := cmp.Diff(s, back); diff != "" {
			t.Fatalf("Parse(Write(s)) differs from s (-s +back):\n%s", diff)
		}
	})
}
