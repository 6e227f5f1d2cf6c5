// Package train builds ranking models from a store's own history: it
// turns worked assignments into examples with the feature extractor of
// package features, splits them by time, trains gradient-boosted trees
// (package boost), writes the model module with its card (package
// evaluator) and evaluates a model on the held-out period against the
// rule-based ranking (package metrics).
//
// # Examples and the held-out period
//
// A training example is one worked assignment: its features as of its day
// (the history before that day, the rest of its week's work), labelled
// with whether it was worked as scheduled (features.Record.Succeeded).
//
// The days with assignments are split in time order: the first ones
// train, the next ValidFraction of them stop the training early, the last
// TestFraction of them are held out. No example of a later period is seen
// before an earlier one's; every feature of a row sees only records before
// the row's day.
//
// An evaluation query is one held-out event: its candidates are the
// employees the spec's automatic preference allows for it on its day who
// worked that day, so that how their day went is known; a candidate is
// relevant when every assignment of their day was worked as scheduled.
// The model orders them by score; the rule-based ranking by preference
// tier, then fewest assignments that week, then lowest id. Events with
// fewer than two such candidates are left out.
package train

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/crewplan/crewplan/host/internal/ranker/features"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Data is a store's history as training and evaluation read it.
type Data struct {
	// Worked are the worked assignments, by date.
	Worked []store.WorkedAssignment
	// Roles are the employees' roles, by id.
	Roles map[string]rule.Role
	// Rotations say who the juicer and primary lead of each past day were.
	Rotations scheduler.Rotations
	// HolidayWeeks are the weeks (by their Sunday) with a company holiday.
	HolidayWeeks map[civil.Date]bool

	records []features.Record // Worked, converted
	history *features.History
	// byWeek and byDay index Worked by employee and week, and employee
	// and day.
	byWeek map[empDate][]int
	byDay  map[empDate][]int
	days   []civil.Date // the distinct days of Worked, in order
}

type empDate struct {
	emp string
	d   civil.Date
}

// ErrTooLittle means a store's history is too short to train or evaluate
// on.
var ErrTooLittle = fmt.Errorf("too little history")

// Load reads the history of st: worked assignments of days before before
// (all of them when before is zero), employees, rotations and holidays.
func Load(ctx context.Context, st *store.Store, before civil.Date) (*Data, error) {
	worked, err := st.ListWorked(ctx, before)
	if err != nil {
		return nil, err
	}
	emps, err := st.ListEmployees(ctx, store.EmployeeFilter{})
	if err != nil {
		return nil, err
	}
	d := &Data{Worked: worked, Roles: map[string]rule.Role{}, HolidayWeeks: map[civil.Date]bool{}}
	for _, e := range emps {
		d.Roles[e.ID] = rule.Role(e.Role)
	}
	if len(worked) == 0 {
		d.index()
		return d, nil
	}
	from, to := worked[0].Date, worked[len(worked)-1].Date
	if d.Rotations, err = runs.LoadRotations(ctx, st, from, to); err != nil {
		return nil, err
	}
	hs, err := st.ListHolidays(ctx, store.DateRange{From: from, To: to})
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		d.HolidayWeeks[h.Date.WeekStart()] = true
	}
	d.index()
	return d, nil
}

// index builds the lookups of d from d.Worked.
func (d *Data) index() {
	slices.SortStableFunc(d.Worked, func(a, b store.WorkedAssignment) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.EventRef, b.EventRef), cmp.Compare(a.EmployeeID, b.EmployeeID))
	})
	d.records = features.FromStore(d.Worked)
	d.history = features.NewHistory(d.records)
	d.byWeek = map[empDate][]int{}
	d.byDay = map[empDate][]int{}
	d.days = d.days[:0]
	for i, w := range d.Worked {
		wk := empDate{w.EmployeeID, w.Date.WeekStart()}
		d.byWeek[wk] = append(d.byWeek[wk], i)
		day := empDate{w.EmployeeID, w.Date}
		d.byDay[day] = append(d.byDay[day], i)
		if n := len(d.days); n == 0 || d.days[n-1] != w.Date {
			d.days = append(d.days, w.Date)
		}
	}
}

// History returns the feature extractor's index of d's records.
func (d *Data) History() *features.History { return d.history }

// Span returns the first and last day with a worked assignment.
func (d *Data) Span() (first, last civil.Date) {
	if len(d.days) == 0 {
		return 0, 0
	}
	return d.days[0], d.days[len(d.days)-1]
}

