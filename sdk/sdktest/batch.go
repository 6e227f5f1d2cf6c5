package sdktest

import (
	"fmt"
	"math/rand/v2"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// SyntheticBatch returns a deterministic batch of n candidates shaped like
// a large scheduling step, for benchmarks and transport tests: 300
// employees (some with weekly patterns, time off and attributes), 2,000
// events, 3,000 assignments over four weeks, holidays and locked days.
// Every candidate names a known employee and event.
func SyntheticBatch(n int) *rule.Batch {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	start := civil.MustParseDate("2026-03-01")
	b := &rule.Batch{
		Now:  civil.DateTime{Date: start.AddDays(-3), Clock: civil.NewClock(9, 30)},
		Mode: rule.ModeAutomatic,
		Settings: rule.Settings{
			EarliestOffsetDays: map[string]int{"default": 3, "core": 2, "digital": 1},
			MaxWorkDaysPerWeek: 6,
		},
		Holidays:   []civil.Date{start.AddDays(9)},
		LockedDays: []civil.Date{start.AddDays(-2), start.AddDays(-1)},
	}
	roles := []rule.Role{rule.RoleClubSupervisor, rule.RoleLead, rule.RoleSpecialist, rule.RoleJuicer}
	for i := range 300 {
		e := rule.Employee{
			ID:     fmt.Sprintf("E%05d", 10000+i),
			Name:   fmt.Sprintf("Employee %d", i),
			Role:   roles[i%len(roles)],
			Active: i%37 != 0,
		}
		if i%5 == 0 {
			w := [7]bool{false, true, true, true, true, true, false}
			e.Weekly = &w
		}
		if i%11 == 0 {
			d := start.AddDays(rng.IntN(28))
			e.TimeOff = []rule.DateRange{{Start: d, End: d.AddDays(2), Reason: "vacation"}}
			e.Unavailable = []civil.Date{d.AddDays(5)}
		}
		if i%3 == 0 {
			e.Attributes = map[string]string{"adult_beverage_trained": "true"}
		}
		b.Employees = append(b.Employees, e)
	}
	types := []rule.EventType{rule.EventCore, rule.EventSupervisor, rule.EventJuicer, rule.EventFreeosk, rule.EventDigital, rule.EventOther}
	for i := range 2000 {
		d := start.AddDays(rng.IntN(21))
		b.Events = append(b.Events, rule.Event{
			Ref:         int64(600000 + i),
			Name:        fmt.Sprintf("Event %d", i),
			Type:        types[i%len(types)],
			Start:       d,
			Due:         d.AddDays(6),
			DurationMin: 15 + 15*rng.IntN(32),
		})
	}
	for range 3000 {
		ev := &b.Events[rng.IntN(len(b.Events))]
		b.Assignments = append(b.Assignments, rule.Assignment{
			Event:    ev.Ref,
			Employee: b.Employees[rng.IntN(len(b.Employees))].ID,
			Date:     ev.Start.AddDays(rng.IntN(7)),
			Start:    civil.NewClock(8+rng.IntN(10), 15*rng.IntN(4)),
			Proposed: rng.IntN(2) == 0,
		})
	}
	b.Candidates = make([]rule.Candidate, n)
	for i := range b.Candidates {
		ev := &b.Events[rng.IntN(len(b.Events))]
		c := rule.Candidate{
			Event:    ev.Ref,
			Employee: b.Employees[rng.IntN(len(b.Employees))].ID,
			Date:     ev.Start.AddDays(rng.IntN(7)),
			Start:    civil.NewClock(8+rng.IntN(10), 15*rng.IntN(4)),
		}
		if i%50 == 0 {
			c.Replaces = b.Events[rng.IntN(len(b.Events))].Ref
		}
		b.Candidates[i] = c
	}
	return b
}
