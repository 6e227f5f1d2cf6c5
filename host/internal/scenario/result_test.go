package scenario_test

import (
	"bytes"
	"cmp"
	"errors"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/sdk/civil"
)

// specResult is the example result of scenario-format.md.
const specResult = `{
  "version": 1,
  "run": {"id": 1, "status": "completed", "considered": 120, "placed": 117,
          "failed": 3, "bumps": 2, "ranker": "wasm:gbdt@2026-03-01", "fallbacks": 0,
          "elapsed_ms": 41},
  "proposals": [
    {"event": 612103, "employee": "E01", "at": "2026-03-04T09:45",
     "bumps": {"event": 611990, "employee": "E03", "at": "2026-03-04T09:45"}}
  ],
  "failures": [{"event": 612200, "reason": "no qualified employee free before due date"}]
}`

func at(s string) civil.DateTime {
	dt, err := civil.ParseDateTime(s)
	if err != nil {
		panic(err)
	}
	return dt
}

func TestParseResultSpecExample(t *testing.T) {
	got, err := scenario.ParseResult([]byte(specResult))
	if err != nil {
		t.Fatal(err)
	}
	want := &scenario.Result{
		Version: 1,
		Run: scenario.RunRecord{
			ID: 1, Status: "completed", Considered: 120, Placed: 117, Failed: 3, Bumps: 2,
			Ranker: "wasm:gbdt@2026-03-01", ElapsedMS: 41,
		},
		Proposals: []scenario.Proposal{{
			Event: 612103, Employee: "E01", At: at("2026-03-04T09:45"),
			Bumps: &scenario.Assignment{Event: 611990, Employee: "E03", At: at("2026-03-04T09:45")},
		}},
		Failures: []scenario.Failure{{Event: 612200, Reason: "no qualified employee free before due date"}},
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Fatalf("ParseResult (-want +got):\n%s", diff)
	}
	resultRoundTrip(t, got)
}

// TestWriteResultCanonical pins the canonical form: one-space indent, the
// format's field order, proposals by at then event, failures by event,
// "bound" and "bumps" only when set, empty lists written as [].
func TestWriteResultCanonical(t *testing.T) {
	bound := 0
	r := &scenario.Result{
		Version: 1,
		Run:     scenario.RunRecord{ID: 7, Status: "completed", Considered: 4, Placed: 3, Failed: 1, Bumps: 1, Bound: &bound, Ranker: "rules", ElapsedMS: 3},
		Proposals: []scenario.Proposal{
			{Event: 30, Employee: "E2", At: at("2026-03-05T09:45")},
			{Event: 20, Employee: "E1", At: at("2026-03-04T12:00")},
			{Event: 10, Employee: "E1", At: at("2026-03-05T09:45"),
				Bumps: &scenario.Assignment{Event: 40, Employee: "E1", At: at("2026-03-05T09:45")}},
		},
		Failures: []scenario.Failure{{Event: 50, Reason: "b <&>"}, {Event: 5, Reason: "a"}},
	}
	want := `{
 "version": 1,
 "run": {
  "id": 7,
  "status": "completed",
  "considered": 4,
  "placed": 3,
  "failed": 1,
  "bumps": 1,
  "bound": 0,
  "ranker": "rules",
  "fallbacks": 0,
  "elapsed_ms": 3
 },
 "proposals": [
  {
   "event": 20,
   "employee": "E1",
   "at": "2026-03-04T12:00"
  },
  {
   "event": 10,
   "employee": "E1",
   "at": "2026-03-05T09:45",
   "bumps": {
    "event": 40,
    "employee": "E1",
    "at": "2026-03-05T09:45"
   }
  },
  {
   "event": 30,
   "employee": "E2",
   "at": "2026-03-05T09:45"
  }
 ],
 "failures": [
  {
   "event": 5,
   "reason": "a"
  },
  {
   "event": 50,
   "reason": "b <&>"
  }
 ]
}
`
	before := *r
	before.Proposals = slices.Clone(r.Proposals)
	var buf bytes.Buffer
	if err := scenario.WriteResult(&buf, r); err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("WriteResult (-want +got):\n%s", diff)
	}
	if diff := gocmp.Diff(&before, r); diff != "" {
		t.Errorf("WriteResult changed its input (-before +after):\n%s", diff)
	}

	empty := &scenario.Result{Version: 1, Run: scenario.RunRecord{ID: 1, Status: "completed", Ranker: "rules"}}
	buf.Reset()
	if err := scenario.WriteResult(&buf, empty); err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); !strings.Contains(s, `"proposals": [],`) || !strings.Contains(s, `"failures": []`) || strings.Contains(s, "bound") {
		t.Errorf("empty result:\n%s", s)
	}
	resultRoundTrip(t, empty)
}