// Split is where the periods of a time split start: training is every day
// before Valid, validation the days from Valid to before Test, the
// held-out period the days from Test on.
type Split struct {
	Valid, Test civil.Date
}

// The default fractions of the days in each period.
const (
	DefaultValidFraction = 0.15
	DefaultTestFraction  = 0.2
	// MinDays is the fewest days with assignments a split accepts: each
	// period needs a few.
	MinDays = 15
)

// SplitByTime splits d's days in time order: the last testFrac of them are
// held out, the validFrac before them validate (see the package doc).
func (d *Data) SplitByTime(validFrac, testFrac float64) (Split, error) {
	n := len(d.days)
	if n < MinDays {
		return Split{}, fmt.Errorf("%w: %d days with worked assignments; training needs at least %d", ErrTooLittle, n, MinDays)
	}
	if validFrac <= 0 || testFrac <= 0 || validFrac+testFrac >= 0.9 {
		return Split{}, fmt.Errorf("split: validation %.2f and test %.2f: want fractions above 0 that leave at least 0.1 to train on", validFrac, testFrac)
	}
	test := n - max(1, int(float64(n)*testFrac+0.5))
	valid := test - max(1, int(float64(n)*validFrac+0.5))
	return Split{Valid: d.days[valid], Test: d.days[test]}, nil
}

// Examples are training rows: a row-major feature matrix with one label
// per row.
type Examples struct {
	X    []float32
	Y    []float32 // 1 for success, 0 for failure
	Rows int
}

// Positives counts the rows labelled 1.
func (e *Examples) Positives() int {
	n := 0
	for _, y := range e.Y {
		if y == 1 {
			n++
		}
	}
	return n
}

// Examples returns the rows of the worked assignments of days from from
// up to before to (zero: no bound).
func (d *Data) Examples(from, to civil.Date) Examples {
	var ex Examples
	for i := range d.Worked {
		w := &d.Worked[i]
		if w.Date < from || (!to.IsZero() && w.Date >= to) {
			continue
		}
		c := d.candidate(w.EmployeeID, w, i)
		x := d.context(w)
		ex.X = d.history.Append(ex.X, &c, &x)
		y := float32(0)
		if d.records[i].Succeeded() {
			y = 1
		}
		ex.Y = append(ex.Y, y)
		ex.Rows++
	}
	return ex
}

// candidate returns employee emp as a candidate for w's event: their
// preference tier on w's day, and their worked load of w's week and day
// without the assignment at index self (-1: none).
func (d *Data) candidate(emp string, w *store.WorkedAssignment, self int) features.Candidate {
	c := features.Candidate{Employee: emp, Role: d.Roles[emp], Tier: d.tier(emp, w)}
	var days [7]bool
	for _, j := range d.byWeek[empDate{emp, w.Date.WeekStart()}] {
		if j == self {
			continue
		}
		o := &d.Worked[j]
		c.Week++
		c.Minute += o.DurationMin
		if k := o.Date.WeekStart().DaysUntil(o.Date); !days[k] {
			days[k] = true
			c.Days++
		}
		if o.Date == w.Date {
			c.Today++
		}
	}
	return c
}

// tier is emp's place in the automatic preference for w's event on w's
// day; a role the preference does not know gets the tier after the last.
func (d *Data) tier(emp string, w *store.WorkedAssignment) int {
	ev := event(w)
	t := d.Rotations.Preference(&ev, w.Date)(&rule.Employee{ID: emp, Role: d.Roles[emp]})
	if t < 0 {
		return 3
	}
	return t
}

func event(w *store.WorkedAssignment) rule.Event {
	return rule.Event{Ref: w.EventRef, Type: rule.EventType(w.Type), Kind: string(w.Kind), Start: w.StartDate, Due: w.DueDate, DurationMin: w.DurationMin}
}

// context returns the event side of w's row. A past decision's day is
// unknown: it is taken as the day before the event's window opened.
func (d *Data) context(w *store.WorkedAssignment) features.Context {
	start := w.StartDate
	if start.IsZero() || start > w.Date {
		start = w.Date
	}
	due := w.DueDate
	if due < w.Date {
		due = w.Date
	}
	return features.Context{
		Type: rule.EventType(w.Type), Date: w.Date, Start: w.StartMinute, DurationMin: w.DurationMin,
		Due: due, WindowStart: start, Now: start.AddDays(-1), HolidayWeek: d.HolidayWeeks[w.Date.WeekStart()],
	}
}
