package rulespairing

import (
	"fmt"
	"strconv"

	"github.com/crewplan/crewplan/sdk/rule"
)

// eventLabel names an event the way a coordinator finds it: its ref, and
// its name when the batch has one.
func eventLabel(b *rule.Batch, ref int64) string {
	s := "event " + strconv.FormatInt(ref, 10)
	if ev := b.Event(ref); ev != nil && ev.Name != "" {
		s += " (" + ev.Name + ")"
	}
	return s
}

// hard returns a hard violation of the supervisor_pairing rule.
func hard(format string, args ...any) rule.Violation {
	return rule.Violation{Rule: RuleSupervisorPairing, Severity: rule.Hard, Message: fmt.Sprintf(format, args...)}
}
