package rule_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/proto"

	"github.com/crewplan/crewplan/sdk/civil"
	rulev1 "github.com/crewplan/crewplan/sdk/proto/crewplan/rule/v1"
	"github.com/crewplan/crewplan/sdk/rule"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

var batchOpts = cmp.Options{cmpopts.IgnoreUnexported(rule.Batch{}), cmpopts.EquateEmpty()}

func fullBatch() *rule.Batch {
	d := civil.MustParseDate
	w := [7]bool{false, true, true, true, true, true, false}
	return &rule.Batch{
		Now:  civil.DateTime{Date: d("2026-03-02"), Clock: civil.NewClock(23, 59)},
		Mode: rule.ModeManual,
		Settings: rule.Settings{
			EarliestOffsetDays: map[string]int{"default": 3, "core": -1},
			MaxWorkDaysPerWeek: 6,
		},
		Candidates: []rule.Candidate{
			{Event: 7, Employee: "E1", Date: d("2026-03-05"), Start: civil.NewClock(9, 45)},
			{Event: 8, Employee: "ghost", Date: d("2026-03-06"), Start: 0, Replaces: 7},
			{}, // all zero, even the employee id
		},
		Events: []rule.Event{
			{Ref: 7, Name: "Core 7", Type: rule.EventCore, Start: d("2026-03-01"), Due: d("2026-03-07"), DurationMin: 390},
			{Ref: 8, Name: "Sup 8", Type: rule.EventSupervisor, Kind: "", Start: d("2026-03-01"), Due: d("2026-03-07"), DurationMin: 5, ParentRef: 7},
			{Ref: 9, Name: "Digital", Type: rule.EventDigital, Kind: "setup"},
		},
		Employees: []rule.Employee{
			{
				ID: "E1", Name: "Ana Ruiz", Role: rule.RoleLead, Active: true,
				TerminatedOn: d("2026-12-31"), Weekly: &w,
				Unavailable: []civil.Date{d("2026-03-10")}, Overrides: []civil.Date{d("2026-03-08")},
				TimeOff:    []rule.DateRange{{Start: d("2026-03-05"), End: d("2026-03-06"), Reason: "vacation"}},
				Attributes: map[string]string{"adult_beverage_trained": "true"},
			},
			{ID: "E2", Name: "Bo", Role: rule.RoleJuicer, Weekly: &[7]bool{}},
		},
		Assignments: []rule.Assignment{
			{Event: 9, Employee: "E2", Date: d("2026-03-04"), Start: civil.NewClock(6, 0), Proposed: true},
			{Event: 7, Employee: "E1", Date: d("2026-03-03"), Start: civil.NewClock(10, 0)},
		},
		Holidays:   []civil.Date{d("2026-12-25")},
		LockedDays: []civil.Date{d("2026-03-02"), d("2026-03-03")},
		ContextKey: 42,
	}
}

// roundTrip encodes b, marshals and unmarshals the wire form, and decodes it.
func roundTrip(t *testing.T, b *rule.Batch) *rule.Batch {
	t.Helper()
	raw, err := proto.Marshal(rule.EncodeBatch(b))
	if err != nil {
		t.Fatal(err)
	}
	var pb rulev1.Batch
	if err := proto.Unmarshal(raw, &pb); err != nil {
		t.Fatal(err)
	}
	got, err := rule.DecodeBatch(&pb)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestBatchRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		b    *rule.Batch
	}{
		{"empty", &rule.Batch{}},
		{"full", fullBatch()},
		{"large", sdktest.SyntheticBatch(20000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := roundTrip(t, tt.b)
			if diff := cmp.Diff(tt.b, got, batchOpts); diff != "" {
				t.Errorf("round trip (-sent +received):\n%s", diff)
			}
			// The decoded batch's lookups work.
			for _, c := range got.Candidates {
				if want := tt.b.Employee(c.Employee); (want == nil) != (got.Employee(c.Employee) == nil) {
					t.Fatalf("Employee(%q) differs after the round trip", c.Employee)
				}
			}
		})
	}
}

func TestBatchWireSize(t *testing.T) {
	b := sdktest.SyntheticBatch(10000)
	pb := rule.EncodeBatch(b)
	total := proto.Size(pb)
	cands := proto.Size(pb.GetCandidates())
	t.Logf("10,000 candidates: batch %d bytes, candidates %d bytes (%.1f per candidate)", total, cands, float64(cands)/10000)
	if per := float64(cands) / 10000; per > 16 {
		t.Errorf("candidates take %.1f bytes each on the wire, want at most 16", per)
	}
}

