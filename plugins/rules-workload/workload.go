// Package rulesworkload is the workload rule plugin: at most one core event
// per employee per day, no overlap of two long assignments of one employee,
// and at most the settings' working days per employee per week (hard rules
// 6 to 8 of the scheduling rules).
package rulesworkload

import (
	"context"
	"fmt"
	"strings"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Name is the plugin's name.
const Name = "rules-workload"

// The rule ids of the violations this plugin reports.
const (
	RuleOneCorePerDay = "one_core_per_day"
	RuleNoOverlap     = "no_overlap"
	RuleMaxWorkDays   = "max_work_days"
)

// defaultMaxWorkDays is the scheduling rules' max_work_days_per_week, used
// when the settings leave it at zero.
const defaultMaxWorkDays = 6

type workload struct{}

var _ rule.Rule = (*workload)(nil)

// New returns the workload rule.
func New() rule.Rule { return &workload{} }

// Info describes the plugin.
func (*workload) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{
		Type:        plugin.TypeRule,
		Name:        Name,
		Version:     "1.0.0",
		APIVersions: []int{rule.APIVersion},
		Description: "One core event a day, no overlapping long assignments, and a cap on working days per week per employee.",
	}, nil
}

// Configure accepts an empty configuration: the rule has no settings.
func (*workload) Configure(_ context.Context, raw []byte) error {
	return configure(raw)
}

type empDay struct {
	emp string
	day civil.Date
}

// lookups are the per-batch maps one Check builds once.
type lookups struct {
	// onDay holds the indexes in Assignments of each employee's
	// assignments of a day.
	onDay map[empDay][]int
	// week counts each employee's assignments per weekday of a week,
	// keyed by the week's Sunday.
	week map[empDay]*[7]int32
	// ofEvent holds the indexes in Assignments of each event's
	// assignments.
	ofEvent map[int64][]int
}

func newLookups(b *rule.Batch) *lookups {
	l := &lookups{
		onDay:   make(map[empDay][]int, len(b.Assignments)),
		week:    make(map[empDay]*[7]int32),
		ofEvent: make(map[int64][]int, len(b.Assignments)),
	}
	for i := range b.Assignments {
		a := &b.Assignments[i]
		k := empDay{a.Employee, a.Date}
		l.onDay[k] = append(l.onDay[k], i)
		l.ofEvent[a.Event] = append(l.ofEvent[a.Event], i)
		wk := empDay{a.Employee, a.Date.WeekStart()}
		w := l.week[wk]
		if w == nil {
			w = new([7]int32)
			l.week[wk] = w
		}
		w[a.Date.Weekday()]++
	}
	return l
}

// Check returns one verdict per candidate of b, in order.
//
// A candidate's own event and the event it replaces are left out of the
// employee's assignments (they are being moved or bumped). Assignments of
// events the batch does not hold count as working days but are not known
// to be core or long, so they cannot break one_core_per_day or no_overlap;
// nor can a candidate whose event is not in the batch (the calendar and
// people rules report it). A MaxWorkDaysPerWeek of zero (unset) means the
// scheduling rules' default, 6.
func (*workload) Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	out := make([]rule.Verdict, len(b.Candidates))
	l := newLookups(b)
	maxDays := b.Settings.MaxWorkDaysPerWeek
	if maxDays <= 0 {
		maxDays = defaultMaxWorkDays
	}
	for i := range b.Candidates {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("%s check: %w", Name, err)
			}
		}
		c := &b.Candidates[i]
		var vs []rule.Violation
		if ev := b.Event(c.Event); ev != nil {
			vs = sameDay(b, l, c, ev, vs)
		}
		out[i].Violations = workDays(b, l, c, maxDays, vs)
	}
	return out, nil
}

// skip reports whether the assignment of event ref is left out for c.
func skip(c *rule.Candidate, ref int64) bool {
	return ref == c.Event || (c.Replaces != 0 && ref == c.Replaces)
}

// sameDay appends the one_core_per_day and no_overlap violations of c, an
// assignment of ev.
func sameDay(b *rule.Batch, l *lookups, c *rule.Candidate, ev *rule.Event, vs []rule.Violation) []rule.Violation {
	isCore, long := ev.Type == rule.EventCore, ev.Long()
	if !isCore && !long {
		return vs
	}
	start := c.Start.Minutes()
	end := rule.End(c.Start, ev)
	for _, j := range l.onDay[empDay{c.Employee, c.Date}] {
		a := &b.Assignments[j]
		if skip(c, a.Event) {
			continue
		}
		other := b.Event(a.Event)
		if other == nil {
			continue
		}
		if isCore && other.Type == rule.EventCore {
			vs = append(vs, rule.Hardf(RuleOneCorePerDay, "%s already has core %s on %s; at most one core event a day",
				b.EmployeeLabel(c.Employee), b.EventLabel(a.Event), c.Date).Reaching(rule.ReachEventType))
		}
		if long && other.Long() {
			// Half-open intervals: one may start when the other ends.
			oStart, oEnd := a.Start.Minutes(), rule.End(a.Start, other)
			if start < oEnd && oStart < end {
				vs = append(vs, rule.Hardf(RuleNoOverlap, "%s works %s %s-%s on %s; %s %s-%s would overlap it",
					b.EmployeeLabel(c.Employee), b.EventLabel(a.Event), hhmm(oStart), hhmm(oEnd), c.Date,
					b.EventLabel(c.Event), hhmm(start), hhmm(end)))
			}
		}
	}
	return vs
}

// workDays appends the max_work_days violation of c: the distinct days its
// employee works in the Sunday-to-Saturday week of c.Date, counting c.Date,
// may not pass maxDays.
func workDays(b *rule.Batch, l *lookups, c *rule.Candidate, maxDays int, vs []rule.Violation) []rule.Violation {
	wk := c.Date.WeekStart()
	w := l.week[empDay{c.Employee, wk}]
	if w == nil {
		return vs // the candidate's day is their only one that week
	}
	days := *w
	moved := false // an assignment of the candidate's own event was left out
	refs := [2]int64{c.Event, c.Replaces}
	if refs[1] == refs[0] {
		refs[1] = 0
	}
	for _, ref := range refs {
		if ref == 0 {
			continue
		}
		for _, j := range l.ofEvent[ref] {
			a := &b.Assignments[j]
			if a.Employee == c.Employee && a.Date.WeekStart() == wk {
				days[a.Date.Weekday()]--
				moved = true
			}
		}
	}
	days[c.Date.Weekday()] = 1
	n := 0
	for _, k := range days {
		if k > 0 {
			n++
		}
	}
	if n <= maxDays {
		return vs
	}
	var worked []string
	for i, k := range days {
		if k > 0 {
			worked = append(worked, wk.AddDays(i).String())
		}
	}
	v := rule.Hardf(RuleMaxWorkDays, "%s would work %d days in the week %s to %s with %s (%s); the most is %d",
		b.EmployeeLabel(c.Employee), n, wk, wk.AddDays(6), c.Date, strings.Join(worked, ", "), maxDays)
	if !moved {
		// Any event that day would be a day too many, until one of
		// their days that week is freed.
		v = v.Reaching(rule.ReachDay)
	}
	return append(vs, v)
}

// hhmm writes minutes after midnight as HH:MM; an end past midnight reads
// 24:30 and on.
func hhmm(m int) string {
	h := m / 60
	if h > 99 {
		return fmt.Sprintf("%d:%02d", h, m%60)
	}
	return string([]byte{byte('0' + h/10), byte('0' + h%10), ':', byte('0' + m%60/10), byte('0' + m%10)})
}
