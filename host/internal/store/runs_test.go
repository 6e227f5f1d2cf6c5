package store_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/google/go-cmp/cmp"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/sdk/civil"
)

// The re-executed test binary reads these instead of running the tests:
// childEnv says what to do, on the database childDBEnv names.
const (
	childEnv      = "CREWPLAN_STORE_TEST_CHILD"
	childDBEnv    = "CREWPLAN_STORE_TEST_DB"
	childRunEnv   = "CREWPLAN_STORE_TEST_RUN"
	childBlockEnv = "CREWPLAN_STORE_TEST_BLOCK_AT"
)

// TestMain lets the kill tests re-execute this test binary as the process
// they kill.
func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "approve-all":
		os.Exit(approveAllChild())
	case "hold-run-lock":
		os.Exit(holdRunLockChild())
	default:
		fmt.Fprintf(os.Stderr, "%s=%q: unknown child\n", childEnv, os.Getenv(childEnv))
		os.Exit(2)
	}
}

// startChild re-executes the test binary as a child doing what, on the
// database url, and returns it with its standard output, line by line. The
// child is killed when the test ends.
func startChild(t *testing.T, what, url string, env ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+what, childDBEnv+"="+url)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("child %s stderr:\n%s", what, stderr.String())
		}
	})
	return cmd, bufio.NewScanner(out)
}

// eachURL runs f as a subtest against a new, migrated SQLite file and,
// when the test server is configured, a new PostgreSQL schema, handing f
// the store and the database's URL (to open more handles on it).
func eachURL(t *testing.T, f func(t *testing.T, s *store.Store, url string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		u := filepath.Join(t.TempDir(), "crewplan.db")
		f(t, openStore(t, u), u)
	})
	t.Run("postgres", func(t *testing.T) {
		u := storetest.PostgresURL(t)
		if u == "" {
			t.Skip(storetest.PostgresEnv + " is not set; CI sets it")
		}
		f(t, openStore(t, u), u)
	})
}

