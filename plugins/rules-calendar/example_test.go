package rulescalendar_test

import (
	"context"
	"fmt"

	rulescalendar "github.com/crewplan/crewplan/plugins/rules-calendar"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

func Example() {
	b := &rule.Batch{
		Now:  civil.DateTime{Date: civil.MustParseDate("2026-03-02")},
		Mode: rule.ModeAutomatic,
		Settings: rule.Settings{
			EarliestOffsetDays: map[string]int{"core": 1, "supervisor": 1, "default": 3},
		},
		Events: []rule.Event{{
			Ref: 612103, Name: "612103-CF-Cheese - V2-CORE", Type: rule.EventCore, DurationMin: 390,
			Start: civil.MustParseDate("2026-03-05"), Due: civil.MustParseDate("2026-03-10"),
		}},
		Employees: []rule.Employee{{ID: "E1", Name: "Ana Ruiz", Role: rule.RoleLead, Active: true}},
		Candidates: []rule.Candidate{
			{Event: 612103, Employee: "E1", Date: civil.MustParseDate("2026-03-10")},
			{Event: 612103, Employee: "E1", Date: civil.MustParseDate("2026-03-11")},
		},
	}
	verdicts, err := rulescalendar.New().Check(context.Background(), b)
	if err != nil {
		panic(err)
	}
	for i, v := range verdicts {
		fmt.Println(b.Candidates[i].Date, v.OK())
		for _, x := range v.Violations {
			fmt.Printf("  %s: %s\n", x.Rule, x.Message)
		}
	}
	// Output:
	// 2026-03-10 true
	// 2026-03-11 false
	//   window: event 612103 (612103-CF-Cheese - V2-CORE) is due 2026-03-10; 2026-03-11 is after its due date
}
