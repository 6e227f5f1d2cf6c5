package ruletest

import (
	"strings"
	"testing"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// The fixture of the rules' table tests: Sunday 2026-03-01 starts the
// week; Today is Monday 2026-03-02.

// Day parses a YYYY-MM-DD date of a test.
func Day(s string) civil.Date { return civil.MustParseDate(s) }

// Clock parses an HH:MM time of a test.
func Clock(s string) civil.Clock {
	c, err := civil.ParseClock(s)
	if err != nil {
		panic(err)
	}
	return c
}

// The fixture's employees.
var (
	Ana   = rule.Employee{ID: "E1", Name: "Ana Ruiz", Role: rule.RoleLead, Active: true}
	Ben   = rule.Employee{ID: "E2", Name: "Ben Cole", Role: rule.RoleSpecialist, Active: true}
	Jo    = rule.Employee{ID: "E3", Name: "Jo Park", Role: rule.RoleJuicer, Active: true}
	Sam   = rule.Employee{ID: "E4", Name: "Sam Ortiz", Role: rule.RoleClubSupervisor, Active: true}
	Today = civil.DateTime{Date: civil.MustParseDate("2026-03-02"), Clock: civil.NewClock(8, 0)}
)

// The fixture's events, each in the window 2026-03-01 to 2026-03-31 unless
// a test says otherwise.
var (
	Core1     = rule.Event{Ref: 605577, Name: "605577-CF-Protein Bars (300410117846) - V2-CORE", Type: rule.EventCore, DurationMin: 390}
	Core2     = rule.Event{Ref: 605578, Name: "605578-CF-Trail Mix - V2-CORE", Type: rule.EventCore, DurationMin: 390}
	Super1    = rule.Event{Ref: 705577, Name: "605577-CF-Protein Bars (300410117846) - V2-SUPER", Type: rule.EventSupervisor, DurationMin: 5}
	JuiceProd = rule.Event{Ref: 800001, Name: "Juicer Production", Type: rule.EventJuicer, Kind: "production", DurationMin: 540}
	JuiceSurv = rule.Event{Ref: 800002, Name: "Juicer Survey", Type: rule.EventJuicer, Kind: "survey", DurationMin: 15}
	Freeosk   = rule.Event{Ref: 900001, Name: "Freeosk Refill", Type: rule.EventFreeosk, DurationMin: 15}
	Digital   = rule.Event{Ref: 900002, Name: "Digital Setup", Type: rule.EventDigital, Kind: "setup", DurationMin: 15}
	Other     = rule.Event{Ref: 900003, Name: "Store Walk", Type: rule.EventOther, DurationMin: 15}
)

// Batch returns a fresh automatic-mode Batch holding the fixture's
// employees and events (windows 2026-03-01 to 2026-03-31) and the given
// candidates; a test adds the rest.
func Batch(cands ...rule.Candidate) *rule.Batch {
	evs := []rule.Event{Core1, Core2, Super1, JuiceProd, JuiceSurv, Freeosk, Digital, Other}
	for i := range evs {
		evs[i].Start, evs[i].Due = Day("2026-03-01"), Day("2026-03-31")
	}
	return &rule.Batch{
		Now:  Today,
		Mode: rule.ModeAutomatic,
		Settings: rule.Settings{
			EarliestOffsetDays: map[string]int{"core": 1, "supervisor": 1, "default": 3},
			MaxWorkDaysPerWeek: 6,
		},
		Candidates: cands,
		Events:     evs,
		Employees:  []rule.Employee{Ana, Ben, Jo, Sam},
	}
}

// Cand is a candidate of employee on event at d and start.
func Cand(emp rule.Employee, ev rule.Event, d, start string) rule.Candidate {
	return rule.Candidate{Event: ev.Ref, Employee: emp.ID, Date: Day(d), Start: Clock(start)}
}

// Asg is an assignment of employee on event at d and start.
func Asg(emp rule.Employee, ev rule.Event, d, start string) rule.Assignment {
	return rule.Assignment{Event: ev.Ref, Employee: emp.ID, Date: Day(d), Start: Clock(start)}
}

// RuleIDs returns the rule ids of v's violations, and fails the test on a
// violation that is not hard or that does not mention all of words. A
// violation that reaches beyond its candidate (rule.Reach) need not
// mention the words naming events ("event 605577"): it may not name the
// candidate's (sdktest.Check makes sure).
func RuleIDs(t testing.TB, v rule.Verdict, words ...string) []string {
	t.Helper()
	var ids []string
	for _, x := range v.Violations {
		ids = append(ids, x.Rule)
		if x.Severity != rule.Hard {
			t.Errorf("violation %q is not hard", x.Message)
		}
		for _, w := range words {
			if x.Reach != rule.ReachCandidate && strings.HasPrefix(w, "event ") {
				continue
			}
			if !strings.Contains(x.Message, w) {
				t.Errorf("violation %q does not mention %q", x.Message, w)
			}
		}
	}
	return ids
}