func TestDecodeBatchRejects(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(*rulev1.Batch)
		want   string
	}{
		{"nil", nil, "no batch"},
		{"mode", func(pb *rulev1.Batch) { pb.Mode = 9 }, "unknown mode 9"},
		{"now clock", func(pb *rulev1.Batch) { pb.NowClock = 1440 }, "now: time of day 1440"},
		{"column length", func(pb *rulev1.Batch) { pb.Candidates.Date = pb.Candidates.Date[:1] }, "candidates: 1 dates for 3 rows"},
		{"other column length", func(pb *rulev1.Batch) { pb.Candidates.Event = pb.Candidates.Event[:2] }, "candidates: a column has 2 values for 3 rows"},
		{"negative count", func(pb *rulev1.Batch) { pb.Candidates = &rulev1.Candidates{Count: -1} }, "negative count"},
		{"employee index", func(pb *rulev1.Batch) { pb.Assignments.Employee[0] = 99 }, "assignment 0: employee index 99 out of range"},
		{"empty string table", func(pb *rulev1.Batch) { pb.Strings = nil }, "employee index"},
		{"candidate start", func(pb *rulev1.Batch) { pb.Candidates.Start[0] = -5 }, "candidate 0: time of day -5"},
		{"context without key", func(pb *rulev1.Batch) { pb.ContextOmitted, pb.ContextKey = true, 0 }, "context left out without a key"},
		{"context left out and sent", func(pb *rulev1.Batch) { pb.ContextOmitted = true }, "context both left out and sent"},
		{"unknown context", func(pb *rulev1.Batch) {
			pb.ContextOmitted, pb.Events, pb.Employees, pb.Holidays, pb.LockedDays = true, nil, nil, nil, nil
		}, "unknown batch context 42"},
		{"weekly", func(pb *rulev1.Batch) { m := uint32(0x80); pb.Employees[0].Weekly = &m }, "employee 0: weekly pattern 0x80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pb *rulev1.Batch
			if tt.tamper != nil {
				pb = rule.EncodeBatch(fullBatch())
				tt.tamper(pb)
			}
			_, err := rule.DecodeBatch(pb)
			if !errors.Is(err, rule.ErrBadBatch) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DecodeBatch = %v, want ErrBadBatch containing %q", err, tt.want)
			}
		})
	}
}

func TestVerdictsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		vs   []rule.Verdict
	}{
		{"none", nil},
		{"all pass", make([]rule.Verdict, 5)},
		{"mixed", []rule.Verdict{
			{},
			{Violations: []rule.Violation{
				{Rule: "window", Severity: rule.Hard, Message: "2026-03-09 is after the due date"},
				{Rule: "weekday", Severity: rule.Soft, Message: "Ana Ruiz does not work on Mondays"},
			}},
			{},
			{Violations: []rule.Violation{{Rule: "locked_day", Severity: rule.Hard, Message: "2026-03-02 is locked"}}},
		}},
		{"every reach", []rule.Verdict{
			{Violations: []rule.Violation{
				rule.Hardf("window", "2026-03-09 is after the due date"),
				rule.Hardf("one_core_per_day", "Ana Ruiz already has core event 612103 on 2026-03-05").Reaching(rule.ReachEventType),
			}},
			{},
			{Violations: []rule.Violation{rule.Hardf("locked_day", "2026-03-02 is locked").Reaching(rule.ReachDay)}},
			{Violations: []rule.Violation{{Rule: "weekday", Severity: rule.Soft, Message: "Ana Ruiz does not work on Mondays", Reach: rule.ReachDay}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := rule.ValidateVerdicts(tt.vs, len(tt.vs)); err != nil {
				t.Fatal(err)
			}
			raw, err := proto.Marshal(rule.EncodeVerdicts(tt.vs))
			if err != nil {
				t.Fatal(err)
			}
			var resp rulev1.CheckResponse
			if err := proto.Unmarshal(raw, &resp); err != nil {
				t.Fatal(err)
			}
			got, err := rule.DecodeVerdicts(&resp, len(tt.vs))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.vs, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("round trip (-sent +received):\n%s", diff)
			}
		})
	}
}

