// Package rulespeople is the people rule plugin: it checks that the
// employee of a placement can work its day (active, not terminated, not on
// time off, available) and that their role may do the event's type (hard
// rule 5 of the scheduling rules).
package rulespeople

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Name is the plugin's name.
const Name = "rules-people"

// The rule ids of the violations this plugin reports.
const (
	RuleCanWork   = "can_work"
	RuleQualified = "qualified"
)

// mayDo lists, per event type, the roles that may do it.
var mayDo = map[rule.EventType][]rule.Role{
	rule.EventCore:       {rule.RoleLead, rule.RoleSpecialist, rule.RoleJuicer},
	rule.EventSupervisor: {rule.RoleClubSupervisor, rule.RoleLead},
	rule.EventJuicer:     {rule.RoleJuicer},
	rule.EventFreeosk:    {rule.RoleLead, rule.RoleClubSupervisor},
	rule.EventDigital:    {rule.RoleLead, rule.RoleClubSupervisor},
	rule.EventOther:      {rule.RoleLead, rule.RoleClubSupervisor},
}

type people struct{}

var _ rule.Rule = (*people)(nil)

// New returns the people rule.
func New() rule.Rule { return &people{} }

// Info describes the plugin.
func (*people) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{
		Type:        plugin.TypeRule,
		Name:        Name,
		Version:     "1.0.0",
		APIVersions: []int{rule.APIVersion},
		Description: "The employee can work the day (active, not terminated, not on time off, available) and is qualified for the event type.",
	}, nil
}

// Configure accepts an empty configuration: the rule has no settings.
func (*people) Configure(_ context.Context, raw []byte) error {
	return configure(raw)
}

// Check returns one verdict per candidate of b, in order.
func (*people) Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	out := make([]rule.Verdict, len(b.Candidates))
	for i := range b.Candidates {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("%s check: %w", Name, err)
			}
		}
		c := &b.Candidates[i]
		emp := b.Employee(c.Employee)
		if emp == nil {
			out[i].Violations = []rule.Violation{rule.Hardf(RuleCanWork,
				"employee %s is not in the batch the host sent; whether they can work %s on %s cannot be checked",
				c.Employee, b.EventLabel(c.Event), c.Date)}
			continue
		}
		vs := canWork(b, c, emp)
		out[i].Violations = qualified(b, c, emp, vs)
	}
	return out, nil
}

// canWork returns the can_work violations of c for its employee emp.
func canWork(b *rule.Batch, c *rule.Candidate, emp *rule.Employee) []rule.Violation {
	var vs []rule.Violation
	d := c.Date
	who := nameOf(emp)
	if !emp.Active {
		vs = append(vs, rule.Hardf(RuleCanWork, "%s is inactive and works no shifts", who).Reaching(rule.ReachDay))
	}
	if !emp.TerminatedOn.IsZero() && emp.TerminatedOn <= d {
		vs = append(vs, rule.Hardf(RuleCanWork, "%s is terminated as of %s, so cannot work on %s", who, emp.TerminatedOn, d).Reaching(rule.ReachDay))
	}
	for _, r := range emp.TimeOff {
		if !r.Contains(d) {
			continue
		}
		reason := ""
		if r.Reason != "" {
			reason = " (" + r.Reason + ")"
		}
		vs = append(vs, rule.Hardf(RuleCanWork, "%s is on time off %s to %s%s, so cannot work on %s", who, r.Start, r.End, reason, d).Reaching(rule.ReachDay))
	}
	// A date-specific availability override wins over a date-specific
	// unavailability, which wins over the weekly pattern.
	switch {
	case slices.Contains(emp.Overrides, d):
	case slices.Contains(emp.Unavailable, d):
		vs = append(vs, rule.Hardf(RuleCanWork, "%s is unavailable on %s", who, d).Reaching(rule.ReachDay))
	case emp.Weekly != nil && !emp.Weekly[d.Weekday()]:
		vs = append(vs, rule.Hardf(RuleCanWork, "%s does not work on %ss (weekly availability), so cannot work on %s", who, d.Weekday(), d).Reaching(rule.ReachDay))
	}
	return vs
}

// qualified appends the qualified violations of c for its employee emp.
//
// A juicer may take a core event only on a day with no juicer event of
// theirs. We read that rule symmetrically: a juicer who already has a core
// event that day cannot take a juicer event that day either, so the order
// in which the two are placed does not matter. In both directions the
// employee's assignments of the candidate's own event and of the event it
// replaces are left out (they are the ones being moved or bumped).
func qualified(b *rule.Batch, c *rule.Candidate, emp *rule.Employee, vs []rule.Violation) []rule.Violation {
	ev := b.Event(c.Event)
	who := nameOf(emp)
	if ev == nil {
		return append(vs, rule.Hardf(RuleQualified, "event %d is not in the batch the host sent; whether %s may do it cannot be checked", c.Event, who))
	}
	roles, ok := mayDo[ev.Type]
	if !ok {
		return append(vs, rule.Hardf(RuleQualified, "%s has unknown type %q; no role is known to be qualified for it, so %s cannot be placed on it",
			b.EventLabel(c.Event), ev.Type, who))
	}
	if !slices.Contains(roles, emp.Role) {
		return append(vs, rule.Hardf(RuleQualified, "%s is a %s and may not do %s events: they take a %s",
			who, roleName(emp.Role), ev.Type, whoMayDo[ev.Type]).Reaching(rule.ReachEventType))
	}
	if emp.Role != rule.RoleJuicer || (ev.Type != rule.EventCore && ev.Type != rule.EventJuicer) {
		return vs
	}
	// A juicer's core and juicer events exclude each other on one day.
	conflict := rule.EventJuicer
	if ev.Type == rule.EventJuicer {
		conflict = rule.EventCore
	}
	for _, a := range b.AssignmentsOn(emp.ID, c.Date, c.Replaces, c.Event) {
		other := b.Event(a.Event)
		if other == nil || other.Type != conflict {
			continue
		}
		// Either holds for every event of the candidate's type that day.
		if ev.Type == rule.EventCore {
			vs = append(vs, rule.Hardf(RuleQualified, "%s is a juicer with juicer %s on %s; a juicer takes no core event on a day with a juicer event",
				who, b.EventLabel(a.Event), c.Date).Reaching(rule.ReachEventType))
		} else {
			vs = append(vs, rule.Hardf(RuleQualified, "%s is a juicer with core %s on %s; a juicer with a core event that day takes no juicer event",
				who, b.EventLabel(a.Event), c.Date).Reaching(rule.ReachEventType))
		}
	}
	return vs
}

func roleName(r rule.Role) string {
	switch r {
	case "":
		return "person without a role"
	case rule.RoleClubSupervisor:
		return "club supervisor"
	}
	return strings.ReplaceAll(string(r), "_", " ")
}

// whoMayDo says, per event type, which roles may do it ("a lead or club
// supervisor").
var whoMayDo = func() map[rule.EventType]string {
	m := make(map[rule.EventType]string, len(mayDo))
	for t, roles := range mayDo {
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = roleName(r)
		}
		m[t] = names[0]
		if len(names) > 1 {
			m[t] = strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
		}
	}
	return m
}()
