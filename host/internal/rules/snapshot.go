// Package rules is the one rule engine of crewplan: it turns the store's
// data into the batches rule plugins check, asks every rule, and merges
// their verdicts. The auto-scheduler, manual scheduling, proposal edits and
// the verification panel all go through it, so one set of rules decides
// everywhere.
package rules

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Snapshot is the data of a stretch of days that checks need, converted to
// the rule API once: a run or a request builds one and checks many
// candidates against it.
type Snapshot struct {
	Now        civil.DateTime
	Settings   rule.Settings
	Events     []rule.Event
	Employees  []rule.Employee
	Posted     []rule.Assignment
	Holidays   []civil.Date
	LockedDays []civil.Date
	// From and To are the days the snapshot covers: whole Sunday-to-Saturday
	// weeks, so that a week's working days are all in it.
	From, To civil.Date
}

// Load reads what checks of placements between from and to need: every
// employee, the events whose window touches those weeks, the posted
// assignments, holidays and locked days of those weeks, and the settings.
func Load(ctx context.Context, s *store.Store, from, to civil.Date, now civil.DateTime) (*Snapshot, error) {
	if to < from {
		return nil, fmt.Errorf("load rule snapshot: %s is before %s", to, from)
	}
	snap := &Snapshot{Now: now, From: from.WeekStart(), To: to.WeekStart().AddDays(6)}
	st, err := s.GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	snap.Settings = Settings(st)
	emps, err := s.ListEmployees(ctx, store.EmployeeFilter{})
	if err != nil {
		return nil, err
	}
	snap.Employees = make([]rule.Employee, len(emps))
	for i := range emps {
		snap.Employees[i] = Employee(&emps[i])
	}
	evs, err := s.ListEvents(ctx, store.EventFilter{From: snap.From, To: snap.To})
	if err != nil {
		return nil, err
	}
	seen := make(map[int64]bool, len(evs))
	for i := range evs {
		snap.Events = append(snap.Events, Event(&evs[i].Event))
		seen[evs[i].Ref] = true
	}
	posted, err := s.ListPosted(ctx, store.ScheduleFilter{From: snap.From, To: snap.To})
	if err != nil {
		return nil, err
	}
	for _, p := range posted {
		snap.Posted = append(snap.Posted, rule.Assignment{Event: p.EventRef, Employee: p.EmployeeID, Date: p.Date, Start: p.StartMinute})
		if !seen[p.EventRef] {
			// Posted on a day outside the event's window: still part of
			// the employee's day.
			ev, err := s.GetEvent(ctx, p.EventRef)
			if err != nil {
				return nil, err
			}
			snap.Events = append(snap.Events, Event(&ev.Event))
			seen[p.EventRef] = true
		}
	}
	// A supervisor's core may lie outside the window (its parent).
	for i := 0; i < len(snap.Events); i++ {
		if p := snap.Events[i].ParentRef; p != 0 && !seen[p] {
			ev, err := s.GetEvent(ctx, p)
			if err != nil {
				return nil, err
			}
			snap.Events = append(snap.Events, Event(&ev.Event))
			seen[p] = true
			if ev.Schedule != nil {
				snap.Posted = append(snap.Posted, rule.Assignment{Event: p, Employee: ev.Schedule.EmployeeID, Date: ev.Schedule.Date, Start: ev.Schedule.StartMinute})
			}
		}
	}
	hs, err := s.ListHolidays(ctx, store.DateRange{From: snap.From, To: snap.To})
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		snap.Holidays = append(snap.Holidays, h.Date)
	}
	ls, err := s.ListLockedDays(ctx, store.DateRange{From: snap.From, To: snap.To})
	if err != nil {
		return nil, err
	}
	for _, l := range ls {
		snap.LockedDays = append(snap.LockedDays, l.Date)
	}
	return snap, nil
}

// Settings converts the store's settings to the rule API's.
func Settings(st store.Settings) rule.Settings {
	off := make(map[string]int, len(st.Scheduler.EarliestOffsetDays))
	for k, v := range st.Scheduler.EarliestOffsetDays {
		off[k] = v
	}
	return rule.Settings{EarliestOffsetDays: off, MaxWorkDaysPerWeek: st.Scheduler.MaxWorkDaysPerWeek}
}

// Employee converts a store employee to the rule API's.
func Employee(e *store.Employee) rule.Employee {
	out := rule.Employee{ID: e.ID, Name: e.Name, Role: rule.Role(e.Role), Active: e.Active,
		Attributes: map[string]string{"adult_beverage_trained": fmt.Sprint(e.AdultBeverageTrained)}}
	if e.TerminatedOn != nil {
		out.TerminatedOn = *e.TerminatedOn
	}
	if len(e.Weekly) > 0 {
		w := [7]bool{true, true, true, true, true, true, true}
		for _, d := range e.Weekly {
			if d.Weekday >= time.Sunday && d.Weekday <= time.Saturday {
				w[d.Weekday] = d.Available
			}
		}
		out.Weekly = &w
	}
	for _, d := range e.DateAvailability {
		switch d.Kind {
		case store.DateUnavailable:
			out.Unavailable = append(out.Unavailable, d.Date)
		case store.DateOverride:
			out.Overrides = append(out.Overrides, d.Date)
		}
	}
	for _, t := range e.TimeOff {
		out.TimeOff = append(out.TimeOff, rule.DateRange{Start: t.StartDate, End: t.EndDate, Reason: t.Reason})
	}
	return out
}

// Event converts a store event to the rule API's.
func Event(e *store.Event) rule.Event {
	out := rule.Event{Ref: e.Ref, Name: e.Name, Type: rule.EventType(e.Type), Kind: string(e.Kind),
		Start: e.StartDate, Due: e.DueDate, DurationMin: e.DurationMin}
	if e.ParentRef != nil {
		out.ParentRef = *e.ParentRef
	}
	return out
}

// Include adds event ref, and the core it names as its parent, to snap
// when they are not in it, with their posted assignments: a change to a
// day outside the weeks the event's window touches still has the event's
// facts to be checked against.
func (snap *Snapshot) Include(ctx context.Context, s *store.Store, ref int64) error {
	for ref != 0 {
		if slices.ContainsFunc(snap.Events, func(e rule.Event) bool { return e.Ref == ref }) {
			return nil
		}
		ev, err := s.GetEvent(ctx, ref)
		if err != nil {
			return err
		}
		snap.Events = append(snap.Events, Event(&ev.Event))
		if p := ev.Schedule; p != nil && !slices.ContainsFunc(snap.Posted, func(a rule.Assignment) bool { return a.Event == ref }) {
			snap.Posted = append(snap.Posted, rule.Assignment{Event: ref, Employee: p.EmployeeID, Date: p.Date, Start: p.StartMinute})
		}
		ref = 0
		if ev.ParentRef != nil {
			ref = *ev.ParentRef
		}
	}
	return nil
}
