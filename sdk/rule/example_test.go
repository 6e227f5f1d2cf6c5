package rule_test

import (
	"context"
	"fmt"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

// weekdays fails a candidate whose employee does not work on its weekday.
type weekdays struct{}

var _ rule.Rule = weekdays{}

func (weekdays) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Type: plugin.TypeRule, Name: "rules-weekdays", Version: "1.0.0", APIVersions: []int{rule.APIVersion}}, nil
}

func (weekdays) Configure(context.Context, []byte) error { return nil }

func (weekdays) Check(_ context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	out := make([]rule.Verdict, len(b.Candidates))
	for i, c := range b.Candidates {
		e := b.Employee(c.Employee)
		if e != nil && e.Weekly != nil && !e.Weekly[c.Date.Weekday()] {
			// The employee works no event that day: the violation reaches
			// the whole day, and its message names no event.
			out[i].Violations = []rule.Violation{
				rule.Hardf("weekday", "%s does not work on %ss", e.Name, c.Date.Weekday()).Reaching(rule.ReachDay),
			}
		}
	}
	return out, nil
}

// A rule checks a whole batch at once and answers one verdict per
// candidate. Its main would be `func main() { rule.Serve(weekdays{}) }`.
func Example() {
	weekdaysOnly := [7]bool{false, true, true, true, true, true, false}
	b := &rule.Batch{
		Now:       civil.DateTime{Date: civil.MustParseDate("2026-03-02")},
		Employees: []rule.Employee{{ID: "E1", Name: "Ana Ruiz", Active: true, Weekly: &weekdaysOnly}},
		Candidates: []rule.Candidate{
			{Event: 7, Employee: "E1", Date: civil.MustParseDate("2026-03-06"), Start: civil.NewClock(9, 0)}, // Friday
			{Event: 7, Employee: "E1", Date: civil.MustParseDate("2026-03-07"), Start: civil.NewClock(9, 0)}, // Saturday
		},
	}
	vs, err := weekdays{}.Check(context.Background(), b)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, v := range vs {
		fmt.Println(b.Candidates[i].Date, v.OK(), v.Violations)
	}
	// Output:
	// 2026-03-06 true []
	// 2026-03-07 false [{weekday hard Ana Ruiz does not work on Saturdays day}]
}
