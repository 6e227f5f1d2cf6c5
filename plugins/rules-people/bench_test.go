package rulespeople_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	rulespeople "github.com/crewplan/crewplan/plugins/rules-people"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// bigBatch generates a batch of n candidates: 60 employees, a month of
// events of every type and an assignment for about a quarter of them (half
// of the core events), all drawn from a seeded generator.
func bigBatch(n int) *rule.Batch {
	roles := []rule.Role{rule.RoleClubSupervisor, rule.RoleLead, rule.RoleLead, rule.RoleSpecialist, rule.RoleSpecialist, rule.RoleJuicer}
	first := civil.MustParseDate("2026-03-01")
	b := &rule.Batch{
		Now:        civil.DateTime{Date: first, Clock: civil.NewClock(8, 0)},
		Mode:       rule.ModeAutomatic,
		Settings:   rule.Settings{EarliestOffsetDays: map[string]int{"core": 1, "supervisor": 1, "default": 3}, MaxWorkDaysPerWeek: 6},
		Holidays:   []civil.Date{first.AddDays(16)},
		LockedDays: []civil.Date{first.AddDays(1), first.AddDays(2)},
	}
	for i := range 60 {
		e := rule.Employee{ID: fmt.Sprintf("E%02d", i), Name: fmt.Sprintf("Employee %02d", i), Role: roles[i%len(roles)], Active: i%29 != 0}
		if i%7 == 0 {
			e.Weekly = &[7]bool{false, true, true, true, true, true, false}
			e.Unavailable = []civil.Date{first.AddDays(i % 30)}
			e.Overrides = []civil.Date{first.AddDays(i%30 + 1)}
		}
		if i%11 == 0 {
			e.TimeOff = []rule.DateRange{{Start: first.AddDays(i % 20), End: first.AddDays(i%20 + 4), Reason: "vacation"}}
		}
		b.Employees = append(b.Employees, e)
	}
	types := []rule.EventType{rule.EventCore, rule.EventCore, rule.EventCore, rule.EventSupervisor, rule.EventJuicer, rule.EventFreeosk, rule.EventDigital, rule.EventOther}
	durations := map[rule.EventType]int{rule.EventCore: 390, rule.EventSupervisor: 5, rule.EventJuicer: 540, rule.EventFreeosk: 15, rule.EventDigital: 15, rule.EventOther: 15}
	rnd := rand.New(rand.NewPCG(1, 2))
	const events = 2000
	for i := range events {
		t := types[i%len(types)]
		start := first.AddDays(rnd.IntN(25))
		ev := rule.Event{
			Ref: int64(100000 + i), Name: fmt.Sprintf("%06d-CF-Product %d (300410117846) - V2-%s", 600000+i/len(types), i, t), Type: t, DurationMin: durations[t],
			Start: start, Due: start.AddDays(rnd.IntN(8)),
		}
		if t == rule.EventSupervisor && i%16 == 3 {
			ev.ParentRef = int64(100000 + i - 3)
		}
		b.Events = append(b.Events, ev)
		if rnd.IntN(4) == 0 || t == rule.EventCore && rnd.IntN(2) == 0 {
			b.Assignments = append(b.Assignments, rule.Assignment{
				Event: ev.Ref, Employee: b.Employees[rnd.IntN(60)].ID, Date: ev.Start.AddDays(rnd.IntN(ev.Start.DaysUntil(ev.Due) + 1)),
				Start: civil.NewClock(9+rnd.IntN(3), 45), Proposed: rnd.IntN(2) == 0,
			})
		}
	}
	coreDay := make(map[int64]civil.Date)
	for _, a := range b.Assignments {
		coreDay[a.Event] = a.Date
	}
	for i := range n {
		ev := b.Events[rnd.IntN(events)]
		c := rule.Candidate{
			Event: ev.Ref, Employee: b.Employees[rnd.IntN(60)].ID,
			Date: ev.Start.AddDays(rnd.IntN(ev.Start.DaysUntil(ev.Due) + 1)), Start: civil.NewClock(9+rnd.IntN(4), 30),
		}
		switch d, ok := coreDay[ev.ParentRef]; {
		case i%10 == 0:
			c.Date = ev.Due.AddDays(1) // out of the window
		case ok && rnd.IntN(4) > 0:
			c.Date = d // a supervisor on its core's day
		}
		if i%50 == 0 {
			c.Replaces = b.Events[rnd.IntN(events)].Ref
		}
		b.Candidates = append(b.Candidates, c)
	}
	return b
}

func BenchmarkCheck10k(b *testing.B) {
	bb := bigBatch(10000)
	r := rulespeople.New()
	check(b, r, bb) // builds the batch's lookups once, as a host's first rule does
	b.ReportAllocs()
	for b.Loop() {
		check(b, r, bb)
	}
}

// BenchmarkCheck10kFresh includes building the batch's lookups, as the
// first rule to read a batch fresh off the wire does.
func BenchmarkCheck10kFresh(b *testing.B) {
	bb := bigBatch(10000)
	r := rulespeople.New()
	b.ReportAllocs()
	for b.Loop() {
		bb.Reindex()
		check(b, r, bb)
	}
}

// BenchmarkCheck10kPassing checks 10,000 candidates that all pass: the
// cost of the rule without writing violation messages.
func BenchmarkCheck10kPassing(b *testing.B) {
	bb := bigBatch(10000)
	r := rulespeople.New()
	var ok []rule.Candidate
	for i, v := range check(b, r, bb) {
		if v.OK() {
			ok = append(ok, bb.Candidates[i])
		}
	}
	bb.Candidates = bb.Candidates[:0]
	for i := range 10000 {
		bb.Candidates = append(bb.Candidates, ok[i%len(ok)])
	}
	b.ReportAllocs()
	for b.Loop() {
		check(b, r, bb)
	}
}
