package demo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/demo"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/sdk/civil"
)

func TestLoad(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		res, err := demo.Load(ctx, s, now)
		if err != nil {
			t.Fatal(err)
		}
		if res.Counts.Employees != demo.Employees || res.Counts.Attendance < 500 {
			t.Errorf("counts = %+v; want %d people and months of history", res.Counts, demo.Employees)
		}
		// Upcoming events start around today, so the demo looks current.
		today := civil.DateOf(now)
		upcoming, err := s.ListEvents(ctx, store.EventFilter{From: today, To: today.AddDays(7), Condition: store.ConditionUnstaffed})
		if err != nil || len(upcoming) < 20 {
			t.Errorf("unstaffed events in the coming week = %d, %v", len(upcoming), err)
		}
		// The history carries signal: people differ in how reliably they
		// turn up.
		recs, err := s.ListAttendance(ctx, store.AttendanceFilter{DateRange: store.DateRange{To: today.AddDays(-1)}})
		if err != nil {
			t.Fatal(err)
		}
		onTime := map[string][2]int{}
		for _, r := range recs {
			c := onTime[r.EmployeeID]
			c[1]++
			if r.Status == store.AttendanceOnTime {
				c[0]++
			}
			onTime[r.EmployeeID] = c
		}
		lo, hi := 1.0, 0.0
		for _, c := range onTime {
			if c[1] < 10 {
				continue
			}
			rate := float64(c[0]) / float64(c[1])
			lo, hi = min(lo, rate), max(hi, rate)
		}
		if hi-lo < 0.2 {
			t.Errorf("on-time rates range %.2f to %.2f: the history carries no signal", lo, hi)
		}
		if _, err := s.Authenticate(ctx, res.Username, res.Password); err != nil {
			t.Errorf("demo user cannot sign in: %v", err)
		}
		// A second load is refused and changes nothing.
		if _, err := demo.Load(ctx, s, now); !errors.Is(err, store.ErrConflict) {
			t.Errorf("second load: %v, want a conflict", err)
		}
	})
}
