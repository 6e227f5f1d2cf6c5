package rulespeople

import "github.com/crewplan/crewplan/sdk/rule"

// nameOf names an employee: their name, or their id when they have none.
func nameOf(e *rule.Employee) string {
	if e.Name != "" {
		return e.Name
	}
	return "employee " + e.ID
}
