package rulescalendar_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	rulescalendar "github.com/crewplan/crewplan/plugins/rules-calendar"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		cand  rule.Candidate
		setup func(b *rule.Batch)
		want  []string // rule ids of the violations
		words []string // each violation mentions these
	}{
		{name: "inside the window", cand: cand(ana, core1, "2026-03-10", "09:45")},
		{
			name: "start day allowed", cand: cand(ana, core1, "2026-03-05", "09:45"),
			setup: func(b *rule.Batch) { b.Events[0].Start = day("2026-03-05") },
		},
		{
			name: "due day allowed", cand: cand(ana, core1, "2026-03-10", "09:45"),
			setup: func(b *rule.Batch) { b.Events[0].Due = day("2026-03-10") },
		},
		{
			name: "day after due refused", cand: cand(ana, core1, "2026-03-11", "09:45"),
			setup: func(b *rule.Batch) { b.Events[0].Due = day("2026-03-10") },
			want:  []string{"window"}, words: []string{"event 605577", "due 2026-03-10", "2026-03-11 is after"},
		},
		{
			name: "day before start refused", cand: cand(ana, core1, "2026-03-04", "09:45"),
			setup: func(b *rule.Batch) { b.Events[0].Start = day("2026-03-05") },
			want:  []string{"window"}, words: []string{"event 605577", "starts 2026-03-05", "2026-03-04 is before"},
		},
		{
			name: "event without window dates", cand: cand(ana, core1, "2026-04-10", "09:45"),
			setup: func(b *rule.Batch) { b.Events[0].Start, b.Events[0].Due = 0, 0 },
		},
		{
			name: "event not in the batch", cand: rule.Candidate{Event: 42, Employee: ana.ID, Date: day("2026-03-10")},
			want: []string{"window"}, words: []string{"event 42"},
		},
		{
			name: "core today refused in automatic mode", cand: cand(ana, core1, "2026-03-02", "09:45"),
			want: []string{"earliest_day"}, words: []string{"event 605577", "2026-03-03", "2026-03-02 is too early"},
		},
		{name: "core tomorrow allowed in automatic mode", cand: cand(ana, core1, "2026-03-03", "09:45")},
		{
			name: "core today allowed in manual mode", cand: cand(ana, core1, "2026-03-02", "09:45"),
			setup: func(b *rule.Batch) { b.Mode = rule.ModeManual },
		},
		{name: "supervisor offset 1 day", cand: cand(sam, super1, "2026-03-03", "12:00")},
		{
			name: "supervisor today refused", cand: cand(sam, super1, "2026-03-02", "12:00"),
			want: []string{"earliest_day"}, words: []string{"event 705577", "2026-03-02"},
		},
		{
			name: "freeosk within 3 days refused", cand: cand(ana, freeosk, "2026-03-04", "10:00"),
			want: []string{"earliest_day"}, words: []string{"event 900001", "2026-03-05", "2026-03-04"},
		},
		{name: "freeosk at today + 3 allowed", cand: cand(ana, freeosk, "2026-03-05", "10:00")},
		{
			name: "freeosk within 3 days allowed in manual mode", cand: cand(ana, freeosk, "2026-03-03", "10:00"),
			setup: func(b *rule.Batch) { b.Mode = rule.ModeManual },
		},
		{
			name: "offsets read from settings", cand: cand(ana, core1, "2026-03-04", "09:45"),
			setup: func(b *rule.Batch) { b.Settings.EarliestOffsetDays = map[string]int{"core": 5} },
			want:  []string{"earliest_day"}, words: []string{"2026-03-07"},
		},
		{
			name: "spec defaults without settings: other 3", cand: cand(ana, other, "2026-03-04", "11:00"),
			setup: func(b *rule.Batch) { b.Settings.EarliestOffsetDays = nil },
			want:  []string{"earliest_day"}, words: []string{"2026-03-05"},
		},
		{
			name: "spec defaults without settings: core 1", cand: cand(ana, core1, "2026-03-03", "09:45"),
			setup: func(b *rule.Batch) { b.Settings.EarliestOffsetDays = nil },
		},
		{
			name: "holiday refused", cand: cand(ana, core1, "2026-03-10", "09:45"),
			setup: func(b *rule.Batch) { b.Holidays = []civil.Date{day("2026-03-10")} },
			want:  []string{"closed_day"}, words: []string{"2026-03-10", "holiday", "event 605577"},
		},
		{
			name: "day after a holiday allowed", cand: cand(ana, core1, "2026-03-11", "09:45"),
			setup: func(b *rule.Batch) { b.Holidays = []civil.Date{day("2026-03-10")} },
		},
		{
			name: "locked day refuses a new placement", cand: cand(ana, core1, "2026-03-10", "09:45"),
			setup: func(b *rule.Batch) { b.LockedDays = []civil.Date{day("2026-03-10")} },
			want:  []string{"locked_day"}, words: []string{"2026-03-10", "locked", "event 605577"},
		},
		{
			name: "bump of an assignment on a locked day refused",
			cand: rule.Candidate{Event: core1.Ref, Employee: ana.ID, Date: day("2026-03-10"), Start: clock("09:45"), Replaces: core2.Ref},
			setup: func(b *rule.Batch) {
				b.LockedDays = []civil.Date{day("2026-03-09")}
				b.Assignments = []rule.Assignment{asg(ben, core2, "2026-03-09", "09:45")}
			},
			want: []string{"locked_day"}, words: []string{"event 605577", "event 605578", "Ben Cole", "2026-03-09", "locked"},
		},
		{
			name: "verifying a posted assignment on a locked day passes: it is frozen, not wrong",
			cand: rule.Candidate{Event: core1.Ref, Employee: ana.ID, Date: day("2026-03-10"), Start: clock("09:45"), Replaces: core1.Ref},
			setup: func(b *rule.Batch) {
				b.Mode = rule.ModeVerify
				b.LockedDays = []civil.Date{day("2026-03-10")}
				b.Assignments = []rule.Assignment{asg(ana, core1, "2026-03-10", "09:45")}
			},
		},
		{
			name: "verifying still checks the window",
			cand: rule.Candidate{Event: core1.Ref, Employee: ana.ID, Date: day("2026-04-02"), Start: clock("09:45"), Replaces: core1.Ref},
			setup: func(b *rule.Batch) {
				b.Mode = rule.ModeVerify
				b.Assignments = []rule.Assignment{asg(ana, core1, "2026-04-02", "09:45")}
			},
			want: []string{"window"}, words: []string{"after its due date"},
		},
		{
			name: "bump of an assignment on an open day allowed",
			cand: rule.Candidate{Event: core1.Ref, Employee: ana.ID, Date: day("2026-03-10"), Start: clock("09:45"), Replaces: core2.Ref},
			setup: func(b *rule.Batch) {
				b.LockedDays = []civil.Date{day("2026-03-09")}
				b.Assignments = []rule.Assignment{asg(ben, core2, "2026-03-10", "09:45")}
			},
		},
		{
			name: "move off a locked day refused",
			cand: rule.Candidate{Event: core1.Ref, Employee: ana.ID, Date: day("2026-03-10"), Start: clock("09:45"), Replaces: core1.Ref},
			setup: func(b *rule.Batch) {
				b.LockedDays = []civil.Date{day("2026-03-09")}
				b.Assignments = []rule.Assignment{asg(ana, core1, "2026-03-09", "09:45")}
			},
			want: []string{"locked_day"}, words: []string{"moving event 605577", "Ana Ruiz", "2026-03-09"},
		},
		{
			name: "bump on the same locked day reported once",
			cand: rule.Candidate{Event: core1.Ref, Employee: ana.ID, Date: day("2026-03-10"), Start: clock("09:45"), Replaces: core2.Ref},
			setup: func(b *rule.Batch) {
				b.LockedDays = []civil.Date{day("2026-03-10")}
				b.Assignments = []rule.Assignment{asg(ben, core2, "2026-03-10", "09:45")}
			},
			want: []string{"locked_day"}, words: []string{"2026-03-10"},
		},
		{
			name: "every broken rule reported", cand: cand(ana, core1, "2026-03-02", "09:45"),
			setup: func(b *rule.Batch) {
				b.Events[0].Start = day("2026-03-05")
				b.Holidays = []civil.Date{day("2026-03-02")}
				b.LockedDays = []civil.Date{day("2026-03-02")}
			},
			want: []string{"window", "earliest_day", "closed_day", "locked_day"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := batch(cand(ben, core2, "2026-03-20", "09:45"), tt.cand, cand(ben, core2, "2026-03-21", "09:45"))
			if tt.setup != nil {
				tt.setup(b)
			}
			vs := check(t, rulescalendar.New(), b)
			if diff := cmp.Diff(tt.want, ruleIDs(t, vs[1], tt.words...)); diff != "" {
				t.Errorf("violations (-want +got):\n%s\n%v", diff, vs[1].Violations)
			}
			for _, i := range []int{0, 2} {
				if !vs[i].OK() {
					t.Errorf("verdict %d: unexpected violations %v", i, vs[i].Violations)
				}
			}
		})
	}
}