// The reach column travels only when a violation reaches beyond its
// candidate; then it has one entry per violation.
func TestEncodeVerdictsReachColumn(t *testing.T) {
	candidateOnly := []rule.Verdict{{Violations: []rule.Violation{rule.Hardf("window", "too late"), rule.Hardf("weekday", "not on Mondays")}}, {}}
	if resp := rule.EncodeVerdicts(candidateOnly); len(resp.GetReach()) != 0 {
		t.Errorf("reach column %v for violations that reach their candidate only, want none", resp.GetReach())
	}
	reaching := []rule.Verdict{{}, {Violations: []rule.Violation{rule.Hardf("window", "too late"), rule.Hardf("closed_day", "closed").Reaching(rule.ReachDay)}}}
	want := []rulev1.Reach{rulev1.Reach_REACH_UNSPECIFIED, rulev1.Reach_REACH_DAY}
	if got := rule.EncodeVerdicts(reaching).GetReach(); !slices.Equal(got, want) {
		t.Errorf("reach column %v, want %v", got, want)
	}
}

// A reply without a reach column, as from a plugin built before reaches,
// gives every violation ReachCandidate.
func TestDecodeVerdictsWithoutReach(t *testing.T) {
	resp := reply(2, wireViolation{0, "window", rulev1.Severity_SEVERITY_HARD, "too late"}, wireViolation{1, "weekday", rulev1.Severity_SEVERITY_SOFT, "not on Mondays"})
	if len(resp.GetReach()) != 0 {
		t.Fatal("test reply has a reach column")
	}
	vs, err := rule.DecodeVerdicts(resp, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		for _, x := range v.Violations {
			if x.Reach != rule.ReachCandidate {
				t.Errorf("candidate %d: violation %q has reach %v, want candidate", i, x.Rule, x.Reach)
			}
		}
	}
}

// wireViolation is one violation of a reply, before it is split into the
// reply's columns.
type wireViolation struct {
	candidate int32
	rule      string
	severity  rulev1.Severity
	message   string
}

// withReach returns resp with the reach column rs.
func withReach(resp *rulev1.CheckResponse, rs ...rulev1.Reach) *rulev1.CheckResponse {
	resp.Reach = rs
	return resp
}

// reply builds a plugin's reply to count candidates, its violations in
// columns as the protocol wants them.
func reply(count int32, vs ...wireViolation) *rulev1.CheckResponse {
	resp := &rulev1.CheckResponse{Count: count}
	for _, v := range vs {
		r := int32(slices.Index(resp.Rules, v.rule))
		if r < 0 {
			resp.Rules = append(resp.Rules, v.rule)
			r = int32(len(resp.Rules) - 1)
		}
		resp.Candidate = append(resp.Candidate, v.candidate)
		resp.Rule = append(resp.Rule, r)
		resp.Severity = append(resp.Severity, v.severity)
		resp.Messages = append(resp.Messages, v.message...)
		resp.MessageLength = append(resp.MessageLength, int32(len(v.message)))
	}
	return resp
}

// A reply may list violations in any order of candidates: each candidate
// gets its own in the order they came, and appending to one candidate's
// violations leaves the next candidate's alone.
func TestDecodeVerdictsOrder(t *testing.T) {
	hard, soft := rulev1.Severity_SEVERITY_HARD, rulev1.Severity_SEVERITY_SOFT
	vs, err := rule.DecodeVerdicts(reply(4,
		wireViolation{2, "b", soft, "second first"},
		wireViolation{0, "a", hard, "zero"},
		wireViolation{2, "a", hard, "second second"},
	), 4)
	if err != nil {
		t.Fatal(err)
	}
	want := []rule.Verdict{
		{Violations: []rule.Violation{{Rule: "a", Severity: rule.Hard, Message: "zero"}}},
		{},
		{Violations: []rule.Violation{{Rule: "b", Severity: rule.Soft, Message: "second first"}, {Rule: "a", Severity: rule.Hard, Message: "second second"}}},
		{},
	}
	if diff := cmp.Diff(want, vs, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("decoded (-want +got):\n%s", diff)
	}
	vs[0].Violations = append(vs[0].Violations, rule.Violation{Rule: "x", Severity: rule.Hard, Message: "added"})
	if vs[2].Violations[0].Message != "second first" {
		t.Fatalf("appending to candidate 0 overwrote candidate 2: %+v", vs[2].Violations)
	}
}

