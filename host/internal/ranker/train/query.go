package train

import (
	"cmp"
	"slices"

	"github.com/crewplan/crewplan/host/internal/ranker/features"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Query is one held-out decision (see the package doc): its candidates'
// feature rows, whether each was relevant, and the rule-based order.
type Query struct {
	Event int64
	Date  civil.Date
	// Employees are the candidates, in the rule-based order: the rules'
	// ranking puts Employees[0] first.
	Employees []string
	X         []float32 // len(Employees) rows of features.Count
	Relevant  []bool
}

// Queries returns the evaluation queries of the held-out events of days
// from from up to before to (zero: no bound).
func (d *Data) Queries(from, to civil.Date) []Query {
	// Who worked each day, and whether their whole day went as scheduled.
	dayOK := map[empDate]bool{}
	workers := map[civil.Date][]string{}
	for i := range d.Worked {
		w := &d.Worked[i]
		k := empDate{w.EmployeeID, w.Date}
		ok, seen := dayOK[k]
		if !seen {
			workers[w.Date] = append(workers[w.Date], w.EmployeeID)
			ok = true
		}
		dayOK[k] = ok && d.records[i].Succeeded()
	}
	var out []Query
	done := map[int64]bool{}
	for i := range d.Worked {
		w := &d.Worked[i]
		if w.Date < from || (!to.IsZero() && w.Date >= to) || done[w.EventRef] {
			continue
		}
		done[w.EventRef] = true
		type cand struct {
			c  features.Candidate
			ok bool
		}
		var cs []cand
		for _, emp := range workers[w.Date] {
			if !d.eligible(emp, w) {
				continue
			}
			self := -1
			if emp == w.EmployeeID {
				self = i
			}
			cs = append(cs, cand{d.candidate(emp, w, self), dayOK[empDate{emp, w.Date}]})
		}
		if len(cs) < 2 {
			continue
		}
		slices.SortFunc(cs, func(a, b cand) int {
			return cmp.Or(cmp.Compare(a.c.Tier, b.c.Tier), cmp.Compare(a.c.Week, b.c.Week), cmp.Compare(a.c.Employee, b.c.Employee))
		})
		q := Query{Event: w.EventRef, Date: w.Date}
		x := d.context(w)
		for _, c := range cs {
			q.Employees = append(q.Employees, c.c.Employee)
			q.X = d.history.Append(q.X, &c.c, &x)
			q.Relevant = append(q.Relevant, c.ok)
		}
		out = append(out, q)
	}
	return out
}

// eligible reports whether the automatic preference allows emp for w's
// event on w's day.
func (d *Data) eligible(emp string, w *store.WorkedAssignment) bool {
	ev := event(w)
	return d.Rotations.Preference(&ev, w.Date)(&rule.Employee{ID: emp, Role: d.Roles[emp]}) >= 0
}
