package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/sdk/civil"
)

var ctx = context.Background()

const admin store.Actor = "admin"

func date(s string) civil.Date { return civil.MustParseDate(s) }

func ptr[T any](v T) *T { return &v }

func seed(t *testing.T, s *store.Store) {
	t.Helper()
	_, err := s.Import(ctx, admin, &store.Dataset{
		Employees: []store.Employee{
			{ID: "E01", Name: "Cara Novak", Role: store.RoleClubSupervisor, Active: true, ExternalID: ptr("1001")},
			{ID: "E02", Name: "Ana Ruiz", Role: store.RoleLead, Active: true,
				Weekly:           []store.WeeklyAvailability{{Weekday: time.Saturday, Available: false}},
				DateAvailability: []store.DateAvailability{{Date: date("2026-03-09"), Kind: store.DateUnavailable}},
				TimeOff:          []store.TimeOff{{StartDate: date("2026-03-05"), EndDate: date("2026-03-06"), Reason: "vacation"}}},
			{ID: "E03", Name: "Fay Smith", Role: store.RoleJuicer, Active: true},
		},
		Events: []store.Event{
			{Ref: 1200301, Name: "700301-CF-Kombucha (444444444444) - V2-Supervisor", StartDate: date("2026-03-03"), DueDate: date("2026-03-12"), ParentRef: ptr[int64](700301)},
			{Ref: 700301, Name: "700301-CF-Kombucha (444444444444) - V2-CORE", StartDate: date("2026-03-03"), DueDate: date("2026-03-12")},
			{Ref: 700201, Name: "700201-JUICER-PRODUCTION-SPCLTY 2026-03-05", StartDate: date("2026-03-05"), DueDate: date("2026-03-05")},
		},
		Posted:     []store.PostedSchedule{{EventRef: 700301, EmployeeID: "E02", Date: date("2026-03-04"), StartMinute: civil.NewClock(10, 30)}},
		Rotations:  []store.Rotation{{Type: store.RotationJuicer, Weekday: time.Monday, EmployeeID: "E03"}},
		Holidays:   []store.Holiday{{Date: date("2026-03-08"), Name: "Store closed"}},
		LockedDays: []store.LockedDay{{Date: date("2026-03-07"), Reason: "inventory count", LockedBy: "admin", LockedAt: time.Now()}},
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
}

func TestMigrate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		st, err := s.MigrationStatus(ctx)
		if err != nil || !st.UpToDate() || st.Latest < 1 {
			t.Fatalf("status = %+v, %v; want up to date", st, err)
		}
		// Migrating again is a no-op.
		if st2, err := s.Migrate(ctx); err != nil || st2 != st {
			t.Fatalf("second Migrate = %+v, %v", st2, err)
		}
	})
}

// TestMigrateTo builds a database at an older schema, as an older crewplan
// left it: Older says so, and Migrate brings it up.
func TestMigrateTo(t *testing.T) {
	urls := map[string]string{"sqlite": filepath.Join(t.TempDir(), "crewplan.db"), "postgres": storetest.PostgresURL(t)}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			if urls[name] == "" {
				t.Skip(storetest.PostgresEnv + " is not set; CI sets it")
			}
			s, err := store.Open(ctx, store.Options{URL: urls[name]}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if st, err := s.MigrationStatus(ctx); err != nil || st.Current != 0 || st.Older() {
				t.Fatalf("fresh database: status = %+v (older %v), %v", st, st.Older(), err)
			}
			st, err := s.MigrateTo(ctx, 2)
			if err != nil || st.Current != 2 || !st.Older() {
				t.Fatalf("MigrateTo(2) = %+v (older %v), %v", st, st.Older(), err)
			}
			if _, err := s.MigrateTo(ctx, st.Latest+1); err == nil {
				t.Error("MigrateTo past this build's schema accepted")
			}
			if st, err := s.MigrateTo(ctx, 1); err != nil || st.Current != 2 {
				t.Errorf("MigrateTo(1) at 2 = %+v, %v; want it left at 2", st, err)
			}
			if st, err := s.Migrate(ctx); err != nil || !st.UpToDate() || st.Older() {
				t.Errorf("Migrate = %+v, %v", st, err)
			}
		})
	}
}

func TestImportAndRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		e, err := s.GetEmployee(ctx, "E02")
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Weekly) != 1 || len(e.DateAvailability) != 1 || len(e.TimeOff) != 1 {
			t.Fatalf("children = %+v", e)
		}
		if e.TimeOff[0].StartDate != date("2026-03-05") || e.DateAvailability[0].Date != date("2026-03-09") {
			t.Errorf("dates read back wrong: %+v %+v", e.TimeOff[0], e.DateAvailability[0])
		}
		ev, err := s.GetEvent(ctx, 700301)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type != store.EventCore || ev.DurationMin != 390 || ev.Condition != store.ConditionUnstaffed {
			t.Errorf("normalized event = %+v", ev.Event)
		}
		if ev.Schedule == nil || ev.Schedule.EmployeeID != "E02" || ev.Schedule.StartMinute != civil.NewClock(10, 30) || ev.Schedule.Date != date("2026-03-04") {
			t.Errorf("schedule = %+v", ev.Schedule)
		}
		j, _ := s.GetEvent(ctx, 700201)
		if j.Type != store.EventJuicer || j.Kind != store.KindProduction || j.DurationMin != 540 {
			t.Errorf("juicer event = %+v", j.Event)
		}
		list, err := s.ListEvents(ctx, store.EventFilter{From: date("2026-03-05"), To: date("2026-03-05")})
		if err != nil || len(list) != 3 {
			t.Fatalf("ListEvents on 03-05 = %d events, %v; want 3", len(list), err)
		}
		list, _ = s.ListEvents(ctx, store.EventFilter{From: date("2026-03-06"), To: date("2026-03-31")})
		if len(list) != 2 {
			t.Errorf("ListEvents after 03-06 = %d; want the two events due 03-12", len(list))
		}
		list, _ = s.ListEvents(ctx, store.EventFilter{Type: store.EventSupervisor})
		if len(list) != 1 || list[0].ParentRef == nil || *list[0].ParentRef != 700301 {
			t.Errorf("supervisor = %+v", list)
		}
	})
}

func TestImportConflictsWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		_, err := s.Import(ctx, admin, &store.Dataset{
			Employees: []store.Employee{{ID: "E09", Name: "New Person", Role: store.RoleSpecialist, Active: true}},
			Events:    []store.Event{{Ref: 700301, Name: "dup CORE", StartDate: date("2026-03-03"), DueDate: date("2026-03-04")}},
		})
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "700301") {
			t.Fatalf("err = %v, want a conflict naming 700301", err)
		}
		if _, err := s.GetEmployee(ctx, "E09"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("E09 written by a failed import: %v", err)
		}
		// A posted schedule for a missing employee fails the whole import.
		_, err = s.Import(ctx, admin, &store.Dataset{
			Events: []store.Event{{Ref: 800001, Name: "x CORE", StartDate: date("2026-03-03"), DueDate: date("2026-03-04")}},
			Posted: []store.PostedSchedule{{EventRef: 800001, EmployeeID: "NOPE", Date: date("2026-03-03"), StartMinute: 600}},
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("err = %v, want a foreign-key conflict", err)
		}
		if _, err := s.GetEvent(ctx, 800001); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("event 800001 written by a failed import: %v", err)
		}
	})
}

func TestEmployeeCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		e := &store.Employee{ID: "E10", Name: "Hana Chen", Role: store.RoleSpecialist, Active: true,
			TimeOff: []store.TimeOff{{StartDate: date("2026-03-10"), EndDate: date("2026-03-12")}}}
		if err := s.CreateEmployee(ctx, admin, e); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateEmployee(ctx, admin, &store.Employee{ID: "E10", Name: "Again", Role: store.RoleLead}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate id: err = %v, want conflict", err)
		}
		if err := s.CreateEmployee(ctx, admin, &store.Employee{ID: "E11", Name: "Dup Ext", Role: store.RoleLead, ExternalID: ptr("1001")}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate external id: err = %v, want conflict", err)
		}
		e.Name = "Hana Chen-Ruiz"
		e.TimeOff = nil
		e.Weekly = []store.WeeklyAvailability{{Weekday: time.Sunday, Available: false}}
		if err := s.UpdateEmployee(ctx, admin, e); err != nil {
			t.Fatal(err)
		}
		got, _ := s.GetEmployee(ctx, "E10")
		if got.Name != "Hana Chen-Ruiz" || len(got.TimeOff) != 0 || len(got.Weekly) != 1 {
			t.Errorf("after update = %+v", got)
		}
		if err := s.UpdateEmployee(ctx, admin, &store.Employee{ID: "E99", Name: "x", Role: store.RoleLead}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update missing: %v", err)
		}
		// E02 has a posted schedule: deleting is refused.
		if err := s.DeleteEmployee(ctx, admin, "E02"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("delete employee with posted work: %v, want conflict", err)
		}
		if err := s.DeleteEmployee(ctx, admin, "E10"); err != nil {
			t.Fatal(err)
		}
		audit, _ := s.ListAudit(ctx, store.AuditFilter{Entity: "employee", EntityID: "E10"})
		if len(audit) != 3 || audit[0].Action != "delete" || audit[0].Actor != "admin" {
			t.Errorf("audit = %+v", audit)
		}
	})
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		fields []string
	}{
		{"employee", (&store.Employee{Role: "manager", TimeOff: []store.TimeOff{{StartDate: date("2026-03-05"), EndDate: date("2026-03-04")}}}).Validate(),
			[]string{"id", "name", "role", "time_off[0].end"}},
		{"event", (&store.Event{Ref: -1, Type: "party", StartDate: date("2026-03-05"), DueDate: date("2026-03-01"), Condition: "x"}).Validate(),
			[]string{"ref", "name", "type", "due", "duration_min", "condition"}},
		{"settings", func() error {
			st := store.DefaultSettings()
			st.TimeSlots.Core = append(st.TimeSlots.Core, st.TimeSlots.Core[0])
			st.Scheduler.MaxWorkDaysPerWeek = 9
			st.Scheduler.EarliestOffsetDays["party"] = 1
			st.Scheduler.AutoRunCron = "every morning"
			return st.Validate()
		}(), []string{"time_slots.core[4]", "scheduler.earliest_offset_days.party", "scheduler.max_work_days_per_week", "scheduler.auto_run_cron"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ve *store.ValidationError
			if !errors.As(tt.err, &ve) || !errors.Is(tt.err, store.ErrInvalid) {
				t.Fatalf("err = %v, want a ValidationError", tt.err)
			}
			got := map[string]bool{}
			for _, f := range ve.Fields {
				got[f.Field] = true
			}
			for _, f := range tt.fields {
				if !got[f] {
					t.Errorf("no problem reported for %s in %v", f, ve)
				}
			}
		})
	}
}

func TestLockedDayBlocksChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		// Posting on the locked day is a conflict.
		err := s.PostSchedule(ctx, admin, &store.PostedSchedule{EventRef: 700201, EmployeeID: "E03", Date: date("2026-03-07"), StartMinute: 540})
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "locked") {
			t.Fatalf("post on locked day: %v", err)
		}
		// Moving the posted schedule onto the locked day too.
		ps, _ := s.ListPosted(ctx, store.ScheduleFilter{})
		p := ps[0]
		p.Date = date("2026-03-07")
		if err := s.MoveSchedule(ctx, admin, &p); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("move onto locked day: %v", err)
		}
		// Lock the schedule's own day: it can be neither moved nor removed.
		if err := s.LockDay(ctx, admin, &store.LockedDay{Date: date("2026-03-04"), Reason: "audit"}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePosted(ctx, admin, p.ID, ""); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("remove on locked day: %v", err)
		}
		if err := s.LockDay(ctx, admin, &store.LockedDay{Date: date("2026-03-04"), Reason: "again"}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("locking twice: %v", err)
		}
		if err := s.UnlockDay(ctx, admin, date("2026-03-04"), "audit done"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePosted(ctx, admin, p.ID, "moved to next week"); err != nil {
			t.Fatal(err)
		}
		ev, _ := s.GetEvent(ctx, 700301)
		if ev.Schedule != nil || ev.Condition != store.ConditionUnstaffed {
			t.Errorf("after removal: %+v", ev)
		}
		if err := s.PostSchedule(ctx, admin, &store.PostedSchedule{EventRef: 700301, EmployeeID: "E02", Date: date("2026-03-05"), StartMinute: 585}); err != nil {
			t.Fatal(err)
		}
		if err := s.PostSchedule(ctx, admin, &store.PostedSchedule{EventRef: 700301, EmployeeID: "E01", Date: date("2026-03-05"), StartMinute: 585}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("second posted schedule for one event: %v", err)
		}
		ev, _ = s.GetEvent(ctx, 700301)
		if ev.Condition != store.ConditionScheduled {
			t.Errorf("posted event condition = %s", ev.Condition)
		}
	})
}

func TestCalendarAndSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		if err := s.PutHoliday(ctx, admin, &store.Holiday{Date: date("2026-03-08"), Name: "Closed for repairs"}); err != nil {
			t.Fatal(err)
		}
		hs, _ := s.ListHolidays(ctx, store.DateRange{})
		if len(hs) != 1 || hs[0].Name != "Closed for repairs" {
			t.Errorf("holidays = %+v", hs)
		}
		if err := s.DeleteHoliday(ctx, admin, date("2026-03-09")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete missing holiday: %v", err)
		}
		err := s.SetRotation(ctx, admin, store.RotationPrimaryLead, []store.Rotation{{Weekday: time.Monday, EmployeeID: "E03"}})
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "juicer, not a lead") {
			t.Errorf("juicer as primary lead: %v", err)
		}
		if err := s.SetRotation(ctx, admin, store.RotationPrimaryLead, []store.Rotation{{Weekday: time.Monday, EmployeeID: "E02"}, {Weekday: time.Tuesday, EmployeeID: "E02"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutRotationException(ctx, admin, &store.RotationException{Date: date("2026-03-10"), Type: store.RotationJuicer, EmployeeID: "E03"}); err != nil {
			t.Fatal(err)
		}
		rs, _ := s.ListRotations(ctx)
		if len(rs) != 3 {
			t.Errorf("rotations = %+v", rs)
		}
		st, err := s.GetSettings(ctx)
		if err != nil || len(st.TimeSlots.Core) != 4 || st.Scheduler.MaxWorkDaysPerWeek != 6 {
			t.Fatalf("default settings = %+v, %v", st, err)
		}
		st.Scheduler.MaxWorkDaysPerWeek = 5
		st.TimeSlots.Core = []civil.Clock{civil.NewClock(9, 0)}
		if err := s.PutSettings(ctx, admin, st); err != nil {
			t.Fatal(err)
		}
		st2, _ := s.GetSettings(ctx)
		if st2.Scheduler.MaxWorkDaysPerWeek != 5 || len(st2.TimeSlots.Core) != 1 {
			t.Errorf("settings after put = %+v", st2)
		}
	})
}

