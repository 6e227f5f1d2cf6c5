package rulespairing_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	rulespairing "github.com/crewplan/crewplan/plugins/rules-pairing"
	"github.com/crewplan/crewplan/sdk/rule"
)

const wed = "2026-03-04"

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		cand   rule.Candidate
		parent int64  // super1's ParentRef
		rename string // super1's name, when not ""
		asgs   []rule.Assignment
		want   []string
		words  []string
	}{
		{
			name: "by six-digit number, core posted that day", cand: cand(sam, super1, wed, "12:00"),
			asgs: []rule.Assignment{asg(ana, core1, wed, "09:45")},
		},
		{
			name: "core proposed that day", cand: cand(sam, super1, wed, "12:00"),
			asgs: []rule.Assignment{{Event: core1.Ref, Employee: ben.ID, Date: day(wed), Start: clock("10:30"), Proposed: true}},
		},
		{
			name: "by parent ref", cand: cand(sam, super1, wed, "12:00"), parent: core2.Ref,
			asgs: []rule.Assignment{asg(ana, core2, wed, "09:45")},
		},
		{
			name: "parent ref wins over the number", cand: cand(sam, super1, wed, "12:00"), parent: core2.Ref,
			asgs: []rule.Assignment{asg(ana, core1, wed, "09:45"), asg(ben, core2, "2026-03-05", "09:45")},
			want: []string{"supervisor_pairing"}, words: []string{"event 705577", "event 605578", "2026-03-05", wed},
		},
		{
			name: "core on another day", cand: cand(sam, super1, wed, "12:00"),
			asgs: []rule.Assignment{asg(ana, core1, "2026-03-05", "09:45")},
			want: []string{"supervisor_pairing"}, words: []string{"supervisor event 705577", "must be on its core's day 2026-03-05, not 2026-03-04", "core event 605577"},
		},
		{
			name: "orphan: core neither posted nor placed", cand: cand(sam, super1, wed, "12:00"),
			asgs: []rule.Assignment{asg(ana, core2, wed, "09:45")},
			want: []string{"supervisor_pairing"}, words: []string{"event 705577", "waits: its core event 605577", "neither posted nor placed"},
		},
		{
			name: "parent ref not in the batch", cand: cand(sam, super1, wed, "12:00"), parent: 42,
			asgs: []rule.Assignment{asg(ana, core1, wed, "09:45")},
			want: []string{"supervisor_pairing"}, words: []string{"event 705577", "event 42 as its core"},
		},
		{
			name: "no core with the number in the batch", cand: cand(sam, super1, wed, "12:00"), rename: "612103-CF-Cheese - V2-SUPER",
			want: []string{"supervisor_pairing"}, words: []string{"event 705577", "612103"},
		},
		{
			name: "no parent ref and no number", cand: cand(sam, super1, wed, "12:00"), rename: "Cheese (300410117846) - V2-SUPER",
			want: []string{"supervisor_pairing"}, words: []string{"event 705577", "no parent ref", "six-digit"},
		},
		{
			name: "a twelve-digit number is not the event number", cand: cand(sam, super1, wed, "12:00"), rename: "Cheese (605577117846) - V2-SUPER",
			asgs: []rule.Assignment{asg(ana, core1, wed, "09:45")},
			want: []string{"supervisor_pairing"}, words: []string{"six-digit"},
		},
		{name: "core candidates pass", cand: cand(ana, core1, wed, "09:45")},
		{name: "freeosk candidates pass", cand: cand(ana, freeosk, wed, "10:00")},
		{name: "unknown events pass", cand: rule.Candidate{Event: 42, Employee: ana.ID, Date: day(wed)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := batch(cand(ben, core2, wed, "09:45"), tt.cand)
			b.Events[2].ParentRef = tt.parent
			if tt.rename != "" {
				b.Events[2].Name = tt.rename
			}
			b.Assignments = tt.asgs
			vs := check(t, rulespairing.New(), b)
			if !vs[0].OK() {
				t.Errorf("Ben's verdict: unexpected violations %v", vs[0].Violations)
			}
			if diff := cmp.Diff(tt.want, ruleIDs(t, vs[1], tt.words...)); diff != "" {
				t.Errorf("violations (-want +got):\n%s\n%v", diff, vs[1].Violations)
			}
		})
	}
}

func TestCheckSeveralCoresWithTheNumber(t *testing.T) {
	b := batch(cand(sam, super1, wed, "12:00"), cand(sam, super1, "2026-03-06", "12:00"), cand(sam, super1, "2026-03-07", "12:00"))
	again := core2
	again.Ref, again.Name, again.Start, again.Due = 605599, "605577-CF-Protein Bars - V3-CORE", day("2026-03-01"), day("2026-03-31")
	b.Events = append(b.Events, again)
	b.Assignments = []rule.Assignment{asg(ana, core1, wed, "09:45"), asg(ben, again, "2026-03-06", "09:45")}
	vs := check(t, rulespairing.New(), b)
	if !vs[0].OK() || !vs[1].OK() {
		t.Errorf("supervisor on either core's day: %v, %v", vs[0].Violations, vs[1].Violations)
	}
	if diff := cmp.Diff([]string{"supervisor_pairing"}, ruleIDs(t, vs[2], "event 605577", "event 605599", "2026-03-04", "2026-03-06")); diff != "" {
		t.Errorf("supervisor on neither core's day (-want +got):\n%s", diff)
	}
}
