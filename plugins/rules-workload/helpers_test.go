package rulesworkload_test

import (
	"testing"

	"github.com/crewplan/crewplan/plugins/internal/ruletest"
	"github.com/crewplan/crewplan/sdk/rule"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// The shared fixture of the built-in rules' tests (see ruletest): Sunday
// 2026-03-01 starts the week; today is Monday 2026-03-02.
var (
	day, clock, today                                                   = ruletest.Day, ruletest.Clock, ruletest.Today
	ana, ben, jo, sam                                                   = ruletest.Ana, ruletest.Ben, ruletest.Jo, ruletest.Sam
	core1, core2, super1, juiceProd, juiceSurv, freeosk, digital, other = ruletest.Core1, ruletest.Core2, ruletest.Super1, ruletest.JuiceProd, ruletest.JuiceSurv, ruletest.Freeosk, ruletest.Digital, ruletest.Other
	batch, cand, asg, ruleIDs                                           = ruletest.Batch, ruletest.Cand, ruletest.Asg, ruletest.RuleIDs
)

// check runs r over b, in process and through the plugin's real process,
// and fails the test unless both return the same verdicts, one per
// candidate, each as the host accepts it.
func check(t testing.TB, r rule.Rule, b *rule.Batch) []rule.Verdict {
	t.Helper()
	var p rule.Rule
	if process != nil {
		p = process
	}
	return sdktest.CheckSame(t, b, r, p)
}
