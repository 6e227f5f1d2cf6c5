package rulespairing_test

import (
	"context"
	"fmt"

	rulespairing "github.com/crewplan/crewplan/plugins/rules-pairing"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

func Example() {
	b := &rule.Batch{
		Events: []rule.Event{
			{Ref: 1, Name: "605577-CF-Protein Bars (300410117846) - V2-CORE", Type: rule.EventCore, DurationMin: 390},
			// No parent ref: its core is found by the first six-digit
			// number of its name, 605577.
			{Ref: 2, Name: "605577-CF-Protein Bars (300410117846) - V2-SUPER", Type: rule.EventSupervisor, DurationMin: 5},
			{Ref: 3, Name: "612103-CF-Cheese - V2-SUPER", Type: rule.EventSupervisor, DurationMin: 5},
		},
		Assignments: []rule.Assignment{{Event: 1, Employee: "E1", Date: civil.MustParseDate("2026-03-05"), Proposed: true}},
		Candidates: []rule.Candidate{
			{Event: 2, Employee: "E4", Date: civil.MustParseDate("2026-03-05")},
			{Event: 2, Employee: "E4", Date: civil.MustParseDate("2026-03-06")},
			{Event: 3, Employee: "E4", Date: civil.MustParseDate("2026-03-06")},
		},
	}
	verdicts, err := rulespairing.New().Check(context.Background(), b)
	if err != nil {
		panic(err)
	}
	for i, v := range verdicts {
		fmt.Println(b.Candidates[i].Event, b.Candidates[i].Date, v.OK())
		for _, x := range v.Violations {
			fmt.Printf("  %s: %s\n", x.Rule, x.Message)
		}
	}
	// Output:
	// 2 2026-03-05 true
	// 2 2026-03-06 false
	//   supervisor_pairing: supervisor event 2 (605577-CF-Protein Bars (300410117846) - V2-SUPER) must be on its core's day 2026-03-05, not 2026-03-06 (core event 1 (605577-CF-Protein Bars (300410117846) - V2-CORE) on 2026-03-05)
	// 3 2026-03-06 false
	//   supervisor_pairing: supervisor event 3 (612103-CF-Cheese - V2-SUPER) has no core event: it has no parent ref and no core event's name has 612103 as its first six-digit number
}
