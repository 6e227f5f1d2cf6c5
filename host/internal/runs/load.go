// Package runs starts, records and reviews scheduler runs: it loads the
// scheduler's input from the store, holds the database's run lock while a
// run works, stores what the run proposes, and applies or rejects it on
// review. The scheduling itself is package scheduler's.
package runs

import (
	"context"
	"fmt"
	"slices"

	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// Load reads the scheduler's input from st as of now: every unstaffed event
// without a posted schedule is to be placed, against the data of the weeks
// from today (or the earliest such event's start) to the latest due date.
func Load(ctx context.Context, st *store.Store, now civil.DateTime) (*scheduler.Input, error) {
	settings, err := st.GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	open, err := st.ListEvents(ctx, store.EventFilter{Condition: store.ConditionUnstaffed})
	if err != nil {
		return nil, err
	}
	in := &scheduler.Input{Settings: settings, PostedIDs: map[int64]int64{}}
	from, to := now.Date, now.Date
	for i := range open {
		e := &open[i]
		if e.Schedule != nil {
			continue
		}
		in.ToPlace = append(in.ToPlace, e.Ref)
		from = min(from, e.StartDate)
		to = max(to, e.DueDate)
	}
	slices.Sort(in.ToPlace)
	snap, err := rules.Load(ctx, st, from, to, now)
	if err != nil {
		return nil, fmt.Errorf("load run data: %w", err)
	}
	in.Snapshot = snap
	posted, err := st.ListPosted(ctx, store.ScheduleFilter{From: snap.From, To: snap.To})
	if err != nil {
		return nil, err
	}
	for _, p := range posted {
		in.PostedIDs[p.EventRef] = p.ID
	}
	// Posted cores outside the weeks (a supervisor's parent) in the snapshot.
	for _, a := range snap.Posted {
		if _, ok := in.PostedIDs[a.Event]; !ok {
			ev, err := st.GetEvent(ctx, a.Event)
			if err != nil {
				return nil, err
			}
			if ev.Schedule != nil {
				in.PostedIDs[a.Event] = ev.Schedule.ID
			}
		}
	}
	if in.Rotations, err = LoadRotations(ctx, st, snap.From, snap.To); err != nil {
		return nil, err
	}
	return in, nil
}

// LoadRotations reads the weekly rotations and their one-day exceptions
// between from and to.
func LoadRotations(ctx context.Context, st *store.Store, from, to civil.Date) (scheduler.Rotations, error) {
	var out scheduler.Rotations
	rots, err := st.ListRotations(ctx)
	if err != nil {
		return out, err
	}
	for _, r := range rots {
		switch r.Type {
		case store.RotationJuicer:
			out.Juicer[r.Weekday] = r.EmployeeID
		case store.RotationPrimaryLead:
			out.PrimaryLead[r.Weekday] = r.EmployeeID
		}
	}
	xs, err := st.ListRotationExceptions(ctx, store.DateRange{From: from, To: to})
	if err != nil {
		return out, err
	}
	out.JuicerOn = map[civil.Date]string{}
	out.PrimaryLeadOn = map[civil.Date]string{}
	for _, x := range xs {
		switch x.Type {
		case store.RotationJuicer:
			out.JuicerOn[x.Date] = x.EmployeeID
		case store.RotationPrimaryLead:
			out.PrimaryLeadOn[x.Date] = x.EmployeeID
		}
	}
	return out, nil
}
