package rulespeople_test

import (
	"context"
	"fmt"

	rulespeople "github.com/crewplan/crewplan/plugins/rules-people"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

func Example() {
	b := &rule.Batch{
		Events: []rule.Event{{Ref: 612103, Name: "612103-CF-Cheese - V2-CORE", Type: rule.EventCore, DurationMin: 390}},
		Employees: []rule.Employee{
			{ID: "E1", Name: "Ana Ruiz", Role: rule.RoleLead, Active: true, TimeOff: []rule.DateRange{{
				Start: civil.MustParseDate("2026-03-05"), End: civil.MustParseDate("2026-03-06"), Reason: "vacation",
			}}},
			{ID: "E4", Name: "Sam Ortiz", Role: rule.RoleClubSupervisor, Active: true},
		},
		Candidates: []rule.Candidate{
			{Event: 612103, Employee: "E1", Date: civil.MustParseDate("2026-03-06")},
			{Event: 612103, Employee: "E4", Date: civil.MustParseDate("2026-03-06")},
		},
	}
	verdicts, err := rulespeople.New().Check(context.Background(), b)
	if err != nil {
		panic(err)
	}
	for _, v := range verdicts {
		for _, x := range v.Violations {
			fmt.Printf("%s: %s\n", x.Rule, x.Message)
		}
	}
	// Output:
	// can_work: Ana Ruiz is on time off 2026-03-05 to 2026-03-06 (vacation), so cannot work on 2026-03-06
	// qualified: Sam Ortiz is a club supervisor and may not do core events: they take a lead, specialist or juicer
}
