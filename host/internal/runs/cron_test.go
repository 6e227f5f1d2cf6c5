package runs_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

func TestValidateCron(t *testing.T) {
	for _, tc := range []struct {
		spec string
		ok   bool
	}{
		{"", true},
		{"  ", true},
		{"0 6 * * *", true},
		{"30 5 * * 1-5", true},
		{"@daily", true},
		{"@every 1s", true},
		{"CRON_TZ=UTC 0 6 * * *", true},
		{"0 6 * *", false},
		{"0 0 6 * * *", false}, // seconds are not part of the standard syntax
		{"61 * * * *", false},
		{"@sometimes", false},
		{"every day", false},
		{"CRON_TZ=Mars/Base 0 6 * * *", false},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			err := runs.ValidateCron(tc.spec)
			if tc.ok {
				if err != nil {
					t.Errorf("ValidateCron(%q) = %v", tc.spec, err)
				}
				return
			}
			if !errors.Is(err, runs.ErrInvalidCron) || !strings.Contains(err.Error(), tc.spec) || !strings.Contains(err.Error(), "five fields") {
				t.Errorf("ValidateCron(%q) = %v; want ErrInvalidCron naming the spec and the syntax", tc.spec, err)
			}
		})
	}
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cronOn imports a small scenario into st, sets auto_run_cron to spec
// and returns automatic runs on it (not started) and their log.
func cronOn(t *testing.T, st *store.Store, spec string) (*runs.Cron, *syncBuffer) {
	t.Helper()
	rv, sc := reviewOn(t, st, bumpCase)
	setCron(t, st, spec)
	logs := &syncBuffer{}
	c := &runs.Cron{
		Service: rv.Service, Now: func() civil.DateTime { return sc.Now }, Location: time.UTC,
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c.Stop(ctx)
	})
	return c, logs
}

// setCron stores spec as the auto_run_cron setting.
func setCron(t *testing.T, st *store.Store, spec string) {
	t.Helper()
	ctx := context.Background()
	s, err := st.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Scheduler.AutoRunCron = spec
	if err := st.PutSettings(ctx, "admin", s); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or 10 seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestCronRuns: with a schedule in the settings, runs start by
// themselves, recorded as cron runs; Stop waits for the one under way.
func TestCronRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c, logs := cronOn(t, st, "@every 1s")
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if c.Next().IsZero() {
			t.Error("no next run scheduled")
		}
		var got []store.SchedulerRun
		waitFor(t, "an automatic run", func() bool {
			got, _ = st.ListRuns(ctx, 10)
			return len(got) > 0 && got[0].Status != store.RunRunning
		})
		stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := c.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
		got, _ = st.ListRuns(ctx, 10)
		for _, r := range got {
			if r.TriggeredBy != store.TriggerCron || r.RequestedBy != "cron" || r.RunNow != "2026-03-02T08:00" {
				t.Errorf("run %+v", r)
			}
			if r.Status == store.RunRunning {
				t.Errorf("run %d still running after Stop", r.ID)
			}
		}
		if got[len(got)-1].Status != store.RunCompleted && got[len(got)-1].Status != store.RunSuperseded {
			t.Errorf("first run %+v", got[len(got)-1])
		}
		// Stopped: no more runs.
		n := len(got)
		time.Sleep(1500 * time.Millisecond)
		if got, _ = st.ListRuns(ctx, 10); len(got) != n {
			t.Errorf("%d runs after Stop, %d before", len(got), n)
		}
		if !strings.Contains(logs.String(), "automatic runs scheduled") {
			t.Errorf("log:\n%s", logs)
		}
	})
}

// TestCronSkipsWhileLocked: a run refused because another holds the lock
// is skipped with an info line, and recorded nowhere.
func TestCronSkipsWhileLocked(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	c, logs := cronOn(t, st, "@every 1s")
	release, err := st.AcquireRunLock(ctx, "other-host")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a skipped run", func() bool { return strings.Contains(logs.String(), "automatic run skipped") })
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	line := logs.String()
	if !strings.Contains(line, "level=INFO msg=\"automatic run skipped") || !strings.Contains(line, "other-host") {
		t.Errorf("log:\n%s", line)
	}
	if got, _ := st.ListRuns(ctx, 10); len(got) != 0 {
		t.Errorf("runs recorded while locked: %+v", got)
	}
}

// TestCronReload: the schedule follows the settings; one that is not a
// schedule turns automatic runs off, saying so.
func TestCronReload(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	c, _ := cronOn(t, st, "")
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if !c.Next().IsZero() {
		t.Error("a next run without a schedule")
	}
	setCron(t, st, "0 6 * * *")
	if err := c.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	next := c.Next()
	if next.IsZero() || next.Hour() != 6 || next.Minute() != 0 || next.Location() != time.UTC {
		t.Errorf("next run %v, want 06:00 UTC", next)
	}
	// The store refuses a bad schedule, naming the setting; the runs keep
	// the one they have.
	s, err := st.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Scheduler.AutoRunCron = "every morning"
	if err := st.PutSettings(ctx, "admin", s); !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "scheduler.auto_run_cron") {
		t.Errorf("store a bad schedule: %v", err)
	}
	if err := c.Reload(ctx); err != nil || c.Next() != next {
		t.Errorf("reload after a refused schedule: %v, next %v", err, c.Next())
	}
	setCron(t, st, "")
	if err := c.Reload(ctx); err != nil || !c.Next().IsZero() {
		t.Errorf("reload off: %v, next %v", err, c.Next())
	}
}

// TestParseCron: what ParseCron accepts and how it refuses the rest (a
// database written before the store checked the setting may hold a bad
// one: the runs are then off, and the log says why).
func TestParseCron(t *testing.T) {
	for _, ok := range []string{"", "0 6 * * 1-5", "@daily", "@every 6h"} {
		if _, err := runs.ParseCron(ok); err != nil {
			t.Errorf("ParseCron(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"0 6 * *", "every morning", "61 * * * *"} {
		if _, err := runs.ParseCron(bad); !errors.Is(err, runs.ErrInvalidCron) {
			t.Errorf("ParseCron(%q) = %v, want ErrInvalidCron", bad, err)
		}
	}
}

// TestCronStopBeforeStart: Stop is safe on automatic runs never started,
// and more than once.
func TestCronStopBeforeStart(t *testing.T) {
	c := &runs.Cron{Service: &runs.Service{Rules: pluginhost.InProcessRules()}}
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// blockingRules answers no batch until ctx ends: a run that never
// finishes on its own.
type blockingRules struct{}

func (blockingRules) Check(ctx context.Context, _ *rule.Batch) ([]rule.Verdict, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestCronStopCancelsARunThatDoesNotEnd: Stop waits for the run under
// way until its ctx ends, then cancels it; the run is recorded as failed
// and the lock is free again.
func TestCronStopCancelsARunThatDoesNotEnd(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	c, _ := cronOn(t, st, "@every 1s")
	c.Service.Rules = blockingRules{}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a run under way", func() bool {
		got, _ := st.ListRuns(ctx, 1)
		return len(got) == 1 && got[0].Status == store.RunRunning
	})
	stopCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if err := c.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	got, _ := st.ListRuns(ctx, 10)
	if len(got) != 1 || got[0].Status != store.RunFailed || !strings.Contains(got[0].Error, "context canceled") {
		t.Errorf("runs after Stop: %+v", got)
	}
	if _, held, err := st.RunLockHolder(ctx); err != nil || held {
		t.Errorf("run lock still held after Stop: %v", err)
	}
}
