package rulesworkload_test

import (
	"context"
	"fmt"

	rulesworkload "github.com/crewplan/crewplan/plugins/rules-workload"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

func Example() {
	wed := civil.MustParseDate("2026-03-04")
	b := &rule.Batch{
		Settings: rule.Settings{MaxWorkDaysPerWeek: 6},
		Events: []rule.Event{
			{Ref: 612103, Name: "612103-CF-Cheese - V2-CORE", Type: rule.EventCore, DurationMin: 390},
			{Ref: 612200, Name: "612200-CF-Bread - V2-CORE", Type: rule.EventCore, DurationMin: 390},
			{Ref: 900001, Name: "Freeosk Refill", Type: rule.EventFreeosk, DurationMin: 15},
		},
		Employees:   []rule.Employee{{ID: "E1", Name: "Ana Ruiz", Role: rule.RoleLead, Active: true}},
		Assignments: []rule.Assignment{{Event: 612103, Employee: "E1", Date: wed, Start: civil.NewClock(9, 45)}},
		Candidates: []rule.Candidate{
			// A second core the same day, overlapping the first.
			{Event: 612200, Employee: "E1", Date: wed, Start: civil.NewClock(11, 0)},
			// A 15-minute freeosk during the core is fine.
			{Event: 900001, Employee: "E1", Date: wed, Start: civil.NewClock(10, 0)},
		},
	}
	verdicts, err := rulesworkload.New().Check(context.Background(), b)
	if err != nil {
		panic(err)
	}
	for i, v := range verdicts {
		fmt.Println(b.Candidates[i].Event, v.OK())
		for _, x := range v.Violations {
			fmt.Printf("  %s: %s\n", x.Rule, x.Message)
		}
	}
	// Output:
	// 612200 false
	//   one_core_per_day: Ana Ruiz already has core event 612103 (612103-CF-Cheese - V2-CORE) on 2026-03-04; at most one core event a day
	//   no_overlap: Ana Ruiz works event 612103 (612103-CF-Cheese - V2-CORE) 09:45-16:15 on 2026-03-04; event 612200 (612200-CF-Bread - V2-CORE) 11:00-17:30 would overlap it
	// 900001 true
}