func TestSchemaConstraints(t *testing.T) {
	// The database itself refuses what the model forbids, for writers that
	// bypass the Go validation.
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		err := s.InTx(ctx, func(tx *store.Store) error {
			return tx.RawExec(ctx, "INSERT INTO events (ref, name, type, kind, start_date, due_date, duration_min, condition, created_at, updated_at) VALUES (900001, 'x', 'party', '', '2026-03-01', '2026-03-02', 15, 'unstaffed', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
		})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("bad type: %v, want the check constraint", err)
		}
		err = s.InTx(ctx, func(tx *store.Store) error {
			return tx.RawExec(ctx, "INSERT INTO events (ref, name, type, kind, start_date, due_date, duration_min, condition, created_at, updated_at) VALUES (900002, 'x', 'core', '', '2026-03-05', '2026-03-02', 15, 'unstaffed', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
		})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("due before start: %v, want the check constraint", err)
		}
		err = s.InTx(ctx, func(tx *store.Store) error {
			return tx.RawExec(ctx, "INSERT INTO attendance_records (event_ref, employee_id, date, status, recorded_at) VALUES (700301, 'E02', '2026-03-04', 'asleep', CURRENT_TIMESTAMP)")
		})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("bad attendance: %v, want the check constraint", err)
		}
		// A proposal that bumps a posted schedule keeps the link.
		err = s.InTx(ctx, func(tx *store.Store) error {
			if err := tx.RawExec(ctx, "INSERT INTO scheduler_runs (id, status, triggered_by, started_at) VALUES (1, 'completed', 'manual', CURRENT_TIMESTAMP)"); err != nil {
				return err
			}
			return tx.RawExec(ctx, "INSERT INTO pending_schedules (run_id, event_ref, employee_id, date, start_minute, bumps_posted_id, bumped_event_ref, created_at, updated_at) SELECT 1, 700201, 'E03', '2026-03-04', 600, id, event_ref, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM posted_schedules")
		})
		if err != nil {
			t.Fatal(err)
		}
		ps, err := s.ListProposals(ctx, 1)
		if err != nil || len(ps) != 1 || ps[0].BumpsPostedID == nil || *ps[0].BumpedEventRef != 700301 {
			t.Fatalf("proposals = %+v, %v", ps, err)
		}
	})
}

func TestUsersAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		u := &store.User{Username: "maria", DisplayName: "Maria", Role: store.UserAdmin}
		if err := s.CreateUser(ctx, admin, u, "short"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("short password: %v", err)
		}
		if err := s.CreateUser(ctx, admin, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, admin, &store.User{Username: "maria", Role: store.UserViewer}, "another long password"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate user: %v", err)
		}
		if _, err := s.Authenticate(ctx, "maria", "wrong password!"); !errors.Is(err, store.ErrBadCredentials) {
			t.Errorf("wrong password: %v", err)
		}
		if _, err := s.Authenticate(ctx, "nobody", "correct horse battery"); !errors.Is(err, store.ErrBadCredentials) {
			t.Errorf("unknown user: %v", err)
		}
		got, err := s.Authenticate(ctx, "maria", "correct horse battery")
		if err != nil || got.ID != u.ID {
			t.Fatalf("sign in: %v", err)
		}
		token, sess, err := s.NewSession(ctx, got.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		s2, u2, err := s.SessionUser(ctx, token)
		if err != nil || u2.Username != "maria" || !s2.CheckCSRF(sess.CSRFToken) || s2.CheckCSRF("forged") {
			t.Fatalf("session = %+v %+v %v", s2, u2, err)
		}
		if err := s.DeleteSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("signed-out session: %v", err)
		}
	})
}