func TestParseResultAccepts(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		want func(r *scenario.Result) bool
	}{
		{"bound null is absent", `{"version": 1, "run": {"id": 1, "status": "completed", "considered": 0, "placed": 0, "failed": 0, "bumps": 0, "bound": null, "ranker": "rules", "fallbacks": 0, "elapsed_ms": 0}}`,
			func(r *scenario.Result) bool { return r.Run.Bound == nil && r.Proposals == nil && r.Failures == nil }},
		{"bound given", `{"version": 1, "run": {"id": 1, "status": "completed", "considered": 0, "placed": 0, "failed": 0, "bumps": 0, "bound": 12, "ranker": "rules", "fallbacks": 0, "elapsed_ms": 0}, "proposals": null, "failures": []}`,
			func(r *scenario.Result) bool { return r.Run.Bound != nil && *r.Run.Bound == 12 }},
		{"bumps null is absent", "\ufeff" + `{"version": 1, "run": {"id": 1, "status": "completed", "considered": 1, "placed": 1, "failed": 0, "bumps": 0, "ranker": "rules", "fallbacks": 0, "elapsed_ms": 0},
			"proposals": [{"event": 1, "employee": "E1", "at": "2026-03-04T09:45", "bumps": null}]}`,
			func(r *scenario.Result) bool { return len(r.Proposals) == 1 && r.Proposals[0].Bumps == nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := scenario.ParseResult([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(r) {
				t.Errorf("unexpected result %+v", r)
			}
			resultRoundTrip(t, r)
		})
	}
}

func TestParseResultRejects(t *testing.T) {
	const run = `"run": {"id": 1, "status": "completed", "considered": 1, "placed": 1, "failed": 0, "bumps": 0, "ranker": "rules", "fallbacks": 0, "elapsed_ms": 5}`
	doc := func(rest string) string { return `{"version": 1, ` + run + rest + `}` }
	for _, tc := range []struct {
		name string
		doc  string
		want []string // each a line of the error
	}{
		{"empty", ``, []string{"empty document"}},
		{"syntax", "{\n \"version\": 1,\n}", []string{"line 3, column 1: invalid character '}' looking for the beginning of an object key"}},
		{"not an object", `[]`, []string{"the document must be an object, not an array"}},
		{"missing everything", `{}`, []string{"version: required field is missing", "run: required field is missing"}},
		{"bad version", `{"version": 2, ` + run + `}`, []string{"version: version 2 is not supported (want 1)"}},
		{"unknown top field", doc(`, "proposal": []`), []string{`: unknown field "proposal"`}},
		{"repeated field", `{"version": 1, "version": 1, ` + run + `}`, []string{`: field "version" appears twice`}},
		{"run missing fields", `{"version": 1, "run": {"id": 1, "status": "completed"}}`, []string{
			"run.considered: required field is missing", "run.placed: required field is missing",
			"run.failed: required field is missing", "run.bumps: required field is missing",
			"run.ranker: required field is missing", "run.fallbacks: required field is missing",
			"run.elapsed_ms: required field is missing",
		}},
		{"run wrong types", `{"version": 1, "run": {"id": "1", "status": "done", "considered": -1, "placed": 1.5, "failed": 0, "bumps": 0, "bound": -2, "ranker": "", "fallbacks": true, "elapsed_ms": 0, "host": "x"}}`, []string{
			`run: unknown field "host"`,
			"run.id: must be a whole number, not a string",
			`run.status: "done" is not a run status (running, completed, failed, superseded, approved, rejected)`,
			"run.considered: -1 is out of range (0 to 2147483647)",
			"run.placed: 1.5 is not a whole number",
			"run.bound: -2 is out of range (0 to 2147483647)",
			"run.ranker: must not be empty",
			"run.fallbacks: must be a whole number, not a boolean",
		}},
		{"proposals not an array", doc(`, "proposals": {}`), []string{"proposals: must be an array, not an object"}},
		{"bad proposal", doc(`, "proposals": [
			{"event": 1, "employee": "E1", "at": "2026-03-04T09:45"},
			{"event": 0, "employee": "", "at": "2026-03-04 09:45", "extra": 1},
			{"event": 2, "employee": "E1", "at": "2026-02-30T09:45"},
			{"event": 3, "employee": "E1", "at": "2026-03-04T24:00"},
			{"employee": "E1"},
			{"event": 4, "employee": "E1", "at": "2026-03-04T09:45", "bumps": {"event": 5, "at": 7}},
			{"event": 6, "employee": "E1", "at": "2026-03-04T09:45", "at": "2026-03-05T09:45"},
			"x"]`), []string{
			`proposals[1]: unknown field "extra"`,
			"proposals[1].event: 0 is out of range (1 to 9007199254740991)",
			"proposals[1].employee: must not be empty",
			`proposals[1].at: "2026-03-04 09:45" is not a date-time (want YYYY-MM-DDTHH:MM)`,
			`proposals[2].at: "2026-02-30T09:45" is not a date: there is no such day`,
			`proposals[3].at: "2026-03-04T24:00" is not a date-time: "24:00" is not a time of day (want HH:MM)`,
			"proposals[4].event: required field is missing",
			"proposals[4].at: required field is missing",
			"proposals[5].bumps.at: must be a string, not a number",
			"proposals[5].bumps.employee: required field is missing",
			`proposals[6]: field "at" appears twice`,
			"proposals[7]: must be an object, not a string",
		}},
		{"bad failure", doc(`, "failures": [{"event": 1}, {"event": 2, "reason": " "}, {"event": 3, "reason": "x", "why": "y"}, null]`), []string{
			"failures[0].reason: required field is missing",
			"failures[1].reason: must not be empty",
			`failures[2]: unknown field "why"`,
			"failures[3]: must be an object, not null",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := scenario.ParseResult([]byte(tc.doc))
			if err == nil {
				t.Fatalf("ParseResult accepted it: %+v", r)
			}
			var verr *scenario.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
			}
			var got []string
			for _, p := range verr.Problems {
				got = append(got, p.String())
			}
			// A problem at the document root has no path; write it as
			// ": message" in the table so the two kinds read apart.
			for i, w := range tc.want {
				tc.want[i] = strings.TrimPrefix(w, ": ")
			}
			if diff := gocmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// resultRoundTrip checks that WriteResult and ParseResult give back r in
// canonical order, and that writing that again gives the same bytes.
func resultRoundTrip(t testing.TB, r *scenario.Result) {
	t.Helper()
	var buf bytes.Buffer
	if err := scenario.WriteResult(&buf, r); err != nil {
		t.Fatalf("WriteResult: %v", err)
	}
	back, err := scenario.ParseResult(buf.Bytes())
	if err != nil {
		t.Fatalf("ParseResult(WriteResult(r)): %v\n%s", err, buf.Bytes())
	}
	if diff := gocmp.Diff(canonical(r), back); diff != "" {
		t.Fatalf("ParseResult(WriteResult(r)) differs from r in canonical order (-r +back):\n%s", diff)
	}
	var again bytes.Buffer
	if err := scenario.WriteResult(&again, back); err != nil {
		t.Fatalf("WriteResult: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatalf("WriteResult is not stable:\n%s\n----\n%s", buf.Bytes(), again.Bytes())
	}
}

// canonical returns a copy of r with its lists in the order WriteResult
// writes them: proposals by at then event, failures by event, ties in r's
// order.
func canonical(r *scenario.Result) *scenario.Result {
	c := *r
	c.Proposals = slices.Clone(r.Proposals)
	slices.SortStableFunc(c.Proposals, func(a, b scenario.Proposal) int {
		return cmp.Or(cmp.Compare(a.At.Date, b.At.Date), cmp.Compare(a.At.Clock, b.At.Clock), cmp.Compare(a.Event, b.Event))
	})
	c.Failures = slices.Clone(r.Failures)
	slices.SortStableFunc(c.Failures, func(a, b scenario.Failure) int { return cmp.Compare(a.Event, b.Event) })
	return &c
}

// FuzzParseResult checks that ParseResult never panics, that its errors are
// *ValidationErrors with problems, and that whatever it accepts survives
// WriteResult and ParseResult unchanged (in canonical order).
func FuzzParseResult(f *testing.F) {
	for _, s := range []string{
		specResult,
		``,
		`{}`,
		`null`,
		`{"version": 1, "run": {"id": 1, "status": "completed", "considered": 0, "placed": 0, "failed": 0, "bumps": 0, "bound": 3, "ranker": "rules", "fallbacks": 0, "elapsed_ms": 0}}`,
		`{"version": 1, "run": {"id": 1, "status": "failed", "considered": 2, "placed": 2, "failed": 0, "bumps": 0, "ranker": "r\u00e9", "fallbacks": 1, "elapsed_ms": 9},
		  "proposals": [{"event": 9, "employee": "E\ud83d\ude00", "at": "2026-03-05T09:45"}, {"event": 2, "employee": "E1", "at": "2026-03-05T09:45", "bumps": null},
		                {"event": 2, "employee": "E2", "at": "2026-03-05T09:45"}],
		  "failures": [{"event": 3, "reason": "b"}, {"event": 3, "reason": "a"}, {"event": 1, "reason": "\ud800"}]}`,
		`{"version": 1, "version": 2, "run": null, "proposals": [{"at": "2026-02-30T09:45"}]}`,
		`{"version": 1e0, "run": {"id": 9007199254740992}}`,
		`{"version": 1, "run": {}} trailing`,
		"{\"a\": \"\xff\"}",
		`[[[[[[[[[[]]]]]]]]]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := scenario.ParseResult(data)
		if err != nil {
			var verr *scenario.ValidationError
			if !errors.As(err, &verr) || len(verr.Problems) == 0 {
				t.Fatalf("ParseResult error %v (%T) is not a *ValidationError with problems", err, err)
			}
			return
		}
		resultRoundTrip(t, r)
	})
}
