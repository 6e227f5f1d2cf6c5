package scheduler

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// TestRankedFollowsTheSchedule: a ranking brought up to date after
// assignments come and go is the ranking made afresh.
func TestRankedFollowsTheSchedule(t *testing.T) {
	roles := []rule.Role{rule.RoleLead, rule.RoleSpecialist, rule.RoleJuicer, rule.RoleClubSupervisor}
	snap := &rules.Snapshot{Now: civil.DateTime{Date: civil.NewDate(2026, 3, 2)}}
	for i := range 40 {
		snap.Employees = append(snap.Employees, rule.Employee{ID: fmt.Sprintf("E%03d", i), Active: true, Role: roles[i%len(roles)]})
	}
	mon := civil.NewDate(2026, 3, 2)
	for i := range 300 {
		snap.Events = append(snap.Events, rule.Event{Ref: int64(600000 + i), Type: rule.EventCore, Start: mon, Due: mon.AddDays(13), DurationMin: 60})
	}
	s := newState(&Input{Snapshot: snap})
	rng := rand.New(rand.NewPCG(1, 2))
	core := &snap.Events[0]
	var placed []int64
	for step := range 2000 {
		d := mon.AddDays(rng.IntN(14))
		if len(placed) > 0 && rng.IntN(5) == 0 {
			j := rng.IntN(len(placed))
			s.remove(placed[j])
			placed = slices.Delete(placed, j, j+1)
		} else {
			ref := int64(600000 + rng.IntN(300))
			if _, ok := s.current[ref]; !ok {
				s.add(&rule.Assignment{Event: ref, Employee: snap.Employees[rng.IntN(40)].ID, Date: d, Start: civil.NewClock(9, 0)})
				placed = append(placed, ref)
			}
		}
		q := mon.AddDays(rng.IntN(14))
		got := s.ranked(core, q)
		want := s.rank(core, q)
		if !slices.EqualFunc(got, want, func(a, b Choice) bool { return a.idx == b.idx && a.WeekLoad == b.WeekLoad && a.Tier == b.Tier }) {
			t.Fatalf("step %d, %s: ranked %v, afresh %v", step, q, ids(got), ids(want))
		}
	}
}

func ids(cs []Choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%s/%d/%d", c.Employee.ID, c.Tier, c.WeekLoad)
	}
	return out
}