// openStore opens and migrates a store on url, closed when the test ends.
func openStore(t testing.TB, url string) *store.Store {
	t.Helper()
	s, err := store.Open(ctx, store.Options{URL: url}, nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// rawDB opens url with gorm directly, beside the store, for what the store
// does not offer: logical dumps and SQLite's integrity check.
func rawDB(t testing.TB, url string) *gorm.DB {
	t.Helper()
	var d gorm.Dialector
	if store.DriverOf(url) == store.DialectPostgres {
		d = postgres.Open(url)
	} else {
		d = sqlite.Open("file:" + url + "?_pragma=busy_timeout(5000)")
	}
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// domainTables are the tables a run must never change: everything but the
// runs' own records and the audit log.
var domainTables = []string{
	"employees", "weekly_availability", "date_availability", "time_off", "events", "posted_schedules",
	"rotations", "rotation_exceptions", "company_holidays", "locked_days", "settings", "attendance_records",
	"users", "sessions",
}

// dump returns every row of the domain tables as text, sorted.
func dump(t *testing.T, db *gorm.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range domainTables {
		rows, err := db.Table(table).Rows()
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		lines := []string{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("dump %s: %v", table, err)
			}
			fields := make([]string, len(cols))
			for i, v := range vals {
				switch v := v.(type) {
				case []byte:
					fields[i] = cols[i] + "=" + string(v)
				case time.Time:
					fields[i] = cols[i] + "=" + v.UTC().Format(time.RFC3339Nano)
				default:
					fields[i] = fmt.Sprintf("%s=%v", cols[i], v)
				}
			}
			lines = append(lines, strings.Join(fields, " "))
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		rows.Close()
		sort.Strings(lines)
		out[table] = lines
	}
	return out
}

// seedRun adds to seed's data n unposted core events 900001… (window
// 2026-03-09 to 03-31) and `posted` core events 950001… posted to E01 on
// 2026-03-10, 03-11, …, for runs to place and bump. It returns the posted
// schedules' ids by event.
func seedRun(t testing.TB, s *store.Store, n, posted int) map[int64]int64 {
	t.Helper()
	if tt, ok := t.(*testing.T); ok {
		seed(tt, s)
	} else {
		seedBase(t, s)
	}
	d := &store.Dataset{}
	for i := range n {
		ref := int64(900001 + i)
		d.Events = append(d.Events, store.Event{Ref: ref, Name: fmt.Sprintf("%d-CF-Demo - V2-CORE", ref), StartDate: date("2026-03-09"), DueDate: date("2026-03-31")})
	}
	for i := range posted {
		ref := int64(950001 + i)
		d.Events = append(d.Events, store.Event{Ref: ref, Name: fmt.Sprintf("%d-CF-Later - V2-CORE", ref), StartDate: date("2026-03-09"), DueDate: date("2026-03-31")})
		d.Posted = append(d.Posted, store.PostedSchedule{EventRef: ref, EmployeeID: "E01", Date: date("2026-03-10").AddDays(i), StartMinute: civil.NewClock(10, 30)})
	}
	if _, err := s.Import(ctx, admin, d); err != nil {
		t.Fatalf("seed run data: %v", err)
	}
	ids := map[int64]int64{}
	ps, err := s.ListPosted(ctx, store.ScheduleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		ids[p.EventRef] = p.ID
	}
	return ids
}

// seedBase is seed's employees, for benchmarks.
func seedBase(t testing.TB, s *store.Store) {
	t.Helper()
	_, err := s.Import(ctx, admin, &store.Dataset{Employees: []store.Employee{
		{ID: "E01", Name: "Cara Novak", Role: store.RoleClubSupervisor, Active: true},
		{ID: "E02", Name: "Ana Ruiz", Role: store.RoleLead, Active: true},
		{ID: "E03", Name: "Fay Smith", Role: store.RoleJuicer, Active: true},
	}})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
}

// prop is a proposal of event ref for emp on day d at hh:mm.
func prop(ref int64, emp, d string, hh, mm int) store.NewProposal {
	return store.NewProposal{EventRef: ref, EmployeeID: emp, Date: date(d), StartMinute: civil.NewClock(hh, mm)}
}

// bump makes p displace the posted schedule id of event ref.
func bump(p store.NewProposal, id, ref int64) store.NewProposal {
	p.BumpsPostedID, p.BumpedEventRef = &id, &ref
	return p
}

// runWith begins and finishes a manual run with proposals and failures.
func runWith(t testing.TB, s *store.Store, props []store.NewProposal, fails ...store.RunFailure) int64 {
	t.Helper()
	r := &store.SchedulerRun{TriggeredBy: store.TriggerManual, RequestedBy: "admin", Host: "test"}
	if err := s.BeginRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	res := &store.RunResult{Considered: len(props) + len(fails), Placed: len(props), Failed: len(fails), Proposals: props, Failures: fails}
	if err := s.FinishRun(ctx, r.ID, res); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// proposalOf returns the run's proposal for event ref.
func proposalOf(t *testing.T, s *store.Store, runID, ref int64) store.PendingSchedule {
	t.Helper()
	ps, err := s.ListProposals(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.EventRef == ref {
			return p
		}
	}
	t.Fatalf("run %d has no proposal for event %d", runID, ref)
	return store.PendingSchedule{}
}

// event returns an event with its posted schedule.
func event(t *testing.T, s *store.Store, ref int64) *store.EventWithSchedule {
	t.Helper()
	e, err := s.GetEvent(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// runStatus returns a run's status.
func runStatus(t *testing.T, s *store.Store, id int64) store.RunStatus {
	t.Helper()
	r, err := s.GetRun(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status
}

// wantFields checks that err is a ValidationError naming every field.
func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	var ve *store.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("err = %v, want a ValidationError", err)
	}
	got := map[string]bool{}
	for _, f := range ve.Fields {
		got[f.Field] = true
	}
	for _, f := range fields {
		if !got[f] {
			t.Errorf("no problem reported for %s in %v", f, ve)
		}
	}
}

// wantConflict checks that err is a conflict whose message holds every
// part.
func wantConflict(t *testing.T, err error, parts ...string) {
	t.Helper()
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("err = %v, want a conflict", err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("err = %q, want it to say %q", err, p)
		}
	}
}

func TestBeginRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		err := s.BeginRun(ctx, &store.SchedulerRun{TriggeredBy: "whim"})
		wantFields(t, err, "triggered_by")

		r := &store.SchedulerRun{TriggeredBy: store.TriggerCron, Host: "host-a"}
		if err := s.BeginRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetRun(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID == 0 || got.Status != store.RunRunning || got.StartedAt.IsZero() || got.FinishedAt != nil ||
			got.Ranker != "rules" || got.FallbackDetail != "{}" || got.Shadow != "{}" || got.Host != "host-a" {
			t.Errorf("begun run = %+v", got)
		}
		if time.Since(got.StartedAt) > time.Minute || time.Since(got.StartedAt) < 0 {
			t.Errorf("started at %v, want now", got.StartedAt)
		}
	})
}

func TestFinishRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		posted := seedRun(t, s, 5, 1)
		r := &store.SchedulerRun{TriggeredBy: store.TriggerManual, RequestedBy: "admin"}
		if err := s.BeginRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		res := &store.RunResult{
			Considered: 6, Placed: 3, Failed: 2, Bumps: 1, Bound: ptr(100), Ranker: "gbdt-v3", Fallbacks: 1,
			FallbackDetail: `{"900004": "model timed out"}`, Shadow: `{"decisions": 3, "agreed": 2}`, ElapsedMS: 1234,
			Proposals: []store.NewProposal{
				prop(900002, "E02", "2026-03-12", 9, 45),
				bump(prop(900003, "E02", "2026-03-10", 10, 30), posted[950001], 950001),
				prop(900001, "E03", "2026-03-10", 9, 45),
			},
			Failures: []store.RunFailure{
				{EventRef: 900005, Reason: "nobody qualified can work 2026-03-09 to 2026-03-31"},
				{EventRef: 900004, Reason: "every day of its window is full"},
			},
		}
		if err := s.FinishRun(ctx, r.ID, res); err != nil {
			t.Fatal(err)
		}
		got, _ := s.GetRun(ctx, r.ID)
		if got.Status != store.RunCompleted || got.FinishedAt == nil || got.Considered != 6 || got.Placed != 3 || got.Failed != 2 ||
			got.Bumps != 1 || got.Bound == nil || *got.Bound != 100 || got.Ranker != "gbdt-v3" || got.Fallbacks != 1 ||
			got.FallbackDetail != `{"900004": "model timed out"}` || got.Shadow != `{"decisions": 3, "agreed": 2}` || got.ElapsedMS != 1234 || got.RequestedBy != "admin" {
			t.Errorf("finished run = %+v", got)
		}
		ps, err := s.ListProposals(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var order []int64
		for _, p := range ps {
			order = append(order, p.EventRef)
			if p.Status != store.ProposalPending || p.RunID != r.ID || p.CreatedAt.IsZero() {
				t.Errorf("proposal = %+v", p)
			}
		}
		if !slices.Equal(order, []int64{900001, 900003, 900002}) {
			t.Errorf("proposals in order %v, want by date, start and event", order)
		}
		if b := ps[1]; b.BumpsPostedID == nil || *b.BumpsPostedID != posted[950001] || b.BumpedEventRef == nil || *b.BumpedEventRef != 950001 {
			t.Errorf("bumping proposal = %+v", b)
		}
		fs, _ := s.ListRunFailures(ctx, r.ID)
		if len(fs) != 2 || fs[0].EventRef != 900004 || fs[1].Reason == "" {
			t.Errorf("failures = %+v", fs)
		}
		counts, err := s.ProposalCounts(ctx, r.ID)
		if err != nil || !cmp.Equal(counts, map[store.ProposalStatus]int{store.ProposalPending: 3}) {
			t.Errorf("counts = %v, %v", counts, err)
		}
		review, err := s.RunsAwaitingReview(ctx)
		if err != nil || len(review) != 1 || review[0].ID != r.ID {
			t.Errorf("awaiting review = %+v, %v", review, err)
		}
		// A run finishes once.
		wantConflict(t, s.FinishRun(ctx, r.ID, &store.RunResult{}), "completed")
		wantConflict(t, s.FailRun(ctx, r.ID, "boom"), "completed")
		if err := s.FinishRun(ctx, 999, &store.RunResult{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("finish a missing run: %v", err)
		}
		if _, err := s.ProposalCounts(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("counts of a missing run: %v", err)
		}
		// Posted schedules and events are untouched by a run.
		if e := event(t, s, 950001); e.Schedule == nil || e.Schedule.ID != posted[950001] {
			t.Errorf("bumped event after the run = %+v", e.Schedule)
		}
	})
}

func TestFinishRunValidation(t *testing.T) {
	tests := []struct {
		name   string
		res    store.RunResult
		fields []string
	}{
		{"counts", store.RunResult{Considered: -1, Placed: -2, Failed: -3, Bumps: -4, Fallbacks: -5, ElapsedMS: -6, Bound: ptr(-1)},
			[]string{"considered", "placed", "failed", "bumps", "fallbacks", "elapsed_ms", "bound"}},
		{"fallback detail not an object", store.RunResult{FallbackDetail: `["x"]`}, []string{"fallback_detail"}},
		{"fallback detail not JSON", store.RunResult{FallbackDetail: `timeout`}, []string{"fallback_detail"}},
		{"fallback detail null", store.RunResult{FallbackDetail: `null`}, []string{"fallback_detail"}},
		{"shadow not an object", store.RunResult{Shadow: `[1]`}, []string{"shadow"}},
		{"proposal fields", store.RunResult{Proposals: []store.NewProposal{{StartMinute: 1440}, {EventRef: 1, EmployeeID: "E01", Date: -5, StartMinute: -1}}},
			[]string{"proposals[0].event", "proposals[0].employee", "proposals[0].date", "proposals[0].start", "proposals[1].date", "proposals[1].start"}},
		{"event proposed twice", store.RunResult{Proposals: []store.NewProposal{prop(900001, "E02", "2026-03-10", 9, 45), prop(900001, "E03", "2026-03-11", 9, 45)}},
			[]string{"proposals[1].event"}},
		{"half a bump", store.RunResult{Proposals: []store.NewProposal{{EventRef: 1, EmployeeID: "E01", Date: date("2026-03-10"), BumpsPostedID: ptr[int64](3)}}},
			[]string{"proposals[0].bumped_event"}},
		{"failures", store.RunResult{Failures: []store.RunFailure{{EventRef: 0, Reason: " "}, {EventRef: 5, Reason: "x"}, {EventRef: 5, Reason: "y"}}},
			[]string{"failures[0].event", "failures[0].reason", "failures[2].event"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, tt.res.Validate(), tt.fields...)
		})
	}
	if err := (&store.RunResult{FallbackDetail: ` {"a": 1} `, Bound: ptr(0)}).Validate(); err != nil {
		t.Errorf("valid result: %v", err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := &store.SchedulerRun{TriggeredBy: store.TriggerSingle}
		if err := s.BeginRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		wantFields(t, s.FinishRun(ctx, r.ID, &tests[0].res), tests[0].fields...)
		if st := runStatus(t, s, r.ID); st != store.RunRunning {
			t.Errorf("run after an invalid result is %s", st)
		}
	})
}

func TestFinishRunWritesNothingOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seedRun(t, s, 4, 0)
		older := runWith(t, s, []store.NewProposal{prop(900001, "E02", "2026-03-10", 9, 45)})
		r := &store.SchedulerRun{TriggeredBy: store.TriggerManual}
		if err := s.BeginRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		for name, res := range map[string]*store.RunResult{
			"missing employee": {Proposals: []store.NewProposal{prop(900002, "E02", "2026-03-10", 9, 45), prop(900003, "NOPE", "2026-03-11", 9, 45)}},
			"missing event":    {Proposals: []store.NewProposal{prop(900002, "E02", "2026-03-10", 9, 45)}, Failures: []store.RunFailure{{EventRef: 123, Reason: "x"}}},
		} {
			err := s.FinishRun(ctx, r.ID, res)
			if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), fmt.Sprintf("finish run %d", r.ID)) {
				t.Errorf("%s: err = %v, want a conflict naming the run", name, err)
			}
		}
		if st := runStatus(t, s, r.ID); st != store.RunRunning {
			t.Errorf("run after a failed finish is %s, want running", st)
		}
		if ps, _ := s.ListProposals(ctx, r.ID); len(ps) != 0 {
			t.Errorf("a failed finish stored %d proposals", len(ps))
		}
		if fs, _ := s.ListRunFailures(ctx, r.ID); len(fs) != 0 {
			t.Errorf("a failed finish stored %d failures", len(fs))
		}
		// The older run was not superseded either.
		if st := runStatus(t, s, older); st != store.RunCompleted {
			t.Errorf("older run is %s after a failed finish", st)
		}
		if p := proposalOf(t, s, older, 900001); p.Status != store.ProposalPending {
			t.Errorf("older run's proposal is %s", p.Status)
		}

		if err := s.FailRun(ctx, r.ID, "finish run: disk full"); err != nil {
			t.Fatal(err)
		}
		got, _ := s.GetRun(ctx, r.ID)
		if got.Status != store.RunFailed || got.Error != "finish run: disk full" || got.FinishedAt == nil {
			t.Errorf("failed run = %+v", got)
		}
		wantConflict(t, s.FailRun(ctx, r.ID, "again"), "failed")
		if err := s.FailRun(ctx, 999, "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("fail a missing run: %v", err)
		}
		// A failed run supersedes nothing.
		if st := runStatus(t, s, older); st != store.RunCompleted {
			t.Errorf("older run is %s after a failed run", st)
		}
	})
}

func TestFinishRunSupersedesOlderRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seedRun(t, s, 4, 0)
		first := runWith(t, s, []store.NewProposal{
			prop(900001, "E02", "2026-03-10", 9, 45), prop(900002, "E02", "2026-03-11", 9, 45), prop(900003, "E03", "2026-03-11", 9, 45),
		})
		if _, err := s.ApproveProposal(ctx, admin, proposalOf(t, s, first, 900001).ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApproveProposal(ctx, admin, proposalOf(t, s, first, 900003).ID, func(context.Context, *store.PendingSchedule, *store.PostedSchedule) error {
			return errors.New("planning system down")
		}); err == nil {
			t.Fatal("a failing push approved the proposal")
		}
		rejected := runWith(t, s, []store.NewProposal{prop(900004, "E02", "2026-03-12", 9, 45)})
		if err := s.RejectRun(ctx, admin, rejected, "not this week"); err != nil {
			t.Fatal(err)
		}
		failed := &store.SchedulerRun{TriggeredBy: store.TriggerCron}
		if err := s.BeginRun(ctx, failed); err != nil {
			t.Fatal(err)
		}
		if err := s.FailRun(ctx, failed.ID, "ranker crashed"); err != nil {
			t.Fatal(err)
		}
		// first was awaiting review until now: the new run supersedes it.
		latest := runWith(t, s, []store.NewProposal{prop(900002, "E03", "2026-03-13", 9, 45)})
		for id, want := range map[int64]store.RunStatus{first: store.RunSuperseded, rejected: store.RunRejected, failed.ID: store.RunFailed, latest: store.RunCompleted} {
			if got := runStatus(t, s, id); got != want {
				t.Errorf("run %d is %s, want %s", id, got, want)
			}
		}
		for ref, want := range map[int64]store.ProposalStatus{900001: store.ProposalApproved, 900002: store.ProposalSuperseded, 900003: store.ProposalFailed} {
			if got := proposalOf(t, s, first, ref).Status; got != want {
				t.Errorf("first run's proposal for %d is %s, want %s", ref, got, want)
			}
		}
		review, _ := s.RunsAwaitingReview(ctx)
		if len(review) != 1 || review[0].ID != latest {
			t.Errorf("awaiting review = %+v, want only run %d", review, latest)
		}
		// A superseded run's proposals can be neither approved nor edited.
		p := proposalOf(t, s, first, 900002)
		_, err := s.ApproveProposal(ctx, admin, p.ID, nil)
		wantConflict(t, err, "superseded")
		wantConflict(t, s.EditProposal(ctx, admin, p.ID, "E02", date("2026-03-12"), 600, ""), "superseded")
		_, _, err = s.ApproveAll(ctx, admin, first, nil, nil)
		wantConflict(t, err, "superseded")
	})
}

