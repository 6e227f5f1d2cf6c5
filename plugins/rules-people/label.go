package rulespeople

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

// nameOf names an employee: their name, or their id when they have none.
func nameOf(e *rule.Employee) string {
	if e.Name != "" {
		return e.Name
	}
	return "employee " + e.ID
}

// hard returns a hard violation of rule id.
func hard(id, format string, args ...any) rule.Violation {
	return rule.Violation{Rule: id, Severity: rule.Hard, Message: fmt.Sprintf(format, args...)}
}
