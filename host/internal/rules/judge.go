package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/rule"
)

// LockedDayRule is the id of the rule that keeps locked days frozen; no
// override lifts it.
const LockedDayRule = "locked_day"

// ErrOverrideForbidden means someone who is not an admin gave an override
// reason for a change that breaks a hard rule.
var ErrOverrideForbidden = errors.New("only an admin may override a scheduling rule")

// ViolationError is a change a person makes that breaks hard rules, given
// without an override reason. Violations are the hard ones, in the rules'
// order.
type ViolationError struct {
	Violations []rule.Violation
}

func (e *ViolationError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = "rule." + v.Rule + ": " + v.Message
	}
	return fmt.Sprintf("this change breaks %d scheduling rule(s): %s; an admin may override with an override_reason",
		len(e.Violations), strings.Join(parts, "; "))
}

// Judge decides a change a person makes (a manual placement, a proposal
// edit) from the rules' verdict on it. It returns the override reason to
// store: "" when no hard rule is broken; the person's reason with the
// broken rules' ids when an admin overrides them. A locked day is a
// store.ErrConflict that no override lifts; hard violations without a
// reason are a *ViolationError; a reason from someone who is not an admin
// is ErrOverrideForbidden.
func Judge(v rule.Verdict, override string, admin bool) (string, error) {
	var hard []rule.Violation
	for _, x := range v.Violations {
		if x.Severity == rule.Hard {
			hard = append(hard, x)
		}
	}
	if len(hard) == 0 {
		return "", nil
	}
	for _, x := range hard {
		if x.Rule == LockedDayRule {
			return "", fmt.Errorf("%w: %s", store.ErrConflict, x.Message)
		}
	}
	override = strings.TrimSpace(override)
	if override == "" {
		return "", &ViolationError{Violations: hard}
	}
	if !admin {
		return "", ErrOverrideForbidden
	}
	var ids []string
	for _, x := range hard {
		if !slices.Contains(ids, x.Rule) {
			ids = append(ids, x.Rule)
		}
	}
	return fmt.Sprintf("%s (overrides %s)", override, strings.Join(ids, ", ")), nil
}