func TestDecodeVerdictsRejects(t *testing.T) {
	hard, soft := rulev1.Severity_SEVERITY_HARD, rulev1.Severity_SEVERITY_SOFT
	ok := func(c int32) wireViolation { return wireViolation{c, "window", hard, "too late"} }
	short := reply(3, ok(0), ok(1))
	short.MessageLength = short.MessageLength[:1]
	long := reply(3, ok(0), ok(1))
	long.MessageLength[1] = 100
	extra := reply(3, ok(0))
	extra.Messages = append(extra.Messages, "!"...)
	notUTF8 := reply(3, ok(0))
	notUTF8.Messages[0] = 0xff
	badIndex := reply(3, ok(0))
	badIndex.Rule[0] = 1
	tests := []struct {
		name string
		resp *rulev1.CheckResponse
		want string
	}{
		{"nil", nil, "no response"},
		{"too few", &rulev1.CheckResponse{Count: 2}, "2 verdicts for 3 candidates"},
		{"too many", &rulev1.CheckResponse{Count: 4}, "4 verdicts for 3 candidates"},
		{"candidate out of range", reply(3, ok(0), ok(3)), "violation 1: candidate 3 out of range 0 to 2"},
		{"negative candidate", reply(3, ok(-1)), "candidate -1 out of range"},
		{"unspecified severity", reply(3, wireViolation{1, "window", 0, "x"}), `(candidate 1, rule "window"): unknown severity 0`},
		{"unknown severity", reply(3, wireViolation{1, "window", 42, "x"}), "unknown severity 42"},
		{"empty rule", reply(3, wireViolation{2, "", soft, "x"}), "rule table entry 0: empty rule id"},
		{"empty message", reply(3, wireViolation{2, "window", soft, ""}), `violation 0 (candidate 2): empty message`},
		{"columns of different lengths", short, "violation columns of different lengths: 2 candidates, 2 rules, 2 severities, 1 message lengths"},
		{"message past the end", long, "violation 1 (candidate 1): message lengths run past the 16 bytes of messages"},
		{"bytes left over", extra, "message lengths add up to 8 bytes, messages have 9"},
		{"not UTF-8", notUTF8, "messages are not valid UTF-8"},
		{"rule not in table", badIndex, "violation 0 (candidate 0): rule 1 not in the reply's table of 1"},
		{"reach column too short", withReach(reply(3, ok(0), ok(1)), rulev1.Reach_REACH_DAY), "1 reaches for 2 violations"},
		{"reach column too long", withReach(reply(3, ok(0)), rulev1.Reach_REACH_DAY, rulev1.Reach_REACH_DAY), "2 reaches for 1 violations"},
		{"reach without violations", withReach(reply(3), rulev1.Reach_REACH_DAY), "1 reaches for 0 violations"},
		{"unknown reach", withReach(reply(3, ok(0), ok(2)), rulev1.Reach_REACH_DAY, 3), `violation 1 (candidate 2, rule "window"): unknown reach 3`},
		{"negative reach", withReach(reply(3, ok(1)), -1), `violation 0 (candidate 1, rule "window"): unknown reach -1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := rule.DecodeVerdicts(tt.resp, 3)
			if !errors.Is(err, rule.ErrBadReply) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DecodeVerdicts = %v, %v; want ErrBadReply containing %q", vs, err, tt.want)
			}
		})
	}
}

func TestValidateVerdicts(t *testing.T) {
	tests := []struct {
		name string
		vs   []rule.Verdict
		n    int
		want string
	}{
		{"count", make([]rule.Verdict, 2), 3, "2 verdicts for 3 candidates"},
		{"severity", []rule.Verdict{{Violations: []rule.Violation{{Rule: "x", Severity: 7, Message: "m"}}}}, 1, "candidate 0 violation 0: rule \"x\": unknown severity 7"},
		{"rule", []rule.Verdict{{}, {Violations: []rule.Violation{{Message: "m"}}}}, 2, "candidate 1 violation 0: empty rule id"},
		{"reach", []rule.Verdict{{}, {Violations: []rule.Violation{rule.Hardf("x", "m").Reaching(3)}}}, 2, "candidate 1 violation 0: rule \"x\": unknown reach 3"},
		{"negative reach", []rule.Verdict{{Violations: []rule.Violation{rule.Hardf("x", "m").Reaching(-1)}}}, 1, "unknown reach -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rule.ValidateVerdicts(tt.vs, tt.n)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ValidateVerdicts = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// FuzzDecodeVerdicts feeds arbitrary plugin replies to the decoder: it
// never panics, and what it accepts is valid.
func FuzzDecodeVerdicts(f *testing.F) {
	seed := func(resp *rulev1.CheckResponse, n int) {
		raw, err := proto.Marshal(resp)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, n)
	}
	seed(&rulev1.CheckResponse{}, 0)
	seed(&rulev1.CheckResponse{Count: 3}, 3)
	seed(rule.EncodeVerdicts([]rule.Verdict{{}, {Violations: []rule.Violation{{Rule: "r", Severity: rule.Soft, Message: "m"}}}}), 2)
	seed(reply(2, wireViolation{5, "r", 3, ""}), 2)
	seed(reply(4, wireViolation{3, "r", rulev1.Severity_SEVERITY_HARD, "m"}, wireViolation{0, "s", rulev1.Severity_SEVERITY_SOFT, "n"}, wireViolation{3, "s", rulev1.Severity_SEVERITY_SOFT, "o"}), 4)
	seed(rule.EncodeVerdicts([]rule.Verdict{
		{Violations: []rule.Violation{rule.Hardf("r", "m").Reaching(rule.ReachDay), rule.Hardf("s", "n")}},
		{Violations: []rule.Violation{rule.Hardf("s", "o").Reaching(rule.ReachEventType)}},
	}), 2)
	seed(withReach(reply(2, wireViolation{1, "r", rulev1.Severity_SEVERITY_HARD, "m"}), 7), 2)
	seed(withReach(reply(2, wireViolation{1, "r", rulev1.Severity_SEVERITY_HARD, "m"}), rulev1.Reach_REACH_DAY, rulev1.Reach_REACH_EVENT_TYPE), 2)
	f.Add([]byte{0xff, 0x01}, 1)

	f.Fuzz(func(t *testing.T, raw []byte, n int) {
		if n < 0 || n > 1<<16 {
			return
		}
		var resp rulev1.CheckResponse
		if err := proto.Unmarshal(raw, &resp); err != nil {
			return
		}
		vs, err := rule.DecodeVerdicts(&resp, n)
		if err != nil {
			if !errors.Is(err, rule.ErrBadReply) {
				t.Fatalf("error %v does not wrap ErrBadReply", err)
			}
			return
		}
		if err := rule.ValidateVerdicts(vs, n); err != nil {
			t.Fatalf("accepted an invalid reply: %v", err)
		}
	})
}

// FuzzDecodeBatch feeds arbitrary batches to the plugin side's decoder: it
// never panics, and what it accepts encodes back to the same batch.
func FuzzDecodeBatch(f *testing.F) {
	for _, b := range []*rule.Batch{{}, fullBatch(), sdktest.SyntheticBatch(3)} {
		raw, err := proto.Marshal(rule.EncodeBatch(b))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var pb rulev1.Batch
		if err := proto.Unmarshal(raw, &pb); err != nil {
			return
		}
		b, err := rule.DecodeBatch(&pb)
		if err != nil {
			if !errors.Is(err, rule.ErrBadBatch) {
				t.Fatalf("error %v does not wrap ErrBadBatch", err)
			}
			return
		}
		again, err := rule.DecodeBatch(rule.EncodeBatch(b))
		if err != nil {
			t.Fatalf("re-decode an accepted batch: %v", err)
		}
		if diff := cmp.Diff(b, again, batchOpts); diff != "" {
			t.Fatalf("accepted batch changes on a second trip:\n%s", diff)
		}
	})
}

func TestDecodeBatchBoundsCount(t *testing.T) {
	// A few bytes must not make the plugin allocate two billion candidates.
	pb := &rulev1.Batch{Mode: rulev1.Mode_MODE_AUTOMATIC, Strings: []string{"E1"}, Candidates: &rulev1.Candidates{Count: 1 << 30}}
	if _, err := rule.DecodeBatch(pb); !errors.Is(err, rule.ErrBadBatch) {
		t.Fatalf("DecodeBatch = %v, want ErrBadBatch", err)
	}
}