func TestAttendance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		a := &store.AttendanceRecord{EventRef: 700301, EmployeeID: "E02", Date: date("2026-03-04"), Status: store.AttendanceLate, MinutesLate: 12}
		if err := s.RecordAttendance(ctx, admin, a); err != nil {
			t.Fatal(err)
		}
		a2 := *a
		a2.ID = 0
		a2.Status = store.AttendanceOnTime
		a2.MinutesLate = 0
		if err := s.RecordAttendance(ctx, admin, &a2); err != nil {
			t.Fatal(err)
		}
		got, _ := s.ListAttendance(ctx, store.AttendanceFilter{EmployeeID: "E02"})
		if len(got) != 1 || got[0].Status != store.AttendanceOnTime {
			t.Errorf("attendance = %+v", got)
		}
		if err := s.RecordAttendance(ctx, admin, &store.AttendanceRecord{EventRef: 700301, EmployeeID: "E02", Date: date("2026-03-04"), Status: "asleep"}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("bad status: %v", err)
		}

		v1, err := s.WorkedVersion(ctx, date("2026-03-10"))
		if err != nil {
			t.Fatal(err)
		}
		// E03 called in for the core posted to E02 now: a reassignment.
		if err := s.RecordAttendance(ctx, admin, &store.AttendanceRecord{EventRef: 700301, EmployeeID: "E03", Date: date("2026-03-04"), Status: store.AttendanceCalledIn}); err != nil {
			t.Fatal(err)
		}
		worked, err := s.ListWorked(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		v2, err := s.WorkedVersion(ctx, date("2026-03-10"))
		if err != nil || v2 == v1 {
			t.Errorf("version %q before and %q after new attendance (%v)", v1, v2, err)
		}
		if v3, _ := s.WorkedVersion(ctx, date("2026-03-10")); v3 != v2 {
			t.Errorf("version %q, then %q with no change", v2, v3)
		}
		want := []store.WorkedAssignment{
			{EventRef: 700301, EmployeeID: "E02", Date: date("2026-03-04"), Status: store.AttendanceOnTime, Type: store.EventCore,
				StartDate: date("2026-03-03"), DueDate: date("2026-03-12"), DurationMin: 390, StartMinute: civil.NewClock(10, 30)},
			{EventRef: 700301, EmployeeID: "E03", Date: date("2026-03-04"), Status: store.AttendanceCalledIn, Type: store.EventCore,
				StartDate: date("2026-03-03"), DueDate: date("2026-03-12"), DurationMin: 390, StartMinute: civil.NewClock(10, 30), Reassigned: true},
		}
		if !reflect.DeepEqual(worked, want) {
			t.Errorf("worked = %+v\nwant %+v", worked, want)
		}
		if before, err := s.ListWorked(ctx, date("2026-03-04")); err != nil || len(before) != 0 {
			t.Errorf("worked before the day = %+v, %v", before, err)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	_, err := store.Open(ctx, store.Options{URL: "postgres://nobody:secret@127.0.0.1:1/none?connect_timeout=2"}, nil)
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("unreachable postgres: err = %v; want an error without the password", err)
	}
	_, err = store.Open(ctx, store.Options{URL: ":memory:"}, nil)
	if err == nil {
		t.Error("in-memory SQLite accepted")
	}
	_, err = store.Open(ctx, store.Options{URL: "/proc/no/such/dir/x.db"}, nil)
	if err == nil {
		t.Error("unwritable SQLite path accepted")
	}
}

// TestConcurrentMigrationsOnPostgres starts two hosts' migrations at once on
// one PostgreSQL database: the advisory lock lets one migrate while the
// other waits, and both end at the latest version.
func TestConcurrentMigrationsOnPostgres(t *testing.T) {
	u := storetest.PostgresURL(t)
	if u == "" {
		t.Skip(storetest.PostgresEnv + " is not set; CI sets it")
	}
	var stores [2]*store.Store
	for i := range stores {
		s, err := store.Open(ctx, store.Options{URL: u}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	errs := make(chan error, 2)
	for _, s := range stores {
		go func() {
			_, err := s.Migrate(ctx)
			errs <- err
		}()
	}
	for range stores {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
	for _, s := range stores {
		if st, err := s.MigrationStatus(ctx); err != nil || !st.UpToDate() {
			t.Errorf("status = %+v, %v", st, err)
		}
	}
}

// TestRefusesNewerSchema opens a database a newer crewplan migrated: it is
// refused, not touched.
func TestRefusesNewerSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if err := s.RawExec(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, true)"); err != nil {
			t.Fatal(err)
		}
		_, err := s.Migrate(ctx)
		if !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("migrate a newer schema: %v", err)
		}
		st, _ := s.MigrationStatus(ctx)
		if st.Current != 999 || st.UpToDate() {
			t.Errorf("status = %+v", st)
		}
	})
}
