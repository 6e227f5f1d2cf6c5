package scenario

import (
	"time"

	"github.com/crewplan/crewplan/host/internal/store"
)

// Dataset converts a parsed scenario into the rows the store imports, with
// by as the actor of its locked days.
func (s *Scenario) Dataset(by store.Actor) *store.Dataset {
	st := store.DefaultSettings()
	st.TimeSlots.Core = append(st.TimeSlots.Core[:0:0], s.Settings.CoreSlots...)
	st.Scheduler.EarliestOffsetDays = make(map[string]int, len(s.Settings.EarliestOffsetDays)+1)
	for t, n := range s.Settings.EarliestOffsetDays {
		st.Scheduler.EarliestOffsetDays[string(t)] = n
	}
	st.Scheduler.EarliestOffsetDays["default"] = s.Settings.EarliestOffsetDays[store.EventOther]
	st.Scheduler.MaxWorkDaysPerWeek = s.Settings.MaxWorkDaysPerWeek
	st.Scheduler.BumpProtectDays = s.Settings.BumpProtectDays

	d := &store.Dataset{Settings: &st}
	for _, e := range s.Employees {
		emp := store.Employee{ID: e.ID, Name: e.Name, Role: e.Role, Active: e.Active}
		if e.ExternalID != "" {
			id := e.ExternalID
			emp.ExternalID = &id
		}
		if !e.TerminatedOn.IsZero() {
			t := e.TerminatedOn
			emp.TerminatedOn = &t
		}
		if e.Weekly != nil {
			for wd, ok := range e.Weekly {
				emp.Weekly = append(emp.Weekly, store.WeeklyAvailability{Weekday: time.Weekday(wd), Available: ok})
			}
		}
		for _, u := range e.Unavailable {
			emp.DateAvailability = append(emp.DateAvailability, store.DateAvailability{Date: u, Kind: store.DateUnavailable})
		}
		for _, t := range e.TimeOff {
			emp.TimeOff = append(emp.TimeOff, store.TimeOff{StartDate: t.Start, EndDate: t.End, Reason: t.Reason})
		}
		d.Employees = append(d.Employees, emp)
	}
	for _, e := range s.Events {
		ev := store.Event{Ref: e.Ref, Name: e.Name, Type: e.Type, Kind: e.Kind, StartDate: e.Start, DueDate: e.Due, DurationMin: e.DurationMin, Condition: e.Condition}
		if e.ParentRef != 0 {
			p := e.ParentRef
			ev.ParentRef = &p
		}
		d.Events = append(d.Events, ev)
	}
	for _, p := range s.Posted {
		d.Posted = append(d.Posted, store.PostedSchedule{EventRef: p.Event, EmployeeID: p.Employee, Date: p.At.Date, StartMinute: p.At.Clock, Source: store.SourceImport})
	}
	for _, t := range store.RotationTypes {
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			if id := s.Rotations.On(t, wd); id != "" {
				d.Rotations = append(d.Rotations, store.Rotation{Type: t, Weekday: wd, EmployeeID: id})
			}
		}
	}
	for _, x := range s.RotationExceptions {
		d.RotationExceptions = append(d.RotationExceptions, store.RotationException{Date: x.Date, Type: x.Type, EmployeeID: x.Employee})
	}
	for _, h := range s.Holidays {
		d.Holidays = append(d.Holidays, store.Holiday{Date: h.Date, Name: h.Name})
	}
	now := time.Now().UTC()
	for _, l := range s.LockedDays {
		d.LockedDays = append(d.LockedDays, store.LockedDay{Date: l.Date, Reason: l.Reason, LockedBy: string(by), LockedAt: now})
	}
	return d
}

// AddHistory adds past assignments to a dataset: each becomes a past event
// (submitted), its posted schedule and its attendance record.
func AddHistory(d *store.Dataset, history []PastAssignment, by store.Actor) {
	now := time.Now().UTC()
	for _, h := range history {
		kind := store.DetectEventKind(h.Type, h.Name)
		d.Events = append(d.Events, store.Event{
			Ref: h.Event, Name: h.Name, Type: h.Type, Kind: kind, StartDate: h.Date, DueDate: h.Date,
			DurationMin: store.DefaultDuration(h.Type, kind), Condition: store.ConditionSubmitted,
		})
		d.Posted = append(d.Posted, store.PostedSchedule{EventRef: h.Event, EmployeeID: h.Employee, Date: h.Date, StartMinute: h.Start, Source: store.SourceImport})
		d.Attendance = append(d.Attendance, store.AttendanceRecord{
			EventRef: h.Event, EmployeeID: h.Employee, Date: h.Date, Status: h.Attendance, MinutesLate: h.MinutesLate,
			RecordedBy: string(by), RecordedAt: now,
		})
	}
}