// TestFinishRunRegionSize stores a region's run (2,000 proposals and 100
// failures) in one FinishRun; BenchmarkFinishRunRegion measures it.
func TestFinishRunRegionSize(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seedRun(t, s, 2100, 0)
		start := time.Now()
		id := runWith(t, s, regionProposals(2000), regionFailures(2000, 100)...)
		t.Logf("begin and finish a run of 2,000 proposals: %v", time.Since(start))
		counts, err := s.ProposalCounts(ctx, id)
		if err != nil || counts[store.ProposalPending] != 2000 {
			t.Fatalf("counts = %v, %v", counts, err)
		}
		if fs, _ := s.ListRunFailures(ctx, id); len(fs) != 100 {
			t.Errorf("%d failures stored, want 100", len(fs))
		}
	})
}

// regionProposals proposes events 900001… over March for E01 to E03.
func regionProposals(n int) []store.NewProposal {
	props := make([]store.NewProposal, n)
	emps := []string{"E01", "E02", "E03"}
	for i := range props {
		props[i] = store.NewProposal{EventRef: int64(900001 + i), EmployeeID: emps[i%3], Date: date("2026-03-09").AddDays(i % 22), StartMinute: civil.NewClock(9, 45)}
	}
	return props
}

// regionFailures reports events 900001+from… as failed.
func regionFailures(from, n int) []store.RunFailure {
	fs := make([]store.RunFailure, n)
	for i := range fs {
		fs[i] = store.RunFailure{EventRef: int64(900001 + from + i), Reason: "no qualified employee is free in the window"}
	}
	return fs
}

func BenchmarkFinishRunRegion(b *testing.B) {
	s := storetest.SQLite(b)
	seedRun(b, s, 2100, 0)
	props, fails := regionProposals(2000), regionFailures(2000, 100)
	for b.Loop() {
		runWith(b, s, props, fails...)
	}
}

func TestEditProposal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seedRun(t, s, 2, 0)
		run := runWith(t, s, []store.NewProposal{prop(900001, "E02", "2026-03-10", 11, 0), prop(900002, "E02", "2026-03-10", 9, 45)})
		p := proposalOf(t, s, run, 900001)
		if err := s.EditProposal(ctx, admin, p.ID, "E03", date("2026-03-11"), civil.NewClock(9, 45), "Ana asked for the day off"); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetProposal(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.EmployeeID != "E03" || got.Date != date("2026-03-11") || got.StartMinute != civil.NewClock(9, 45) ||
			got.EditedBy != "admin" || got.OverrideReason != "Ana asked for the day off" || got.Status != store.ProposalPending || got.UpdatedAt.Before(p.UpdatedAt) {
			t.Errorf("edited proposal = %+v", got)
		}
		audit, _ := s.ListAudit(ctx, store.AuditFilter{Entity: "proposal", EntityID: fmt.Sprint(p.ID)})
		if len(audit) != 1 || audit[0].Action != "proposal.edit" || audit[0].Reason != "Ana asked for the day off" || audit[0].Actor != "admin" {
			t.Errorf("audit = %+v", audit)
		}

		// 2026-03-07 is locked.
		err = s.EditProposal(ctx, admin, p.ID, "E03", date("2026-03-07"), civil.NewClock(9, 45), "")
		wantConflict(t, err, "locked", "2026-03-07")
		if got2, _ := s.GetProposal(ctx, p.ID); got2.Date != date("2026-03-11") {
			t.Errorf("refused edit changed the date to %s", got2.Date)
		}
		wantFields(t, s.EditProposal(ctx, admin, p.ID, "", 0, 1500, ""), "employee", "date", "start")
		wantFields(t, s.EditProposal(ctx, admin, p.ID, "NOPE", date("2026-03-11"), 600, ""), "employee")
		if err := s.EditProposal(ctx, admin, 999, "E02", date("2026-03-11"), 600, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("edit a missing proposal: %v", err)
		}
		// Only a pending proposal can be edited.
		if _, err := s.ApproveProposal(ctx, admin, p.ID, nil); err != nil {
			t.Fatal(err)
		}
		wantConflict(t, s.EditProposal(ctx, admin, p.ID, "E02", date("2026-03-12"), 600, ""), "approved")
	})
}

