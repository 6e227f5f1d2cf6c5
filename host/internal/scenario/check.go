package scenario

import (
	"fmt"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// check reports the problems that span fields: ranges of dates, repeated
// ids and dates, and references to employees and events that do not exist
// or have the wrong role or type. Zero values (absent, or already reported
// by the decoder) are skipped.
func check(s *Scenario, ps *problems) {
	employees := make(map[string]int, len(s.Employees))
	external := make(map[string]int, len(s.Employees))
	for i := range s.Employees {
		e := &s.Employees[i]
		if e.ID != "" {
			if j, ok := employees[e.ID]; ok {
				ps.add(fmt.Sprintf("employees[%d].id", i), "id %q is used twice (also employees[%d])", e.ID, j)
			} else {
				employees[e.ID] = i
			}
		}
		if e.ExternalID != "" {
			if j, ok := external[e.ExternalID]; ok {
				ps.add(fmt.Sprintf("employees[%d].external_id", i), "external id %q is used twice (also employees[%d])", e.ExternalID, j)
			} else {
				external[e.ExternalID] = i
			}
		}
		for k, t := range e.TimeOff {
			if !t.Start.IsZero() && !t.End.IsZero() && t.End.Before(t.Start) {
				ps.add(fmt.Sprintf("employees[%d].time_off[%d].end", i, k), "%s is before start %s", t.End, t.Start)
			}
		}
	}
	employee := func(path, id string) *Employee {
		if id == "" {
			return nil
		}
		i, ok := employees[id]
		if !ok {
			ps.add(path, "no employee %q", id)
			return nil
		}
		return &s.Employees[i]
	}

	events := make(map[int64]int, len(s.Events))
	for i := range s.Events {
		e := &s.Events[i]
		if e.Ref == 0 {
			continue
		}
		if j, ok := events[e.Ref]; ok {
			ps.add(fmt.Sprintf("events[%d].ref", i), "ref %d is used twice (also events[%d])", e.Ref, j)
			continue
		}
		events[e.Ref] = i
	}
	for i := range s.Events {
		e := &s.Events[i]
		if !e.Start.IsZero() && !e.Due.IsZero() && e.Due.Before(e.Start) {
			ps.add(fmt.Sprintf("events[%d].due", i), "%s is before start %s", e.Due, e.Start)
		}
		if e.ParentRef == 0 {
			continue
		}
		path := fmt.Sprintf("events[%d].parent_ref", i)
		j, ok := events[e.ParentRef]
		switch {
		case e.Type != store.EventSupervisor:
			ps.add(path, "only a supervisor event has a parent, and this is a %s event", e.Type)
		case !ok:
			ps.add(path, "no event %d", e.ParentRef)
		case s.Events[j].Type != store.EventCore:
			ps.add(path, "event %d is a %s event, not a core event", e.ParentRef, s.Events[j].Type)
		}
	}

	for _, t := range store.RotationTypes {
		days := s.Rotations.days(t)
		for _, wd := range weekdayKeys {
			path := fmt.Sprintf("rotations.%s.%s", t, store.Weekdays[wd])
			if e := employee(path, days[wd]); e != nil {
				checkRotationRole(ps, path, t, e)
			}
		}
	}
	type dayType struct {
		day civil.Date
		t   store.RotationType
	}
	exceptions := make(map[dayType]int, len(s.RotationExceptions))
	for i, x := range s.RotationExceptions {
		if e := employee(fmt.Sprintf("rotation_exceptions[%d].employee", i), x.Employee); e != nil && x.Type != "" {
			checkRotationRole(ps, fmt.Sprintf("rotation_exceptions[%d].employee", i), x.Type, e)
		}
		if x.Date.IsZero() || x.Type == "" {
			continue
		}
		k := dayType{x.Date, x.Type}
		if j, ok := exceptions[k]; ok {
			ps.add(fmt.Sprintf("rotation_exceptions[%d]", i), "a second %s exception for %s (also rotation_exceptions[%d])", x.Type, x.Date, j)
			continue
		}
		exceptions[k] = i
	}

	holidays := make(map[civil.Date]int, len(s.Holidays))
	for i, h := range s.Holidays {
		if h.Date.IsZero() {
			continue
		}
		if j, ok := holidays[h.Date]; ok {
			ps.add(fmt.Sprintf("holidays[%d].date", i), "%s is listed twice (also holidays[%d])", h.Date, j)
			continue
		}
		holidays[h.Date] = i
	}
	locked := make(map[civil.Date]int, len(s.LockedDays))
	for i, l := range s.LockedDays {
		if l.Date.IsZero() {
			continue
		}
		if j, ok := locked[l.Date]; ok {
			ps.add(fmt.Sprintf("locked_days[%d].date", i), "%s is listed twice (also locked_days[%d])", l.Date, j)
			continue
		}
		locked[l.Date] = i
	}

	posted := make(map[int64]int, len(s.Posted))
	for i, a := range s.Posted {
		if a.Event != 0 {
			if _, ok := events[a.Event]; !ok {
				ps.add(fmt.Sprintf("posted[%d].event", i), "no event %d", a.Event)
			} else if j, ok := posted[a.Event]; ok {
				ps.add(fmt.Sprintf("posted[%d].event", i), "event %d is already posted (posted[%d])", a.Event, j)
			} else {
				posted[a.Event] = i
			}
		}
		employee(fmt.Sprintf("posted[%d].employee", i), a.Employee)
	}
}

// checkRotationRole reports e when its role cannot work rotation t: the
// juicer rotation takes a juicer, the primary-lead rotation a lead.
func checkRotationRole(ps *problems, path string, t store.RotationType, e *Employee) {
	want := store.RoleJuicer
	if t == store.RotationPrimaryLead {
		want = store.RoleLead
	}
	if e.Role != "" && e.Role != want {
		ps.add(path, "%q is %s, not %s", e.ID, article(e.Role), article(want))
	}
}

// article returns a role with its article, for messages: "a lead".
func article(r store.Role) string {
	return "a " + string(r)
}
