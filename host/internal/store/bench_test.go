package store_test

import (
	"testing"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

// BenchmarkListEventsMonth reads a month of 2,000 events, 15% posted,
// straight from the store on SQLite: the query and the scan, no HTTP.
func BenchmarkListEventsMonth(b *testing.B) {
	s := storetest.SQLite(b)
	d := &store.Dataset{Employees: []store.Employee{{ID: "E01", Name: "Ana", Role: store.RoleLead, Active: true}}}
	first := date("2026-03-01")
	for i := range 2000 {
		start := first.AddDays(i % 24)
		d.Events = append(d.Events, store.Event{Ref: int64(600000 + i), Name: "600000-CF-Bars (300410117846) - V2-CORE", StartDate: start, DueDate: start.AddDays(7)})
		if i%7 == 0 {
			d.Posted = append(d.Posted, store.PostedSchedule{EventRef: int64(600000 + i), EmployeeID: "E01", Date: start, StartMinute: 585})
		}
	}
	if _, err := s.Import(ctx, admin, d); err != nil {
		b.Fatal(err)
	}
	f := store.EventFilter{From: first, To: first.AddDays(30)}
	for b.Loop() {
		evs, err := s.ListEvents(ctx, f)
		if err != nil || len(evs) != 2000 {
			b.Fatalf("%d events, %v", len(evs), err)
		}
	}
}