func TestApproveProposal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		posted := seedRun(t, s, 3, 2)
		run := runWith(t, s, []store.NewProposal{
			prop(900001, "E02", "2026-03-12", 9, 45),
			bump(prop(900002, "E02", "2026-03-10", 10, 30), posted[950001], 950001),
			// A move: 950002's own posted schedule goes to another day.
			bump(prop(950002, "E03", "2026-03-14", 11, 0), posted[950002], 950002),
			prop(900003, "E03", "2026-03-13", 9, 45),
		})

		p1 := proposalOf(t, s, run, 900001)
		got, err := s.ApproveProposal(ctx, "maria", p1.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != store.ProposalApproved || got.ID != p1.ID {
			t.Errorf("approved proposal = %+v", got)
		}
		e := event(t, s, 900001)
		if e.Condition != store.ConditionScheduled || e.Schedule == nil || e.Schedule.EmployeeID != "E02" || e.Schedule.Date != date("2026-03-12") ||
			e.Schedule.StartMinute != civil.NewClock(9, 45) || e.Schedule.Source != store.SourceRun || e.Schedule.RunID == nil ||
			*e.Schedule.RunID != run || e.Schedule.PostedBy != "maria" {
			t.Errorf("approved event = %+v, schedule %+v", e.Event, e.Schedule)
		}
		audit, _ := s.ListAudit(ctx, store.AuditFilter{Entity: "proposal", EntityID: fmt.Sprint(p1.ID)})
		if len(audit) != 1 || audit[0].Action != "proposal.approve" || audit[0].Actor != "maria" {
			t.Errorf("audit = %+v", audit)
		}
		_, err = s.ApproveProposal(ctx, admin, p1.ID, nil)
		wantConflict(t, err, "approved")

		// A bump: 950001's posted schedule is removed, 950001 is unstaffed.
		var pushed []string
		push := func(_ context.Context, p *store.PendingSchedule, bumped *store.PostedSchedule) error {
			b := "-"
			if bumped != nil {
				b = fmt.Sprint(bumped.EventRef)
			}
			pushed = append(pushed, fmt.Sprintf("%d %s %s replaces %s", p.EventRef, p.Status, p.EmployeeID, b))
			return nil
		}
		if _, err := s.ApproveProposal(ctx, admin, proposalOf(t, s, run, 900002).ID, push); err != nil {
			t.Fatal(err)
		}
		if e := event(t, s, 950001); e.Schedule != nil || e.Condition != store.ConditionUnstaffed {
			t.Errorf("bumped event = %+v, schedule %+v", e.Event, e.Schedule)
		}
		if _, err := s.GetPosted(ctx, posted[950001]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("bumped posted schedule: %v", err)
		}
		if e := event(t, s, 900002); e.Schedule == nil || e.Condition != store.ConditionScheduled {
			t.Errorf("bumping event = %+v", e)
		}
		// A move: one posted schedule, on the new day, still scheduled.
		if _, err := s.ApproveProposal(ctx, admin, proposalOf(t, s, run, 950002).ID, push); err != nil {
			t.Fatal(err)
		}
		if e := event(t, s, 950002); e.Schedule == nil || e.Schedule.Date != date("2026-03-14") || e.Schedule.EmployeeID != "E03" || e.Condition != store.ConditionScheduled {
			t.Errorf("moved event = %+v, schedule %+v", e.Event, e.Schedule)
		}
		if diff := cmp.Diff([]string{"900002 approved E02 replaces 950001", "950002 approved E03 replaces 950002"}, pushed); diff != "" {
			t.Errorf("pushed (-want +got):\n%s", diff)
		}
		// The run is approved with its last proposal.
		if st := runStatus(t, s, run); st != store.RunCompleted {
			t.Errorf("run with a pending proposal is %s", st)
		}
		if _, err := s.ApproveProposal(ctx, admin, proposalOf(t, s, run, 900003).ID, nil); err != nil {
			t.Fatal(err)
		}
		if st := runStatus(t, s, run); st != store.RunApproved {
			t.Errorf("run with every proposal approved is %s", st)
		}
		counts, _ := s.ProposalCounts(ctx, run)
		if !cmp.Equal(counts, map[store.ProposalStatus]int{store.ProposalApproved: 4}) {
			t.Errorf("counts = %v", counts)
		}
		if _, err := s.ApproveProposal(ctx, admin, 999, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("approve a missing proposal: %v", err)
		}
		if _, err := s.GetProposal(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("get a missing proposal: %v", err)
		}
	})
}

func TestApproveProposalThatNoLongerApplies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		posted := seedRun(t, s, 5, 3)
		run := runWith(t, s, []store.NewProposal{
			bump(prop(900001, "E02", "2026-03-12", 9, 45), posted[950001], 950001),
			bump(prop(900002, "E02", "2026-03-13", 9, 45), posted[950002], 950002),
			prop(900003, "E02", "2026-03-14", 9, 45),
			bump(prop(900004, "E03", "2026-03-14", 9, 45), posted[950003], 950003),
			prop(900005, "E03", "2026-03-15", 9, 45),
		})
		approve := func(ref int64) (*store.PendingSchedule, error) {
			t.Helper()
			return s.ApproveProposal(ctx, admin, proposalOf(t, s, run, ref).ID, nil)
		}
		wantFailed := func(ref int64, msg string) {
			t.Helper()
			p, err := approve(ref)
			wantConflict(t, err, msg)
			if p == nil || p.Status != store.ProposalFailed || !strings.Contains(p.Error, msg) {
				t.Fatalf("proposal for %d = %+v, want failed: %s", ref, p, msg)
			}
			if got := proposalOf(t, s, run, ref); got.Status != store.ProposalFailed || got.Error != p.Error {
				t.Errorf("stored proposal = %+v", got)
			}
			if e := event(t, s, ref); e.Schedule != nil {
				t.Errorf("event %d posted by a failed approval: %+v", ref, e.Schedule)
			}
		}

		// The posted schedule it bumps was removed since the run.
		if err := s.DeletePosted(ctx, admin, posted[950001], "customer canceled"); err != nil {
			t.Fatal(err)
		}
		wantFailed(900001, "the posted schedule it replaces changed since the run")
		// … or removed and posted again (a new posted schedule).
		if err := s.DeletePosted(ctx, admin, posted[950002], ""); err != nil {
			t.Fatal(err)
		}
		if err := s.PostSchedule(ctx, admin, &store.PostedSchedule{EventRef: 950002, EmployeeID: "E01", Date: date("2026-03-13"), StartMinute: 600}); err != nil {
			t.Fatal(err)
		}
		wantFailed(900002, "the posted schedule it replaces changed since the run")

		// Its event was posted by hand since the run.
		if err := s.PostSchedule(ctx, admin, &store.PostedSchedule{EventRef: 900003, EmployeeID: "E01", Date: date("2026-03-16"), StartMinute: 600}); err != nil {
			t.Fatal(err)
		}
		manual := event(t, s, 900003).Schedule
		if _, err := approve(900003); !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "already posted") {
			t.Fatalf("approve a posted event: %v", err)
		}
		if e := event(t, s, 900003); e.Schedule == nil || e.Schedule.ID != manual.ID {
			t.Errorf("the manual schedule changed: %+v", e.Schedule)
		}
		// … and the bump that came first is rolled back with it.
		if err := s.PostSchedule(ctx, admin, &store.PostedSchedule{EventRef: 900004, EmployeeID: "E01", Date: date("2026-03-16"), StartMinute: 600}); err != nil {
			t.Fatal(err)
		}
		before := event(t, s, 950003)
		if _, err := approve(900004); !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "already posted") {
			t.Fatalf("approve a posted event with a bump: %v", err)
		}
		if after := event(t, s, 950003); after.Schedule == nil || after.Schedule.ID != posted[950003] || after.Condition != before.Condition {
			t.Errorf("the bumped schedule after a failed approval = %+v, %+v", after.Event, after.Schedule)
		}
		// Its event was canceled since the run.
		ev := event(t, s, 900005).Event
		ev.Condition = store.ConditionCanceled
		if err := s.UpdateEvent(ctx, admin, &ev); err != nil {
			t.Fatal(err)
		}
		wantFailed(900005, "canceled")

		// Approving again retries a failed proposal: it fails while the
		// event is posted and succeeds once it is not.
		wantConflict(t, func() error { _, err := approve(900003); return err }(), "already posted")
		if err := s.DeletePosted(ctx, admin, manual.ID, "the run's choice is better"); err != nil {
			t.Fatal(err)
		}
		p, err := approve(900003)
		if err != nil || p.Status != store.ProposalApproved || p.Error != "" {
			t.Fatalf("retry = %+v, %v", p, err)
		}
		counts, _ := s.ProposalCounts(ctx, run)
		if !cmp.Equal(counts, map[store.ProposalStatus]int{store.ProposalApproved: 1, store.ProposalFailed: 4}) {
			t.Errorf("counts = %v", counts)
		}
	})
}

func TestApproveProposalOnLockedDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		posted := seedRun(t, s, 2, 1)
		run := runWith(t, s, []store.NewProposal{
			prop(900001, "E02", "2026-03-12", 9, 45),
			bump(prop(900002, "E03", "2026-03-13", 9, 45), posted[950001], 950001),
		})
		p1, p2 := proposalOf(t, s, run, 900001), proposalOf(t, s, run, 900002)
		for _, d := range []string{"2026-03-12", "2026-03-10"} {
			if err := s.LockDay(ctx, admin, &store.LockedDay{Date: date(d), Reason: "inventory"}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := s.ApproveProposal(ctx, admin, p1.ID, nil)
		wantConflict(t, err, "locked", "2026-03-12")
		// The bumped schedule is on 2026-03-10, locked too.
		_, err = s.ApproveProposal(ctx, admin, p2.ID, nil)
		wantConflict(t, err, "locked", "2026-03-10", "950001")
		for _, p := range []store.PendingSchedule{p1, p2} {
			if got, _ := s.GetProposal(ctx, p.ID); got.Status != store.ProposalPending {
				t.Errorf("proposal refused on a locked day is %s, want still pending", got.Status)
			}
		}
		if e := event(t, s, 950001); e.Schedule == nil || e.Schedule.ID != posted[950001] {
			t.Errorf("bumped schedule on a locked day = %+v", e.Schedule)
		}
		if err := s.UnlockDay(ctx, admin, date("2026-03-12"), "done"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApproveProposal(ctx, admin, p1.ID, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestApprovePushFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		posted := seedRun(t, s, 2, 1)
		run := runWith(t, s, []store.NewProposal{
			bump(prop(900001, "E02", "2026-03-12", 9, 45), posted[950001], 950001),
			prop(900002, "E03", "2026-03-13", 9, 45),
		})
		before := event(t, s, 950001)
		errDown := errors.New("planning system: 503 Service Unavailable")
		var gotBumped *store.PostedSchedule
		down := func(_ context.Context, _ *store.PendingSchedule, bumped *store.PostedSchedule) error {
			gotBumped = bumped
			return errDown
		}
		p1 := proposalOf(t, s, run, 900001)
		got, err := s.ApproveProposal(ctx, admin, p1.ID, down)
		if !errors.Is(err, errDown) || !strings.Contains(err.Error(), fmt.Sprintf("approve proposal %d", p1.ID)) {
			t.Fatalf("err = %v, want the push's error, wrapped", err)
		}
		if got == nil || got.Status != store.ProposalFailed || got.Error != errDown.Error() {
			t.Fatalf("proposal after a failed push = %+v", got)
		}
		if gotBumped == nil || gotBumped.ID != posted[950001] || gotBumped.EventRef != 950001 {
			t.Errorf("push got bumped = %+v", gotBumped)
		}
		// Rolled back: nothing posted, the bumped schedule still there.
		if e := event(t, s, 900001); e.Schedule != nil || e.Condition != store.ConditionUnstaffed {
			t.Errorf("event after a failed push = %+v, %+v", e.Event, e.Schedule)
		}
		if after := event(t, s, 950001); after.Schedule == nil || after.Schedule.ID != posted[950001] || after.Condition != before.Condition {
			t.Errorf("bumped event after a failed push = %+v, %+v", after.Event, after.Schedule)
		}
		if audit, _ := s.ListAudit(ctx, store.AuditFilter{Entity: "proposal", EntityID: fmt.Sprint(p1.ID)}); len(audit) != 0 {
			t.Errorf("a rolled-back approval left audit entries: %+v", audit)
		}
		// The others still apply.
		if _, err := s.ApproveProposal(ctx, admin, proposalOf(t, s, run, 900002).ID, func(context.Context, *store.PendingSchedule, *store.PostedSchedule) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if st := runStatus(t, s, run); st != store.RunCompleted {
			t.Errorf("run with a failed proposal is %s", st)
		}
		// A push canceled with its context still records the failure.
		cctx, cancel := context.WithCancel(ctx)
		got, err = s.ApproveProposal(cctx, admin, p1.ID, func(ctx context.Context, _ *store.PendingSchedule, _ *store.PostedSchedule) error {
			cancel()
			return ctx.Err()
		})
		if !errors.Is(err, context.Canceled) || got == nil || got.Status != store.ProposalFailed || got.Error != context.Canceled.Error() {
			t.Fatalf("canceled push = %+v, %v", got, err)
		}
		// Retried, it applies, and the run is approved.
		if got, err := s.ApproveProposal(ctx, admin, p1.ID, nil); err != nil || got.Status != store.ProposalApproved || got.Error != "" {
			t.Fatalf("retry = %+v, %v", got, err)
		}
		if st := runStatus(t, s, run); st != store.RunApproved {
			t.Errorf("run is %s, want approved", st)
		}
		if e := event(t, s, 950001); e.Schedule != nil || e.Condition != store.ConditionUnstaffed {
			t.Errorf("bumped event after the retry = %+v, %+v", e.Event, e.Schedule)
		}
	})
}

func TestApproveAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		posted := seedRun(t, s, 7, 1)
		run := runWith(t, s, []store.NewProposal{
			prop(900001, "E02", "2026-03-13", 9, 45),
			prop(900002, "E02", "2026-03-12", 11, 0),
			prop(900003, "E03", "2026-03-12", 9, 45),
			bump(prop(900004, "E02", "2026-03-10", 10, 30), posted[950001], 950001),
			prop(900005, "E03", "2026-03-11", 9, 45),
			prop(900006, "E03", "2026-03-07", 9, 45), // locked
			prop(900007, "E02", "2026-03-12", 9, 45),
		})
		var pushed []int64
		fail900005 := true
		push := func(_ context.Context, p *store.PendingSchedule, _ *store.PostedSchedule) error {
			pushed = append(pushed, p.EventRef)
			if p.EventRef == 900005 && fail900005 {
				return errors.New("employee unknown to the planning system")
			}
			return nil
		}
		var progress [][2]int
		approved, failed, err := s.ApproveAll(ctx, admin, run, push, func(done, total int) { progress = append(progress, [2]int{done, total}) })
		if err != nil || approved != 5 || failed != 2 {
			t.Fatalf("ApproveAll = %d approved, %d failed, %v; want 5, 2", approved, failed, err)
		}
		// By date, start and event; the proposal on the locked day is
		// refused before any push.
		if want := []int64{900004, 900005, 900003, 900007, 900002, 900001}; !slices.Equal(pushed, want) {
			t.Errorf("pushed %v, want %v", pushed, want)
		}
		if len(progress) != 7 || progress[0] != [2]int{1, 7} || progress[6] != [2]int{7, 7} {
			t.Errorf("progress = %v", progress)
		}
		counts, _ := s.ProposalCounts(ctx, run)
		if !cmp.Equal(counts, map[store.ProposalStatus]int{store.ProposalApproved: 5, store.ProposalFailed: 1, store.ProposalPending: 1}) {
			t.Errorf("counts = %v", counts)
		}
		if e := event(t, s, 950001); e.Schedule != nil {
			t.Errorf("bumped event still posted: %+v", e.Schedule)
		}
		// Again: only the failed and the refused proposals are tried.
		fail900005, pushed = false, nil
		approved, failed, err = s.ApproveAll(ctx, admin, run, push, nil)
		if err != nil || approved != 1 || failed != 1 || !slices.Equal(pushed, []int64{900005}) {
			t.Fatalf("second ApproveAll = %d, %d, %v, pushed %v; want 1, 1", approved, failed, err, pushed)
		}
		if st := runStatus(t, s, run); st != store.RunCompleted {
			t.Errorf("run with a proposal left is %s", st)
		}
		if err := s.UnlockDay(ctx, admin, date("2026-03-07"), "inventory done"); err != nil {
			t.Fatal(err)
		}
		approved, failed, err = s.ApproveAll(ctx, admin, run, nil, nil)
		if err != nil || approved != 1 || failed != 0 {
			t.Fatalf("third ApproveAll = %d, %d, %v", approved, failed, err)
		}
		if st := runStatus(t, s, run); st != store.RunApproved {
			t.Errorf("run is %s, want approved", st)
		}
		_, _, err = s.ApproveAll(ctx, admin, run, nil, nil)
		wantConflict(t, err, "approved")
		if _, _, err := s.ApproveAll(ctx, admin, 999, nil, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("approve a missing run: %v", err)
		}
	})
}

