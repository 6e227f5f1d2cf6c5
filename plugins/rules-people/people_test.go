package rulespeople_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	rulespeople "github.com/crewplan/crewplan/plugins/rules-people"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// wed is a Wednesday.
const wed = "2026-03-04"

// onlyWeekdays works Monday to Friday.
var onlyWeekdays = &[7]bool{false, true, true, true, true, true, false}

func TestCanWork(t *testing.T) {
	tests := []struct {
		name  string
		ana   func(e *rule.Employee) // changes Ana Ruiz, the candidate
		cand  *rule.Candidate        // the candidate, when not Ana on core1 on wed
		want  []string
		words []string
	}{
		{name: "active and available"},
		{
			name: "inactive", ana: func(e *rule.Employee) { e.Active = false },
			want: []string{"can_work"}, words: []string{"Ana Ruiz", "inactive", "event 605577"},
		},
		{
			name: "terminated on the day", ana: func(e *rule.Employee) { e.TerminatedOn = day(wed) },
			want: []string{"can_work"}, words: []string{"Ana Ruiz", "terminated as of 2026-03-04", "event 605577"},
		},
		{
			name: "terminated before the day", ana: func(e *rule.Employee) { e.TerminatedOn = day("2026-03-01") },
			want: []string{"can_work"}, words: []string{"Ana Ruiz", "terminated as of 2026-03-01", wed},
		},
		{name: "terminated after the day", ana: func(e *rule.Employee) { e.TerminatedOn = day("2026-03-05") }},
		{
			name: "time off first day",
			ana: func(e *rule.Employee) {
				e.TimeOff = []rule.DateRange{{Start: day(wed), End: day("2026-03-06"), Reason: "vacation"}}
			},
			want: []string{"can_work"}, words: []string{"Ana Ruiz is on time off 2026-03-04 to 2026-03-06 (vacation)", "event 605577"},
		},
		{
			name: "time off last day",
			ana: func(e *rule.Employee) {
				e.TimeOff = []rule.DateRange{{Start: day("2026-03-02"), End: day(wed)}}
			},
			want: []string{"can_work"}, words: []string{"Ana Ruiz is on time off 2026-03-02 to 2026-03-04", wed},
		},
		{
			name: "time off ended the day before",
			ana: func(e *rule.Employee) {
				e.TimeOff = []rule.DateRange{{Start: day("2026-03-02"), End: day("2026-03-03")}}
			},
		},
		{
			name: "time off starts the day after",
			ana: func(e *rule.Employee) {
				e.TimeOff = []rule.DateRange{{Start: day("2026-03-05"), End: day("2026-03-09")}}
			},
		},
		{
			name: "unavailable on the day", ana: func(e *rule.Employee) { e.Unavailable = []civil.Date{day(wed)} },
			want: []string{"can_work"}, words: []string{"Ana Ruiz is unavailable on 2026-03-04", "event 605577"},
		},
		{name: "unavailable another day", ana: func(e *rule.Employee) { e.Unavailable = []civil.Date{day("2026-03-05")} }},
		{
			name: "override beats unavailability",
			ana: func(e *rule.Employee) {
				e.Unavailable = []civil.Date{day(wed)}
				e.Overrides = []civil.Date{day(wed)}
			},
		},
		{
			name: "unavailability beats weekly",
			ana: func(e *rule.Employee) {
				e.Weekly = &[7]bool{true, true, true, true, true, true, true}
				e.Unavailable = []civil.Date{day(wed)}
			},
			want: []string{"can_work"}, words: []string{"unavailable"},
		},
		{
			name: "override beats weekly",
			ana: func(e *rule.Employee) {
				e.Weekly = &[7]bool{}
				e.Overrides = []civil.Date{day(wed)}
			},
		},
		{
			name: "override does not beat time off",
			ana: func(e *rule.Employee) {
				e.TimeOff = []rule.DateRange{{Start: day(wed), End: day(wed), Reason: "sick"}}
				e.Overrides = []civil.Date{day(wed)}
			},
			want: []string{"can_work"}, words: []string{"time off"},
		},
		{name: "weekly pattern works the day", ana: func(e *rule.Employee) { e.Weekly = onlyWeekdays }},
		{
			name: "weekly pattern does not work the day", ana: func(e *rule.Employee) { e.Weekly = onlyWeekdays },
			cand: &rule.Candidate{Event: core1.Ref, Employee: ana.ID, Date: day("2026-03-07")},
			want: []string{"can_work"}, words: []string{"Ana Ruiz does not work on Saturdays", "2026-03-07", "event 605577"},
		},
		{
			name: "missing weekly pattern: available every day",
			cand: &rule.Candidate{Event: core1.Ref, Employee: ana.ID, Date: day("2026-03-07")},
		},
		{
			name: "employee not in the batch",
			cand: &rule.Candidate{Event: core1.Ref, Employee: "E99", Date: day(wed)},
			want: []string{"can_work"}, words: []string{"employee E99", "event 605577", wed},
		},
		{
			name: "inactive and on time off",
			ana: func(e *rule.Employee) {
				e.Active = false
				e.TimeOff = []rule.DateRange{{Start: day(wed), End: day(wed)}}
			},
			want: []string{"can_work", "can_work"}, words: []string{"Ana Ruiz"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cand(ana, core1, wed, "09:45")
			if tt.cand != nil {
				c = *tt.cand
			}
			b := batch(cand(ben, core2, wed, "09:45"), c)
			if tt.ana != nil {
				tt.ana(&b.Employees[0])
			}
			vs := check(t, rulespeople.New(), b)
			if !vs[0].OK() {
				t.Errorf("Ben's verdict: unexpected violations %v", vs[0].Violations)
			}
			if diff := cmp.Diff(tt.want, ruleIDs(t, vs[1], tt.words...)); diff != "" {
				t.Errorf("violations (-want +got):\n%s\n%v", diff, vs[1].Violations)
			}
		})
	}
}

