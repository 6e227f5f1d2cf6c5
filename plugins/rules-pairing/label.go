package rulespairing

import "github.com/crewplan/crewplan/sdk/rule"

// hard returns a hard violation of the supervisor_pairing rule.
func hard(format string, args ...any) rule.Violation {
	return rule.Hardf(RuleSupervisorPairing, format, args...)
}
