package scenario_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

func TestImportSharedScenarios(t *testing.T) {
	ctx := context.Background()
	for _, file := range sharedFiles(t) {
		sc, err := scenario.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				n, err := s.Import(ctx, "test", sc.Dataset("test"))
				if err != nil {
					t.Fatal(err)
				}
				if n.Employees != len(sc.Employees) || n.Events != len(sc.Events) || n.Posted != len(sc.Posted) {
					t.Errorf("counts = %+v", n)
				}
				evs, err := s.ListEvents(ctx, store.EventFilter{})
				if err != nil || len(evs) != len(sc.Events) {
					t.Fatalf("read back %d events, %v", len(evs), err)
				}
				posted := 0
				for _, e := range evs {
					if e.Schedule != nil {
						posted++
					}
				}
				if posted != len(sc.Posted) {
					t.Errorf("events with a schedule = %d, want %d", posted, len(sc.Posted))
				}
				// Every scenario employee reads back with the same
				// availability.
				for _, want := range sc.Employees {
					got, err := s.GetEmployee(ctx, want.ID)
					if err != nil {
						t.Fatal(err)
					}
					if got.Role != want.Role || len(got.TimeOff) != len(want.TimeOff) || len(got.DateAvailability) != len(want.Unavailable) {
						t.Errorf("employee %s = %+v", want.ID, got)
					}
					if want.Weekly != nil {
						for _, w := range got.Weekly {
							if want.Weekly[w.Weekday] != w.Available {
								t.Errorf("employee %s weekday %d = %v", want.ID, w.Weekday, w.Available)
							}
						}
					}
				}
				st, err := s.GetSettings(ctx)
				if err != nil || len(st.TimeSlots.Core) != len(sc.Settings.CoreSlots) || st.Scheduler.MaxWorkDaysPerWeek != sc.Settings.MaxWorkDaysPerWeek {
					t.Errorf("settings = %+v, %v", st, err)
				}
				// Importing the same file again is refused whole.
				if _, err := s.Import(ctx, "test", sc.Dataset("test")); !errors.Is(err, store.ErrConflict) {
					t.Errorf("second import: %v, want a conflict", err)
				}
				evs2, _ := s.ListEvents(ctx, store.EventFilter{})
				if len(evs2) != len(evs) {
					t.Errorf("a refused import changed the events: %d, then %d", len(evs), len(evs2))
				}
			})
		})
	}
}

func TestImportHistory(t *testing.T) {
	ctx := context.Background()
	sc, err := scenario.Generate(scenario.GenerateOptions{Employees: 12, Weeks: 2, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	hist := scenario.GenerateHistory(sc, scenario.HistoryOptions{Weeks: 4, Seed: 7})
	d := sc.Dataset("test")
	scenario.AddHistory(d, hist, "test")
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		n, err := s.Import(ctx, "test", d)
		if err != nil {
			t.Fatal(err)
		}
		if n.Attendance != len(hist) || n.Events != len(sc.Events)+len(hist) {
			t.Errorf("counts = %+v, history %d", n, len(hist))
		}
		recs, err := s.ListAttendance(ctx, store.AttendanceFilter{DateRange: store.DateRange{To: sc.Now.Date.AddDays(-1)}})
		if err != nil || len(recs) != len(hist) {
			t.Fatalf("attendance read back = %d, %v", len(recs), err)
		}
		past, _ := s.ListEvents(ctx, store.EventFilter{To: sc.Now.Date.AddDays(-1), Condition: store.ConditionSubmitted})
		if len(past) != len(hist) {
			t.Errorf("past events = %d, want %d", len(past), len(hist))
		}
	})
}

// BenchmarkImportRegionMonth imports the 60-person region month (about
// 2,100 events) into a new SQLite database: parse, convert, one
// transaction.
func BenchmarkImportRegionMonth(b *testing.B) {
	benchImport(b, func(b *testing.B) *store.Store { return storetest.SQLite(b) })
}

// BenchmarkImportRegionMonthPostgres is the same import into PostgreSQL.
func BenchmarkImportRegionMonthPostgres(b *testing.B) {
	if storetest.PostgresURL(b) == "" {
		b.Skip(storetest.PostgresEnv + " is not set")
	}
	benchImport(b, func(b *testing.B) *store.Store { return storetest.Postgres(b) })
}

func benchImport(b *testing.B, open func(*testing.B) *store.Store) {
	ctx := context.Background()
	file := filepath.Join(sharedDir, "region-month.json")
	for b.Loop() {
		b.StopTimer()
		s := open(b)
		b.StartTimer()
		sc, err := scenario.ParseFile(file)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Import(ctx, "bench", sc.Dataset("bench")); err != nil {
			b.Fatal(err)
		}
	}
}