func TestQualifiedRoles(t *testing.T) {
	events := []rule.Event{core1, super1, juiceProd, freeosk, digital, other}
	may := map[rule.Role][]rule.EventType{
		rule.RoleClubSupervisor: {rule.EventSupervisor, rule.EventFreeosk, rule.EventDigital, rule.EventOther},
		rule.RoleLead:           {rule.EventCore, rule.EventSupervisor, rule.EventFreeosk, rule.EventDigital, rule.EventOther},
		rule.RoleSpecialist:     {rule.EventCore},
		rule.RoleJuicer:         {rule.EventCore, rule.EventJuicer},
	}
	for _, emp := range []rule.Employee{sam, ana, ben, jo} {
		for _, ev := range events {
			ok := false
			for _, t := range may[emp.Role] {
				ok = ok || t == ev.Type
			}
			t.Run(fmt.Sprintf("%s on %s", emp.Role, ev.Type), func(t *testing.T) {
				b := batch(cand(emp, ev, wed, "10:00"))
				v := check(t, rulespeople.New(), b)[0]
				var want []string
				words := []string{emp.Name, fmt.Sprintf("event %d", ev.Ref)}
				if !ok {
					want = []string{"qualified"}
				}
				if diff := cmp.Diff(want, ruleIDs(t, v, words...)); diff != "" {
					t.Errorf("violations (-want +got):\n%s\n%v", diff, v.Violations)
				}
			})
		}
	}
}

func TestQualifiedJuicer(t *testing.T) {
	tests := []struct {
		name  string
		cand  rule.Candidate
		asgs  []rule.Assignment
		want  []string
		words []string
	}{
		{name: "juicer on core, no juicer event that day", cand: cand(jo, core1, wed, "09:45")},
		{
			name: "juicer on core with a juicer event that day", cand: cand(jo, core1, wed, "09:45"),
			asgs: []rule.Assignment{asg(jo, juiceProd, wed, "09:00")},
			want: []string{"qualified"}, words: []string{"Jo Park", "event 800001", "event 605577", wed},
		},
		{
			name: "juicer on core with a juicer event another day", cand: cand(jo, core1, wed, "09:45"),
			asgs: []rule.Assignment{asg(jo, juiceProd, "2026-03-05", "09:00")},
		},
		{
			name: "juicer on core replacing their juicer event that day",
			cand: rule.Candidate{Event: core1.Ref, Employee: jo.ID, Date: day(wed), Start: clock("09:45"), Replaces: juiceProd.Ref},
			asgs: []rule.Assignment{asg(jo, juiceProd, wed, "09:00")},
		},
		{
			name: "another juicer's juicer event does not count", cand: cand(jo, core1, wed, "09:45"),
			asgs: []rule.Assignment{{Event: juiceProd.Ref, Employee: "E9", Date: day(wed)}},
		},
		{
			name: "juicer event for a juicer with a core that day", cand: cand(jo, juiceSurv, wed, "17:00"),
			asgs: []rule.Assignment{asg(jo, core1, wed, "09:45")},
			want: []string{"qualified"}, words: []string{"Jo Park", "event 605577", "event 800002", wed},
		},
		{
			name: "juicer event for a juicer moving their own core", cand: rule.Candidate{Event: juiceSurv.Ref, Employee: jo.ID, Date: day(wed), Replaces: core1.Ref},
			asgs: []rule.Assignment{asg(jo, core1, wed, "09:45")},
		},
		{
			name: "juicer event for a juicer with another juicer event", cand: cand(jo, juiceSurv, wed, "17:00"),
			asgs: []rule.Assignment{asg(jo, juiceProd, wed, "09:00")},
		},
		{
			name: "moving a juicer's core within the day", cand: rule.Candidate{Event: core1.Ref, Employee: jo.ID, Date: day(wed), Start: clock("11:00"), Replaces: core1.Ref},
			asgs: []rule.Assignment{asg(jo, core1, wed, "09:45")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := batch(tt.cand)
			b.Assignments = tt.asgs
			v := check(t, rulespeople.New(), b)[0]
			if diff := cmp.Diff(tt.want, ruleIDs(t, v, tt.words...)); diff != "" {
				t.Errorf("violations (-want +got):\n%s\n%v", diff, v.Violations)
			}
		})
	}
}

func TestQualifiedUnknown(t *testing.T) {
	b := batch(rule.Candidate{Event: 42, Employee: ana.ID, Date: day(wed)}, cand(ana, core1, wed, "09:45"))
	b.Events[0].Type = "mystery"
	vs := check(t, rulespeople.New(), b)
	if diff := cmp.Diff([]string{"qualified"}, ruleIDs(t, vs[0], "event 42", "Ana Ruiz")); diff != "" {
		t.Errorf("event not in batch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"qualified"}, ruleIDs(t, vs[1], "event 605577", "mystery")); diff != "" {
		t.Errorf("unknown type (-want +got):\n%s", diff)
	}
}
