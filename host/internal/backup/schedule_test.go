package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/robfig/cron/v3"
)

// TestRunnerOneAtATime: a second backup while one runs is refused at once,
// from this runner and from another one on the same work folder (another
// process); the metrics count each outcome.
func TestRunnerOneAtATime(t *testing.T) {
	dir := t.TempDir()
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	started := make(chan struct{})
	r := &Runner{WorkDir: dir, Metrics: m, Backup: func(ctx context.Context, kind Kind) (Done, error) {
		close(started)
		<-release
		return Done{ID: "b1", Size: 1234}, nil
	}}
	done := make(chan error)
	go func() { _, err := r.Run(context.Background(), KindManual); done <- err }()
	<-started
	if _, err := r.Run(context.Background(), KindManual); !errors.Is(err, ErrRunning) {
		t.Errorf("second run in the process: %v, want ErrRunning", err)
	}
	other := &Runner{WorkDir: dir, Backup: func(context.Context, Kind) (Done, error) { return Done{}, nil }}
	if _, err := other.Run(context.Background(), KindManual); !errors.Is(err, ErrRunning) {
		t.Errorf("a run of another runner on the same folder: %v, want ErrRunning", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := other.Run(context.Background(), KindManual); err != nil {
		t.Errorf("after the first ended: %v", err)
	}
	if got := testutil.ToFloat64(m.size); got != 1234 {
		t.Errorf("size %v", got)
	}
	if got := testutil.ToFloat64(m.lastSuccess); time.Since(time.Unix(int64(got), 0)) > time.Minute {
		t.Errorf("last success %v", got)
	}
	failing := &Runner{WorkDir: dir, Metrics: m, Backup: func(context.Context, Kind) (Done, error) { return Done{}, errors.New("disk on fire") }}
	if _, err := failing.Run(context.Background(), KindScheduled); err == nil {
		t.Error("a failing backup succeeded")
	}
	if got := testutil.ToFloat64(m.backups.WithLabelValues("scheduled", "failed")); got != 1 {
		t.Errorf("failed count %v", got)
	}
}

// TestScheduleSkipsWhileRunning: a scheduled time that comes while the
// last backup still runs is skipped and counted.
func TestScheduleSkipsWhileRunning(t *testing.T) {
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	every, err := cron.ParseStandard("@every 1s")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	runs := make(chan struct{}, 10)
	s := &Schedule{Spec: every, Runner: &Runner{WorkDir: t.TempDir(), Metrics: m, Backup: func(ctx context.Context, kind Kind) (Done, error) {
		if kind != KindScheduled {
			t.Errorf("kind %s", kind)
		}
		runs <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return Done{ID: "x"}, nil
	}}}
	s.Start(context.Background())
	if s.Next().IsZero() {
		t.Error("no next backup")
	}
	<-runs
	skipped := m.backups.WithLabelValues("scheduled", "skipped")
	deadline := time.Now().Add(10 * time.Second)
	for testutil.ToFloat64(skipped) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if testutil.ToFloat64(skipped) == 0 {
		t.Error("no scheduled time was skipped while the backup ran")
	}
	close(release)
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !s.Next().IsZero() {
		t.Error("a next backup after Stop")
	}
}

// TestRunnerCleansWorkDir: what a killed backup or restore left in the
// work folder goes when the next one starts; a recent verification's
// folder stays.
func TestRunnerCleansWorkDir(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"crewplan-backup-123", "restore-456", "verify-789"} {
		if err := os.MkdirAll(filepath.Join(dir, d, "x"), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	r := &Runner{WorkDir: dir, Backup: func(context.Context, Kind) (Done, error) { return Done{}, nil }}
	if _, err := r.Run(context.Background(), KindManual); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(dir)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	if fmt.Sprint(names) != "[backup.lock verify-789]" {
		t.Errorf("left %v", names)
	}
}
