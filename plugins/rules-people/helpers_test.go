package rulespeople_test

import (
	"strings"
	"testing"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// Test fixtures: Sunday 2026-03-01 starts the week; today is Monday
// 2026-03-02.

func day(s string) civil.Date { return civil.MustParseDate(s) }

func clock(s string) civil.Clock {
	c, err := civil.ParseClock(s)
	if err != nil {
		panic(err)
	}
	return c
}

// The fixture's employees.
var (
	ana   = rule.Employee{ID: "E1", Name: "Ana Ruiz", Role: rule.RoleLead, Active: true}
	ben   = rule.Employee{ID: "E2", Name: "Ben Cole", Role: rule.RoleSpecialist, Active: true}
	jo    = rule.Employee{ID: "E3", Name: "Jo Park", Role: rule.RoleJuicer, Active: true}
	sam   = rule.Employee{ID: "E4", Name: "Sam Ortiz", Role: rule.RoleClubSupervisor, Active: true}
	today = civil.DateTime{Date: civil.MustParseDate("2026-03-02"), Clock: civil.NewClock(8, 0)}
)

// The fixture's events, each in the window 2026-03-01 to 2026-03-31 unless
// a test says otherwise.
var (
	core1     = rule.Event{Ref: 605577, Name: "605577-CF-Protein Bars (300410117846) - V2-CORE", Type: rule.EventCore, DurationMin: 390}
	core2     = rule.Event{Ref: 605578, Name: "605578-CF-Trail Mix - V2-CORE", Type: rule.EventCore, DurationMin: 390}
	super1    = rule.Event{Ref: 705577, Name: "605577-CF-Protein Bars (300410117846) - V2-SUPER", Type: rule.EventSupervisor, DurationMin: 5}
	juiceProd = rule.Event{Ref: 800001, Name: "Juicer Production", Type: rule.EventJuicer, Kind: "production", DurationMin: 540}
	juiceSurv = rule.Event{Ref: 800002, Name: "Juicer Survey", Type: rule.EventJuicer, Kind: "survey", DurationMin: 15}
	freeosk   = rule.Event{Ref: 900001, Name: "Freeosk Refill", Type: rule.EventFreeosk, DurationMin: 15}
	digital   = rule.Event{Ref: 900002, Name: "Digital Setup", Type: rule.EventDigital, Kind: "setup", DurationMin: 15}
	other     = rule.Event{Ref: 900003, Name: "Store Walk", Type: rule.EventOther, DurationMin: 15}
)

// batch returns a fresh automatic-mode batch holding the fixture's
// employees and events (windows 2026-03-01 to 2026-03-31) and the given
// candidates; a test adds the rest.
func batch(cands ...rule.Candidate) *rule.Batch {
	evs := []rule.Event{core1, core2, super1, juiceProd, juiceSurv, freeosk, digital, other}
	for i := range evs {
		evs[i].Start, evs[i].Due = day("2026-03-01"), day("2026-03-31")
	}
	return &rule.Batch{
		Now:  today,
		Mode: rule.ModeAutomatic,
		Settings: rule.Settings{
			EarliestOffsetDays: map[string]int{"core": 1, "supervisor": 1, "default": 3},
			MaxWorkDaysPerWeek: 6,
		},
		Candidates: cands,
		Events:     evs,
		Employees:  []rule.Employee{ana, ben, jo, sam},
	}
}

// cand is a candidate of employee on event at d and start.
func cand(emp rule.Employee, ev rule.Event, d, start string) rule.Candidate {
	return rule.Candidate{Event: ev.Ref, Employee: emp.ID, Date: day(d), Start: clock(start)}
}

// asg is an assignment of employee on event at d and start.
func asg(emp rule.Employee, ev rule.Event, d, start string) rule.Assignment {
	return rule.Assignment{Event: ev.Ref, Employee: emp.ID, Date: day(d), Start: clock(start)}
}

// check runs r over b, in process and through the plugin's real process,
// and fails the test unless both return the same verdicts, one per
// candidate, each as the host accepts it.
func check(t testing.TB, r rule.Rule, b *rule.Batch) []rule.Verdict {
	t.Helper()
	var p rule.Rule
	if process != nil {
		p = process
	}
	return sdktest.CheckSame(t, b, r, p)
}

// ruleIDs returns the rule ids of v's violations, and fails the test on a
// violation that is not hard or that does not mention all of words.
func ruleIDs(t testing.TB, v rule.Verdict, words ...string) []string {
	t.Helper()
	var ids []string
	for _, x := range v.Violations {
		ids = append(ids, x.Rule)
		if x.Severity != rule.Hard {
			t.Errorf("violation %q is not hard", x.Message)
		}
		for _, w := range words {
			if !strings.Contains(x.Message, w) {
				t.Errorf("violation %q does not mention %q", x.Message, w)
			}
		}
	}
	return ids
}
