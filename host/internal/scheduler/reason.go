package scheduler

import (
	"fmt"
	"strings"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// reasons collects why an event's candidates failed, for a failure reason
// a person can act on: for each employee the first violation found, on the
// earliest day asked about.
type reasons struct {
	first  map[string]civil.Date
	msg    map[string]string
	order  []string // employees in the order first seen
	from   civil.Date
	to     civil.Date
	asked  bool
	none   bool // nobody of the preferred roles exists
	bumped string
}

func (r *runner) reasonsOf(ref int64) *reasons {
	w := r.why[ref]
	if w == nil {
		w = &reasons{first: map[string]civil.Date{}, msg: map[string]string{}}
		r.why[ref] = w
	}
	return w
}

func (w *reasons) add(emp string, d civil.Date, vs []rule.Violation) {
	if !w.asked || d < w.from {
		w.from = d
	}
	if !w.asked || d > w.to {
		w.to = d
	}
	w.asked = true
	if len(vs) == 0 {
		return
	}
	if f, ok := w.first[emp]; ok && f <= d {
		return
	}
	if _, ok := w.first[emp]; !ok {
		w.order = append(w.order, emp)
	}
	w.first[emp] = d
	w.msg[emp] = vs[0].Message
}

// fail records why event ref could not be placed.
func (r *runner) fail(ref int64) {
	r.s.failures[ref] = r.reason(ref)
}

// maxReasons is how many people's reasons a failure lists.
const maxReasons = 4

func (r *runner) reason(ref int64) string {
	s := r.s
	ev := s.events[ref]
	w := r.reasonsOf(ref)
	from := max(ev.Start, s.today)
	switch {
	case ev.Type == rule.EventSupervisor && len(s.coresOf[ref]) > 0 && !r.coreHasDay(ref):
		return fmt.Sprintf("supervisor waits: its core %s is neither posted nor placed%s", r.coreNames(ref), r.coreFailure(ref))
	case ev.Due < from:
		return fmt.Sprintf("its window ended on %s, before today %s: change its due date or remove it", ev.Due, s.today)
	case w.none || !w.asked:
		return fmt.Sprintf("nobody on the staff may take it automatically: %s events take a %s", ev.Type, who(ev))
	}
	var msgs []string
	seen := map[string]bool{}
	for _, emp := range w.order {
		m := w.msg[emp]
		if seen[m] {
			continue
		}
		seen[m] = true
		msgs = append(msgs, m)
	}
	when := "on " + w.from.String()
	if w.to != w.from {
		when = "between " + w.from.String() + " and " + w.to.String()
	}
	if len(msgs) == 1 && len(w.order) > 1 {
		// Everyone asked was kept off for the same reason: the event's,
		// not a person's (its day is locked, too early, ...).
		out := msgs[0]
		if w.bumped != "" {
			out += "; " + w.bumped
		}
		return out
	}
	more := ""
	if len(msgs) > maxReasons {
		more = fmt.Sprintf("; and %d more", len(msgs)-maxReasons)
		msgs = msgs[:maxReasons]
	}
	out := fmt.Sprintf("no %s free %s: %s%s", who(ev), when, strings.Join(msgs, "; "), more)
	if w.bumped != "" {
		out += "; " + w.bumped
	}
	return out
}

func (r *runner) coreHasDay(ref int64) bool {
	for _, c := range r.s.coresOf[ref] {
		if _, ok := r.s.current[c]; ok {
			return true
		}
	}
	return false
}

func (r *runner) coreNames(ref int64) string {
	var names []string
	for _, c := range r.s.coresOf[ref] {
		names = append(names, label(r.s.events[c], c))
	}
	return strings.Join(names, " or ")
}

// coreFailure says why a supervisor's core failed, when it did.
func (r *runner) coreFailure(ref int64) string {
	for _, c := range r.s.coresOf[ref] {
		if why, ok := r.s.failures[c]; ok {
			return " (the core failed: " + why + ")"
		}
	}
	return ""
}

func label(ev *rule.Event, ref int64) string {
	if ev == nil || ev.Name == "" {
		return fmt.Sprintf("event %d", ref)
	}
	return fmt.Sprintf("event %d (%s)", ref, ev.Name)
}

// who says whom the scheduler asks for an event, as a person would.
func who(ev *rule.Event) string {
	switch ev.Type {
	case rule.EventCore:
		return "lead, specialist or juicer"
	case rule.EventSupervisor:
		return "club supervisor or lead"
	case rule.EventJuicer:
		return "juicer"
	case rule.EventDigital:
		if ev.Kind == "teardown" {
			return "lead (other than the primary lead) or club supervisor"
		}
		return "lead or club supervisor"
	case rule.EventFreeosk:
		return "lead or club supervisor"
	}
	return "club supervisor or lead"
}