func TestApproveAllStopsWhenCanceled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seedRun(t, s, 4, 0)
		run := runWith(t, s, regionProposals(4))
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		approved, failed, err := s.ApproveAll(cctx, admin, run, nil, func(done, total int) {
			if done == 2 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) || approved != 2 || failed != 0 {
			t.Fatalf("canceled ApproveAll = %d, %d, %v; want 2 approved and the cancellation", approved, failed, err)
		}
		counts, _ := s.ProposalCounts(ctx, run)
		if !cmp.Equal(counts, map[store.ProposalStatus]int{store.ProposalApproved: 2, store.ProposalPending: 2}) {
			t.Errorf("counts = %v", counts)
		}
	})
}

func TestRejectRunLeavesDatabaseAsBefore(t *testing.T) {
	eachURL(t, func(t *testing.T, s *store.Store, url string) {
		posted := seedRun(t, s, 4, 3)
		raw := rawDB(t, url)
		before := dump(t, raw)
		run := runWith(t, s, []store.NewProposal{
			prop(900001, "E02", "2026-03-12", 9, 45),
			bump(prop(900002, "E02", "2026-03-10", 10, 30), posted[950001], 950001),
			bump(prop(950002, "E03", "2026-03-14", 11, 0), posted[950002], 950002),
			prop(900003, "E03", "2026-03-07", 9, 45),
		}, store.RunFailure{EventRef: 900004, Reason: "no one is free"})
		if err := s.RejectRun(ctx, "maria", run, "wrong week"); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, dump(t, raw)); diff != "" {
			t.Errorf("domain tables changed by a rejected run (-before +after):\n%s", diff)
		}
		if st := runStatus(t, s, run); st != store.RunRejected {
			t.Errorf("run is %s", st)
		}
		counts, _ := s.ProposalCounts(ctx, run)
		if !cmp.Equal(counts, map[store.ProposalStatus]int{store.ProposalRejected: 4}) {
			t.Errorf("counts = %v", counts)
		}
		audit, _ := s.ListAudit(ctx, store.AuditFilter{Entity: "run", EntityID: fmt.Sprint(run)})
		if len(audit) != 1 || audit[0].Action != "run.reject" || audit[0].Reason != "wrong week" || audit[0].Actor != "maria" {
			t.Errorf("audit = %+v", audit)
		}
		wantConflict(t, s.RejectRun(ctx, admin, run, ""), "rejected")
		_, err := s.ApproveProposal(ctx, admin, proposalOf(t, s, run, 900001).ID, nil)
		wantConflict(t, err, "rejected")
		if err := s.RejectRun(ctx, admin, 999, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("reject a missing run: %v", err)
		}
		running := &store.SchedulerRun{TriggeredBy: store.TriggerManual}
		if err := s.BeginRun(ctx, running); err != nil {
			t.Fatal(err)
		}
		wantConflict(t, s.RejectRun(ctx, admin, running.ID, ""), "running")
	})
}

func TestRejectPartlyApprovedRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seedRun(t, s, 3, 0)
		run := runWith(t, s, regionProposals(3))
		ps, _ := s.ListProposals(ctx, run)
		if _, err := s.ApproveProposal(ctx, admin, ps[0].ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApproveProposal(ctx, admin, ps[1].ID, func(context.Context, *store.PendingSchedule, *store.PostedSchedule) error { return errors.New("down") }); err == nil {
			t.Fatal("failing push approved")
		}
		if err := s.RejectRun(ctx, admin, run, "enough"); err != nil {
			t.Fatal(err)
		}
		// What was approved stays; the rest is rejected.
		counts, _ := s.ProposalCounts(ctx, run)
		if !cmp.Equal(counts, map[store.ProposalStatus]int{store.ProposalApproved: 1, store.ProposalRejected: 2}) {
			t.Errorf("counts = %v", counts)
		}
		if e := event(t, s, ps[0].EventRef); e.Schedule == nil {
			t.Error("rejecting the run removed an approved schedule")
		}
	})
}

// TestApproveAllSurvivesKill approves a run in a child process and kills
// it with SIGKILL on the way: once inside an approval's transaction (after
// the bump's removal and the new posting, before the commit), once at a
// random moment. Reopened, the database has each proposal either approved
// with its schedule posted (and its bump applied), or still pending with
// nothing posted (and the bumped schedule in place): never half.
func TestApproveAllSurvivesKill(t *testing.T) {
	for _, tc := range []struct {
		name    string
		blockAt int // the push that never returns, 0 for none
		killAt  int // kill after reading this many pushes
	}{
		{"inside a transaction", 17, 17},
		{"at a random moment", 0, 10 + rand.IntN(20)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := filepath.Join(t.TempDir(), "crewplan.db")
			s := openStore(t, url)
			posted := seedRun(t, s, 40, 10)
			var props []store.NewProposal
			for i := range 40 {
				ref := int64(900001 + i)
				p := prop(ref, []string{"E02", "E03"}[i%2], "2026-03-09", 9, 45)
				p.Date = p.Date.AddDays(i % 20)
				if i < 10 {
					p = bump(p, posted[int64(950001+i)], int64(950001+i))
				}
				props = append(props, p)
			}
			run := runWith(t, s, props)
			s.Close()

			cmd, out := startChild(t, "approve-all", url, fmt.Sprintf("%s=%d", childRunEnv, run), fmt.Sprintf("%s=%d", childBlockEnv, tc.blockAt))
			pushes := 0
			for pushes < tc.killAt && out.Scan() {
				if strings.HasPrefix(out.Text(), "push ") {
					pushes++
				}
			}
			if pushes < tc.killAt {
				t.Fatalf("child ended after %d pushes: %v", pushes, out.Err())
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()

			s = openStore(t, url)
			var check string
			if err := rawDB(t, url).Raw("PRAGMA integrity_check").Scan(&check).Error; err != nil || check != "ok" {
				t.Fatalf("integrity check = %q, %v", check, err)
			}
			ps, err := s.ListProposals(ctx, run)
			if err != nil {
				t.Fatal(err)
			}
			approved := 0
			for _, p := range ps {
				e := event(t, s, p.EventRef)
				var bumped *store.EventWithSchedule
				if p.BumpedEventRef != nil {
					bumped = event(t, s, *p.BumpedEventRef)
				}
				switch p.Status {
				case store.ProposalApproved:
					approved++
					if e.Schedule == nil || e.Schedule.RunID == nil || *e.Schedule.RunID != run || e.Schedule.Date != p.Date || e.Condition != store.ConditionScheduled {
						t.Errorf("approved proposal %d: event %+v, schedule %+v", p.EventRef, e.Event, e.Schedule)
					}
					if bumped != nil && (bumped.Schedule != nil || bumped.Condition != store.ConditionUnstaffed) {
						t.Errorf("approved proposal %d: bumped event still posted: %+v", p.EventRef, bumped.Schedule)
					}
				case store.ProposalPending:
					if e.Schedule != nil || e.Condition != store.ConditionUnstaffed {
						t.Errorf("pending proposal %d: event %+v, schedule %+v", p.EventRef, e.Event, e.Schedule)
					}
					if bumped != nil && (bumped.Schedule == nil || bumped.Schedule.ID != posted[bumped.Ref] || p.BumpsPostedID == nil) {
						t.Errorf("pending proposal %d: bumped schedule = %+v", p.EventRef, bumped.Schedule)
					}
				default:
					t.Errorf("proposal %d is %s", p.EventRef, p.Status)
				}
			}
			t.Logf("killed after %d pushes: %d of %d proposals approved", pushes, approved, len(ps))
			if tc.blockAt > 0 && approved != tc.blockAt-1 {
				t.Errorf("%d proposals approved, want the %d before the blocked push", approved, tc.blockAt-1)
			}
			if approved == 0 || approved == len(ps) {
				t.Errorf("%d of %d approved: the kill was not mid-way", approved, len(ps))
			}
			// Approving again finishes the run.
			a, f, err := s.ApproveAll(ctx, admin, run, nil, nil)
			if err != nil || f != 0 || a != len(ps)-approved {
				t.Errorf("ApproveAll after the kill = %d, %d, %v", a, f, err)
			}
			if st := runStatus(t, s, run); st != store.RunApproved {
				t.Errorf("run is %s", st)
			}
		})
	}
}

// approveAllChild approves the run childRunEnv names on the database
// childDBEnv names, printing "push N EVENT" in each push; the push numbered
// childBlockEnv never returns, and the others take a millisecond.
func approveAllChild() int {
	s, err := store.Open(ctx, store.Options{URL: os.Getenv(childDBEnv)}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	run, _ := strconv.ParseInt(os.Getenv(childRunEnv), 10, 64)
	blockAt, _ := strconv.Atoi(os.Getenv(childBlockEnv))
	n := 0
	push := func(_ context.Context, p *store.PendingSchedule, _ *store.PostedSchedule) error {
		n++
		fmt.Printf("push %d %d\n", n, p.EventRef)
		if n == blockAt {
			time.Sleep(time.Hour)
		}
		time.Sleep(time.Millisecond)
		return nil
	}
	approved, failed, err := s.ApproveAll(ctx, "child", run, push, nil)
	fmt.Printf("done %d %d %v\n", approved, failed, err)
	return 0
}
