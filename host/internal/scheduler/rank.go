package scheduler

import (
	"cmp"
	"context"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Ranker orders the candidates of one decision: the scheduler places the
// first of its order who passes every hard rule (the ranking suggests, the
// rules decide). The rule-based ranking of scheduling-rules.md is
// RuleRanking; a ranking model implements Ranker too, and whenever it errs
// the scheduler falls back to the rule-based order for that decision and
// counts the fallback.
type Ranker interface {
	// Name names the ranking in the run record: "rules", or a model's
	// name and version.
	Name() string
	// Rank returns the order in which to try d.Choices, best first, as a
	// permutation of their indexes. d.Choices come in the rule-based
	// order. A model that cannot be trusted for this decision returns an
	// error; an error with a Reason() string method is counted under that
	// reason. The run reads the order before it asks again, and keeps
	// neither it nor d: a Ranker may reuse the slice it returns.
	Rank(ctx context.Context, d *Decision) ([]int, error)
}

// Decision is one placement's choice: the employees the scheduler may
// place on an event on a day by the spec's automatic preference, leaving
// out those the run already knows to fail that day (they could not be
// placed whatever the order). They are not checked yet; the rules check
// them in the order Rank returns, and the first who passes is placed. A
// ranking is asked about each day of the event's window in turn, from the
// earliest, until a day has someone who passes.
type Decision struct {
	Event *rule.Event
	Date  civil.Date
	// Start is the time the event would start on Date.
	Start civil.Clock
	// Choices are in the rule-based order: preference tier, then fewest
	// assignments that week, then lowest id.
	Choices []Choice

	s *state
}

// Load is an employee's part of the schedule a run is building, in the
// week of a decision: posted assignments the run keeps and its proposals
// so far.
type Load struct {
	Assignments int // in the week
	Minutes     int // the assignments' total duration
	Days        int // days of the week with at least one assignment
	Today       int // assignments on the decision's day
}

// Load returns the load of d.Choices[i]'s employee. A Decision made
// outside a run (without a schedule) reports only WeekLoad.
func (d *Decision) Load(i int) Load {
	c := &d.Choices[i]
	l := Load{Assignments: c.WeekLoad}
	if d.s == nil {
		return l
	}
	wk := d.Date.WeekStart()
	for k := range 7 {
		day := wk.AddDays(k)
		j := d.s.failsAt(c.idx, day)
		if j < 0 || d.s.daily[j] == 0 {
			continue
		}
		l.Days++
		l.Minutes += int(d.s.minutes[j])
		if day == d.Date {
			l.Today = int(d.s.daily[j])
		}
	}
	return l
}

// Choice is one qualified employee of a decision.
type Choice struct {
	Employee *rule.Employee
	// Tier is the employee's place in the event type's automatic
	// preference (0 first): for a core, leads 0, specialists 1, juicers 2.
	Tier int
	// WeekLoad is how many assignments (posted or proposed) the employee
	// has in the decision's week.
	WeekLoad int

	idx int // the employee's index in the run's employees, sorted by id
}

// Index returns the employee's number in the run: from 0 to the run's
// employee count minus one, the same for the whole run, so that a ranking
// can keep what it knows of each employee in a slice.
func (c *Choice) Index() int { return c.idx }

// Employees returns how many employees the run has (see Choice.Index).
func (d *Decision) Employees() int {
	if d.s == nil {
		return 0
	}
	return len(d.s.emps)
}

// RuleRanking is the rule-based ranking: it keeps the order the choices
// come in.
type RuleRanking struct{}

var _ Ranker = RuleRanking{}

// Name returns "rules".
func (RuleRanking) Name() string { return "rules" }

// Rank returns the identity order.
func (RuleRanking) Rank(_ context.Context, d *Decision) ([]int, error) {
	order := make([]int, len(d.Choices))
	for i := range order {
		order[i] = i
	}
	return order, nil
}

// compareChoices is the rule-based order: preference tier, then fewest
// assignments that week, then lowest id.
func compareChoices(a, b Choice) int {
	return cmp.Or(cmp.Compare(a.Tier, b.Tier), cmp.Compare(a.WeekLoad, b.WeekLoad), cmp.Compare(a.Employee.ID, b.Employee.ID))
}

// validOrder reports whether order is a permutation of 0..n-1.
func (r *runner) validOrder(order []int, n int) bool {
	if len(order) != n {
		return false
	}
	r.seen = append(r.seen[:0], make([]bool, n)...)
	for _, i := range order {
		if i < 0 || i >= n || r.seen[i] {
			return false
		}
		r.seen[i] = true
	}
	return true
}

// Preference returns who the spec's automatic preference allows for an
// event on day d, by role or person (the day's rotation juicer and primary
// lead come from r), as a function from employee to tier: 0 first, -1 not
// a candidate. Qualification itself is a hard rule the plugins check; this
// is only whom the scheduler asks about, and in which order it prefers
// them. Training a ranking model uses it too, so that a past decision's
// candidates are the ones a run would have asked about.
func (r *Rotations) Preference(ev *rule.Event, d civil.Date) func(e *rule.Employee) int {
	primary := r.PrimaryLeadOf(d)
	switch ev.Type {
	case rule.EventCore:
		return func(e *rule.Employee) int {
			switch e.Role {
			case rule.RoleLead:
				return 0
			case rule.RoleSpecialist:
				return 1
			case rule.RoleJuicer:
				return 2
			}
			return -1 // never a club supervisor automatically
		}
	case rule.EventSupervisor:
		return func(e *rule.Employee) int {
			switch {
			case e.Role == rule.RoleClubSupervisor:
				return 0
			case e.Role == rule.RoleLead && e.ID == primary:
				return 1
			case e.Role == rule.RoleLead:
				return 2
			}
			return -1
		}
	case rule.EventJuicer:
		juicer := r.JuicerOf(d)
		return func(e *rule.Employee) int {
			switch {
			case e.Role != rule.RoleJuicer:
				return -1
			case e.ID == juicer:
				return 0
			}
			return 1 // the juicer fallback: any other juicer who can work
		}
	case rule.EventDigital:
		if ev.Kind == "teardown" {
			return func(e *rule.Employee) int {
				switch {
				case e.Role == rule.RoleLead && e.ID != primary:
					return 0
				case e.Role == rule.RoleClubSupervisor:
					return 1
				}
				return -1
			}
		}
		fallthrough
	case rule.EventFreeosk:
		return func(e *rule.Employee) int {
			switch {
			case e.Role == rule.RoleLead && e.ID == primary:
				return 0
			case e.Role == rule.RoleLead:
				return 1
			case e.Role == rule.RoleClubSupervisor:
				return 2
			}
			return -1
		}
	}
	// other
	return func(e *rule.Employee) int {
		switch e.Role {
		case rule.RoleClubSupervisor:
			return 0
		case rule.RoleLead:
			return 1
		}
		return -1
	}
}

// tiers is the automatic preference of ev on day d (see
// Rotations.Preference).
func (s *state) tiers(ev *rule.Event, d civil.Date) func(e *rule.Employee) int {
	return s.in.Rotations.Preference(ev, d)
}
