// Package rulescalendar is the calendar rule plugin: it checks that a
// placement's day is inside its event's window, not before the earliest day
// an automatic placement may take, not a company holiday and not locked
// (hard rules 1 to 4 of the scheduling rules).
package rulescalendar

import (
	"context"
	"fmt"
	"strconv"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Name is the plugin's name.
const Name = "rules-calendar"

// The rule ids of the violations this plugin reports.
const (
	RuleWindow      = "window"
	RuleEarliestDay = "earliest_day"
	RuleClosedDay   = "closed_day"
	RuleLockedDay   = "locked_day"
)

// defaultOffsetDays are the scheduling rules' earliest-day offsets, used
// only when the settings give neither the type nor "default".
var defaultOffsetDays = map[rule.EventType]int{
	rule.EventCore:       1,
	rule.EventSupervisor: 1,
}

const defaultOffsetOther = 3

type calendar struct{}

var _ rule.Rule = (*calendar)(nil)

// New returns the calendar rule.
func New() rule.Rule { return &calendar{} }

// Info describes the plugin.
func (*calendar) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{
		Type:        plugin.TypeRule,
		Name:        Name,
		Version:     "1.0.0",
		APIVersions: []int{rule.APIVersion},
		Description: "Window, earliest day, closed (holiday) and locked days of a placement.",
	}, nil
}

// Configure accepts an empty configuration: the rule has no settings.
func (*calendar) Configure(_ context.Context, raw []byte) error {
	return configure(raw)
}

// Check returns one verdict per candidate of b, in order. An event without
// a start (or due) date has no lower (or upper) bound to its window.
func (*calendar) Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	out := make([]rule.Verdict, len(b.Candidates))
	today := b.Now.Date
	for i := range b.Candidates {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("%s check: %w", Name, err)
			}
		}
		c := &b.Candidates[i]
		d := c.Date
		var vs []rule.Violation
		ev := b.Event(c.Event)
		if ev == nil {
			vs = append(vs, rule.Hardf(RuleWindow, "event %d is not in the batch the host sent; its window cannot be checked", c.Event))
		} else {
			if !ev.Start.IsZero() && d < ev.Start {
				vs = append(vs, rule.Hardf(RuleWindow, "%s starts %s; %s is before its start date", b.EventLabel(c.Event), ev.Start, d))
			}
			if !ev.Due.IsZero() && d > ev.Due {
				vs = append(vs, rule.Hardf(RuleWindow, "%s is due %s; %s is after its due date", b.EventLabel(c.Event), ev.Due, d))
			}
			if b.Mode == rule.ModeAutomatic {
				n := offsetDays(b.Settings, ev.Type)
				if first := today.AddDays(n); d < first {
					vs = append(vs, rule.Hardf(RuleEarliestDay, "%s events may be placed automatically from %s at the earliest (today %s plus %s); %s is too early",
						ev.Type, first, today, days(n), d).Reaching(rule.ReachEventType))
				}
			}
		}
		if b.IsHoliday(d) {
			vs = append(vs, rule.Hardf(RuleClosedDay, "%s is a company holiday: the store is closed, nothing can be placed on it", d).Reaching(rule.ReachDay))
		}
		if b.Mode != rule.ModeVerify {
			// A posted assignment on a locked day is frozen, not wrong.
			vs = lockedDay(b, c, vs)
		}
		out[i].Violations = vs
	}
	return out, nil
}

// lockedDay appends the locked_day violations of c: its own day, and the
// day of the assignment it would replace (a bump or a move).
func lockedDay(b *rule.Batch, c *rule.Candidate, vs []rule.Violation) []rule.Violation {
	if b.IsLocked(c.Date) {
		v := rule.Hardf(RuleLockedDay, "%s is locked: nothing may change on it until an admin unlocks it", c.Date)
		if c.Replaces == 0 {
			v = v.Reaching(rule.ReachDay)
		}
		vs = append(vs, v)
	}
	if c.Replaces == 0 {
		return vs
	}
	var seen []civil.Date
	for _, a := range b.AssignmentsOf(c.Replaces) {
		if !b.IsLocked(a.Date) || (a.Date == c.Date) || contains(seen, a.Date) {
			continue
		}
		seen = append(seen, a.Date)
		if c.Replaces == c.Event {
			vs = append(vs, rule.Hardf(RuleLockedDay, "moving %s takes %s off %s, a locked day: nothing may change on it until an admin unlocks it",
				b.EventLabel(c.Event), b.EmployeeLabel(a.Employee), a.Date))
		} else {
			vs = append(vs, rule.Hardf(RuleLockedDay, "placing %s would bump %s (%s) off %s, a locked day: nothing may change on it until an admin unlocks it",
				b.EventLabel(c.Event), b.EventLabel(c.Replaces), b.EmployeeLabel(a.Employee), a.Date))
		}
	}
	return vs
}

func contains(ds []civil.Date, d civil.Date) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// offsetDays is the earliest-day offset of type t: the settings' entry for
// t, else their "default", else the scheduling rules' default (1 day for
// core and supervisor events, 3 for the others).
func offsetDays(s rule.Settings, t rule.EventType) int {
	if n, ok := s.EarliestOffsetDays[string(t)]; ok {
		return n
	}
	if n, ok := s.EarliestOffsetDays["default"]; ok {
		return n
	}
	if n, ok := defaultOffsetDays[t]; ok {
		return n
	}
	return defaultOffsetOther
}

// days writes n days in words: "1 day", "3 days".
func days(n int) string {
	if n == 1 || n == -1 {
		return strconv.Itoa(n) + " day"
	}
	return strconv.Itoa(n) + " days"
}
