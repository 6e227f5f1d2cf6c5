package rules_test

import (
	"errors"
	"testing"

	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/rule"
)

func TestJudge(t *testing.T) {
	hard := func(id string) rule.Violation { return rule.Hardf(id, "%s is broken", id) }
	soft := rule.Violation{Rule: "nice", Severity: rule.Soft, Message: "not nice"}
	two := rule.Verdict{Violations: []rule.Violation{hard("window"), soft, hard("qualified"), hard("window")}}
	tests := []struct {
		name     string
		v        rule.Verdict
		override string
		admin    bool
		want     string
		err      func(error) bool
	}{
		{"nothing broken", rule.Verdict{}, "", false, "", nil},
		{"only soft", rule.Verdict{Violations: []rule.Violation{soft}}, "", false, "", nil},
		{"hard without a reason", two, "  ", true, "", func(err error) bool {
			var ve *rules.ViolationError
			return errors.As(err, &ve) && len(ve.Violations) == 3
		}},
		{"a reason from a scheduler", two, "short staffed", false, "", func(err error) bool { return errors.Is(err, rules.ErrOverrideForbidden) }},
		{"an admin's reason", two, "short staffed", true, "short staffed (overrides window, qualified)", nil},
		{"a locked day is never overridden", rule.Verdict{Violations: []rule.Violation{hard("window"), hard(rules.LockedDayRule)}}, "please", true, "",
			func(err error) bool { return errors.Is(err, store.ErrConflict) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rules.Judge(tt.v, tt.override, tt.admin)
			if tt.err == nil && err != nil || tt.err != nil && !tt.err(err) || got != tt.want {
				t.Errorf("Judge = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
