package rule

import (
	"strconv"
	"sync"

	"github.com/crewplan/crewplan/sdk/civil"
)

// batchIndex holds the lookups a Batch builds on first use.
type batchIndex struct {
	*contextIndex
	byEmpDay map[empDay][]int // indexes into Assignments
	byEvent  map[int64][]int
}

// contextIndex holds the lookups of a batch's context: events, employees,
// calendar. A Context keeps them for every batch it is set on.
type contextIndex struct {
	events    map[int64]*Event
	employees map[string]*Employee
	holidays  map[civil.Date]bool
	locked    map[civil.Date]bool
	labels    sync.Map // event ref → EventLabel, for the context's events
}

func newContextIndex(events []Event, employees []Employee, holidays, locked []civil.Date) *contextIndex {
	x := &contextIndex{
		events:    make(map[int64]*Event, len(events)),
		employees: make(map[string]*Employee, len(employees)),
		holidays:  make(map[civil.Date]bool, len(holidays)),
		locked:    make(map[civil.Date]bool, len(locked)),
	}
	for i := range events {
		x.events[events[i].Ref] = &events[i]
	}
	for i := range employees {
		x.employees[employees[i].ID] = &employees[i]
	}
	for _, d := range holidays {
		x.holidays[d] = true
	}
	for _, d := range locked {
		x.locked[d] = true
	}
	return x
}

type empDay struct {
	emp string
	day civil.Date
}

// idx returns the batch's lookups, built once on first use; rules may read
// one Batch from several goroutines.
func (b *Batch) idx() *batchIndex {
	b.once.Do(b.buildIndex)
	return b.index
}

func (b *Batch) buildIndex() {
	x := &batchIndex{
		byEmpDay: make(map[empDay][]int, len(b.Assignments)),
		byEvent:  make(map[int64][]int, len(b.Assignments)),
	}
	if b.kept != nil {
		x.contextIndex = b.kept.lookups()
	} else {
		x.contextIndex = newContextIndex(b.Events, b.Employees, b.Holidays, b.LockedDays)
	}
	for i, a := range b.Assignments {
		k := empDay{a.Employee, a.Date}
		x.byEmpDay[k] = append(x.byEmpDay[k], i)
		x.byEvent[a.Event] = append(x.byEvent[a.Event], i)
	}
	b.index = x
}

// Reindex drops the lookups and the cached wire encoding after a change to
// the batch's slices; a rule
// never needs it, a host that reuses a Batch does (not while rules read
// it).
func (b *Batch) Reindex() {
	b.once = sync.Once{}
	b.index = nil
	b.kept = nil
	b.wireMu.Lock()
	b.wire[0].req, b.wire[1].req = nil, nil
	b.wireMu.Unlock()
}

// Event returns the event with ref, nil when the batch has none.
func (b *Batch) Event(ref int64) *Event { return b.idx().events[ref] }

// Employee returns the employee with id, nil when the batch has none.
func (b *Batch) Employee(id string) *Employee { return b.idx().employees[id] }

// IsHoliday reports whether d is a company holiday.
func (b *Batch) IsHoliday(d civil.Date) bool { return b.idx().holidays[d] }

// IsLocked reports whether d is a locked day.
func (b *Batch) IsLocked(d civil.Date) bool { return b.idx().locked[d] }

// AssignmentsOn returns the assignments of employee on day d, leaving out
// the one of event skip (a candidate's Replaces, or the candidate's own
// event when it is being moved); skip 0 leaves out nothing.
func (b *Batch) AssignmentsOn(employee string, d civil.Date, skip ...int64) []Assignment {
	ids := b.idx().byEmpDay[empDay{employee, d}]
	out := make([]Assignment, 0, len(ids))
	for _, i := range ids {
		a := b.Assignments[i]
		if skipped(a.Event, skip) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// AssignmentsOf returns the assignments of an event (normally one).
func (b *Batch) AssignmentsOf(event int64) []Assignment {
	ids := b.idx().byEvent[event]
	out := make([]Assignment, len(ids))
	for j, i := range ids {
		out[j] = b.Assignments[i]
	}
	return out
}

func skipped(ref int64, skip []int64) bool {
	for _, s := range skip {
		if s != 0 && s == ref {
			return true
		}
	}
	return false
}

// EventLabel names an event the way a coordinator finds it, for violation
// messages: "event 612103 (612103-CF-Apple Slices - V2-CORE)", or
// "event 612103" when the batch does not have it.
func (b *Batch) EventLabel(ref int64) string {
	x := b.idx()
	if l, ok := x.labels.Load(ref); ok {
		return l.(string)
	}
	s := "event " + strconv.FormatInt(ref, 10)
	ev := x.events[ref]
	if ev != nil && ev.Name != "" {
		s += " (" + ev.Name + ")"
	}
	if ev != nil {
		x.labels.Store(ref, s) // made once per context, not once per message
	}
	return s
}

// EmployeeLabel names an employee for violation messages: their name, or
// "employee ID" when the batch does not know it.
func (b *Batch) EmployeeLabel(id string) string {
	if e := b.Employee(id); e != nil && e.Name != "" {
		return e.Name
	}
	return "employee " + id
}
