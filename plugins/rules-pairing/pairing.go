// Package rulespairing is the pairing rule plugin: a supervisor event is
// placed on the same day as its core event's assignment (hard rule 9 of
// the scheduling rules).
package rulespairing

import (
	"context"
	"fmt"
	"strings"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Name is the plugin's name.
const Name = "rules-pairing"

// RuleSupervisorPairing is the rule id of the violations this plugin
// reports.
const RuleSupervisorPairing = "supervisor_pairing"

type pairing struct{}

var _ rule.Rule = (*pairing)(nil)

// New returns the pairing rule.
func New() rule.Rule { return &pairing{} }

// Info describes the plugin.
func (*pairing) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{
		Type:        plugin.TypeRule,
		Name:        Name,
		Version:     "1.0.0",
		APIVersions: []int{rule.APIVersion},
		Description: "A supervisor event goes on the day of its core event's assignment.",
	}, nil
}

// Configure accepts an empty configuration: the rule has no settings.
func (*pairing) Configure(_ context.Context, raw []byte) error {
	return configure(raw)
}

// Check returns one verdict per candidate of b, in order. Candidates of
// other events than supervisor ones pass.
//
// A supervisor's core is the event whose ref is its ParentRef; without
// one, every core event of the batch whose name has the same first
// six-digit number as the supervisor's. The candidate passes when one of
// its cores has an assignment (posted or proposed) on the candidate's day.
func (*pairing) Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	out := make([]rule.Verdict, len(b.Candidates))
	var byNumber map[string][]int64 // core refs by first six-digit number, built on first need
	for i := range b.Candidates {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("%s check: %w", Name, err)
			}
		}
		c := &b.Candidates[i]
		ev := b.Event(c.Event)
		if ev == nil || ev.Type != rule.EventSupervisor {
			continue
		}
		var cores []int64
		switch {
		case ev.ParentRef != 0:
			if b.Event(ev.ParentRef) == nil {
				out[i].Violations = []rule.Violation{hard(
					"supervisor %s names event %d as its core (parent ref), but that event is unknown to the scheduler; check the parent ref",
					b.EventLabel(c.Event), ev.ParentRef)}
				continue
			}
			parent := [1]int64{ev.ParentRef}
			cores = parent[:]
		default:
			num := rule.EventNumber(ev.Name)
			if num == "" {
				out[i].Violations = []rule.Violation{hard(
					"supervisor %s has no parent ref and no six-digit event number in its name, so its core event cannot be found",
					b.EventLabel(c.Event))}
				continue
			}
			if byNumber == nil {
				byNumber = b.Derived(byNumberKey{}, coresByNumber).(map[string][]int64)
			}
			cores = byNumber[num]
			if len(cores) == 0 {
				out[i].Violations = []rule.Violation{hard(
					"supervisor %s has no core event: it has no parent ref and no core event's name has %s as its first six-digit number",
					b.EventLabel(c.Event), num)}
				continue
			}
		}
		if v, ok := paired(b, c, cores); !ok {
			out[i].Violations = []rule.Violation{v}
		}
	}
	return out, nil
}

// paired reports whether one of cores has an assignment on c's day, and
// when none does, the violation saying why.
func paired(b *rule.Batch, c *rule.Candidate, cores []int64) (rule.Violation, bool) {
	for _, ref := range cores {
		for _, a := range b.AssignmentsOf(ref) {
			if a.Date == c.Date {
				return rule.Violation{}, true
			}
		}
	}
	var on []string
	var day civil.Date
	for _, ref := range cores {
		for _, a := range b.AssignmentsOf(ref) {
			day = a.Date
			on = append(on, "core "+b.EventLabel(ref)+" on "+a.Date.String())
		}
	}
	switch len(on) {
	case 0:
		names := make([]string, len(cores))
		for i, ref := range cores {
			names[i] = b.EventLabel(ref)
		}
		return hard("supervisor %s waits: its core %s is neither posted nor placed",
			b.EventLabel(c.Event), strings.Join(names, " or ")), false
	case 1:
		return hard("supervisor %s must be on its core's day %s, not %s (%s)",
			b.EventLabel(c.Event), day, c.Date, on[0]), false
	}
	return hard("supervisor %s must be on its core's day, not %s (%s)",
		b.EventLabel(c.Event), c.Date, strings.Join(on, "; ")), false
}

// byNumberKey keys coresByNumber among the batch context's derived values.
type byNumberKey struct{}

// coresByNumber returns the refs of b's core events by the first six-digit
// number of their names, in the batch's order.
func coresByNumber(b *rule.Batch) any {
	m := make(map[string][]int64)
	for i := range b.Events {
		ev := &b.Events[i]
		if ev.Type != rule.EventCore {
			continue
		}
		if num := rule.EventNumber(ev.Name); num != "" {
			m[num] = append(m[num], ev.Ref)
		}
	}
	return m
}
