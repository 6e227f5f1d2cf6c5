package rulesworkload_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	rulesworkload "github.com/crewplan/crewplan/plugins/rules-workload"
	"github.com/crewplan/crewplan/sdk/rule"
)

const wed = "2026-03-04"

// training is a long event of no particular type: 09:00 to 11:00 when it
// starts at 09:00.
var training = rule.Event{Ref: 900010, Name: "Training", Type: rule.EventOther, DurationMin: 120}

func replacing(c rule.Candidate, ref int64) rule.Candidate {
	c.Replaces = ref
	return c
}

// dayOff is an assignment of employee on one of the refs 1 to 9 (events
// the batch does not hold) on d: a working day and nothing more.
func dayOff(emp rule.Employee, ref int64, d string) rule.Assignment {
	return rule.Assignment{Event: ref, Employee: emp.ID, Date: day(d)}
}

// week returns emp's assignments on each of days (one unknown event each,
// refs 1, 2, ...).
func week(emp rule.Employee, days ...string) []rule.Assignment {
	var out []rule.Assignment
	for i, d := range days {
		out = append(out, dayOff(emp, int64(i+1), d))
	}
	return out
}

func TestCheck(t *testing.T) {
	sunToFri := []string{"2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"}
	monToFri := sunToFri[1:]
	tests := []struct {
		name    string
		cand    rule.Candidate
		asgs    []rule.Assignment
		maxDays int
		want    []string
		words   []string
	}{
		// one_core_per_day
		{
			name: "second core the same day", cand: cand(ana, core1, wed, "11:30"),
			asgs: []rule.Assignment{asg(ana, core2, wed, "09:45")},
			want: []string{"one_core_per_day", "no_overlap"}, words: []string{"Ana Ruiz", "event 605578", "event 605577", wed},
		},
		{
			name: "second core the same day, no overlap", cand: cand(ana, core1, wed, "18:00"),
			asgs: []rule.Assignment{asg(ana, core2, wed, "09:45")},
			want: []string{"one_core_per_day"}, words: []string{"Ana Ruiz", "event 605578", "event 605577", wed},
		},
		{name: "core another day", cand: cand(ana, core1, wed, "09:45"), asgs: []rule.Assignment{asg(ana, core2, "2026-03-05", "09:45")}},
		{name: "another employee's core", cand: cand(ana, core1, wed, "09:45"), asgs: []rule.Assignment{asg(ben, core2, wed, "09:45")}},
		{
			name: "bump of the day's core", cand: replacing(cand(ana, core1, wed, "09:45"), core2.Ref),
			asgs: []rule.Assignment{asg(ana, core2, wed, "09:45")},
		},
		{
			name: "move of the core within the day", cand: replacing(cand(ana, core1, wed, "11:00"), core1.Ref),
			asgs: []rule.Assignment{asg(ana, core1, wed, "09:45")},
		},
		{
			name: "own event's assignment is left out without Replaces", cand: cand(ana, core1, wed, "11:00"),
			asgs: []rule.Assignment{asg(ana, core1, wed, "09:45")},
		},
		{name: "freeosk on a core day", cand: cand(ana, freeosk, wed, "10:00"), asgs: []rule.Assignment{asg(ana, core2, wed, "09:45")}},

		// no_overlap
		{
			name: "two long ones overlap", cand: cand(jo, core1, wed, "09:45"),
			asgs: []rule.Assignment{asg(jo, juiceProd, wed, "09:00")},
			want: []string{"no_overlap"}, words: []string{"Jo Park", "event 800001 (Juicer Production) 09:00-18:00", "event 605577", "09:45-16:15", wed},
		},
		{
			name: "long after long, touching", cand: cand(jo, training, wed, "18:00"),
			asgs: []rule.Assignment{asg(jo, juiceProd, wed, "09:00")},
		},
		{
			name: "long before long, touching", cand: cand(ana, training, wed, "07:45"),
			asgs: []rule.Assignment{asg(ana, core2, wed, "09:45")},
		},
		{
			name: "long before long, one minute over", cand: cand(ana, training, wed, "07:46"),
			asgs: []rule.Assignment{asg(ana, core2, wed, "09:45")},
			want: []string{"no_overlap"}, words: []string{"Ana Ruiz", "event 900010", "07:46-09:46", "09:45-16:15"},
		},
		{
			name: "lead's freeosk during their core", cand: cand(ana, freeosk, wed, "10:00"),
			asgs: []rule.Assignment{asg(ana, core2, wed, "09:45")},
		},
		{
			name: "core over a lead's freeosk", cand: cand(ana, core1, wed, "09:45"),
			asgs: []rule.Assignment{asg(ana, freeosk, wed, "10:00")},
		},
		{
			name: "juicer's survey at the end of production", cand: cand(jo, juiceSurv, wed, "17:00"),
			asgs: []rule.Assignment{asg(jo, juiceProd, wed, "09:00")},
		},
		{
			name: "long ones on different days", cand: cand(jo, core1, wed, "09:45"),
			asgs: []rule.Assignment{asg(jo, juiceProd, "2026-03-05", "09:00")},
		},
		{
			name: "bump of the overlapping one", cand: replacing(cand(jo, core1, wed, "09:45"), juiceProd.Ref),
			asgs: []rule.Assignment{asg(jo, juiceProd, wed, "09:00")},
		},

		// max_work_days
		{name: "at the limit", cand: cand(ana, freeosk, "2026-03-07", "10:00"), asgs: week(ana, monToFri...)},
		{
			name: "one over the limit", cand: cand(ana, freeosk, "2026-03-07", "10:00"), asgs: week(ana, sunToFri...),
			want: []string{"max_work_days"}, words: []string{"Ana Ruiz", "7 days", "2026-03-01 to 2026-03-07", "event 900001", "2026-03-07", "the most is 6"},
		},
		{name: "a day already worked", cand: cand(ana, freeosk, "2026-03-06", "10:00"), asgs: week(ana, sunToFri...)},
		{name: "next Sunday starts a new week", cand: cand(ana, freeosk, "2026-03-08", "10:00"), asgs: week(ana, sunToFri...)},
		{
			name: "previous Saturday is another week", cand: cand(ana, freeosk, "2026-03-06", "10:00"),
			asgs: week(ana, "2026-02-28", "2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"),
		},
		{
			name: "Saturday one over the limit counts the week from Sunday", cand: cand(ana, freeosk, "2026-03-07", "10:00"),
			asgs: week(ana, "2026-03-08", "2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"),
			want: []string{"max_work_days"}, words: []string{"7 days"},
		},
		{
			name: "two assignments a day count once", cand: cand(ana, freeosk, "2026-03-07", "10:00"),
			asgs: append(week(ana, monToFri...), dayOff(ana, 9, "2026-03-02")),
		},
		{
			name: "bump of the only assignment of a day", cand: replacing(cand(ana, freeosk, "2026-03-07", "10:00"), 6),
			asgs: week(ana, sunToFri...),
		},
		{
			name: "bump of another employee's assignment", cand: replacing(cand(ana, freeosk, "2026-03-07", "10:00"), 6),
			asgs: append(week(ana, sunToFri[:5]...), dayOff(ben, 6, "2026-03-06"), dayOff(ana, 7, "2026-03-06")),
			want: []string{"max_work_days"}, words: []string{"7 days"},
		},
		{
			name: "move of the event off a day", cand: replacing(cand(ana, other, "2026-03-07", "10:00"), other.Ref),
			asgs: append(week(ana, sunToFri[:5]...), asg(ana, other, "2026-03-06", "11:00")),
		},
		{name: "limit from the settings", cand: cand(ana, freeosk, wed, "10:00"), asgs: week(ana, "2026-03-01", "2026-03-02"), maxDays: 3},
		{
			name: "one over the settings' limit", cand: cand(ana, freeosk, wed, "10:00"), asgs: week(ana, "2026-03-01", "2026-03-02", "2026-03-03"), maxDays: 3,
			want: []string{"max_work_days"}, words: []string{"4 days", "the most is 3"},
		},
		{name: "no assignment that week", cand: cand(ana, freeosk, wed, "10:00"), maxDays: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := batch(cand(ben, core2, wed, "09:45"), tt.cand)
			b.Events = append(b.Events, training)
			b.Assignments = tt.asgs
			if tt.maxDays != 0 {
				b.Settings.MaxWorkDaysPerWeek = tt.maxDays
			}
			vs := check(t, rulesworkload.New(), b)
			if !vs[0].OK() {
				t.Errorf("Ben's verdict: unexpected violations %v", vs[0].Violations)
			}
			if diff := cmp.Diff(tt.want, ruleIDs(t, vs[1], tt.words...)); diff != "" {
				t.Errorf("violations (-want +got):\n%s\n%v", diff, vs[1].Violations)
			}
		})
	}
}

func TestCheckManyCandidates(t *testing.T) {
	// Candidates are alternatives: each is checked against the
	// assignments, never against the batch's other candidates.
	var cands []rule.Candidate
	for i := range 7 {
		cands = append(cands, cand(ana, core1, fmt.Sprintf("2026-03-0%d", i+1), "09:45"))
	}
	b := batch(cands...)
	b.Settings.MaxWorkDaysPerWeek = 1
	for i, v := range check(t, rulesworkload.New(), b) {
		if !v.OK() {
			t.Errorf("verdict %d: %v", i, v.Violations)
		}
	}
}
