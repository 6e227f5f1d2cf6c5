package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"
)

// ErrRunning means a backup is already running, in this process or in
// another one that makes its backups in the same work folder (the CLI
// next to the server, say).
var ErrRunning = errors.New("a backup is already running")

// Done is what Runner reports of a backup it made.
type Done struct {
	ID   string // the backup's id
	Size int64  // bytes stored per target: the archive's files and manifest
}

// Runner makes one backup at a time and keeps the figures of the last
// one in Metrics.
type Runner struct {
	// WorkDir holds the lock file that keeps two processes from backing
	// up at once.
	WorkDir string
	// Backup makes one backup of the given kind.
	Backup func(ctx context.Context, kind Kind) (Done, error)
	// Metrics, when set, gets each backup's outcome.
	Metrics *Metrics
	// Log receives what the runner does; nil discards.
	Log *slog.Logger

	mu sync.Mutex // held while a backup runs in this process
}

func (r *Runner) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Run makes a backup of kind with Backup, or returns ErrRunning at once
// when one is already running.
func (r *Runner) Run(ctx context.Context, kind Kind) (Done, error) {
	return r.Do(ctx, kind, func(ctx context.Context) (Done, error) { return r.Backup(ctx, kind) })
}

// Do runs fn, which makes a backup of kind (or a restore, which makes a
// safety backup), as Run runs Backup: one at a time, with its outcome in
// Metrics.
func (r *Runner) Do(ctx context.Context, kind Kind, fn func(ctx context.Context) (Done, error)) (Done, error) {
	if !r.mu.TryLock() {
		return Done{}, ErrRunning
	}
	defer r.mu.Unlock()
	if err := os.MkdirAll(r.WorkDir, 0o750); err != nil {
		return Done{}, fmt.Errorf("backup: work folder: %w", err)
	}
	lock := flock.New(filepath.Join(r.WorkDir, "backup.lock"))
	ok, err := lock.TryLock()
	if err != nil {
		return Done{}, fmt.Errorf("backup: lock %s: %w", lock.Path(), err)
	}
	if !ok {
		return Done{}, fmt.Errorf("%w (another process holds %s)", ErrRunning, lock.Path())
	}
	defer lock.Unlock()
	r.cleanWorkDir()
	start := time.Now()
	d, err := fn(ctx)
	took := time.Since(start)
	if err != nil {
		r.Metrics.failed(kind)
		r.log().Error("backup failed", slog.String("kind", string(kind)), slog.Duration("took", took), slog.Any("err", err))
		return d, err
	}
	r.Metrics.succeeded(kind, took, d.Size)
	r.log().Info("backup made", slog.String("id", d.ID), slog.String("kind", string(kind)), slog.Duration("took", took), slog.Int64("bytes", d.Size))
	return d, nil
}

// cleanWorkDir removes what a backup or a restore killed part way left in
// the work folder: their folders (none of them is in use while the lock
// is held), and verification folders older than an hour.
func (r *Runner) cleanWorkDir() {
	entries, err := os.ReadDir(r.WorkDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		stale := strings.HasPrefix(name, "crewplan-backup-") || strings.HasPrefix(name, "restore-")
		if strings.HasPrefix(name, "verify-") {
			info, err := e.Info()
			stale = err == nil && time.Since(info.ModTime()) > time.Hour
		}
		if stale && e.IsDir() {
			if err := os.RemoveAll(filepath.Join(r.WorkDir, name)); err == nil {
				r.log().Warn("removed what a stopped backup or restore left", slog.String("folder", filepath.Join(r.WorkDir, name)))
			}
		}
	}
}

// Metrics are the backup figures /metrics shows.
type Metrics struct {
	lastSuccess prometheus.Gauge
	duration    prometheus.Gauge
	size        prometheus.Gauge
	backups     *prometheus.CounterVec
}

// NewMetrics registers the backup metrics on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "crewplan_backup_last_success_timestamp_seconds",
			Help: "When the last backup that was verified and stored on every target finished (Unix time); 0 before the first.",
		}),
		duration: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "crewplan_backup_last_duration_seconds",
			Help: "How long the last successful backup took: snapshot, compression, verification and upload.",
		}),
		size: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "crewplan_backup_last_size_bytes",
			Help: "Bytes the last successful backup stored on each target.",
		}),
		backups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crewplan_backups_total",
			Help: "Backups by kind (scheduled, manual, safety) and result (ok, failed, skipped: one was already running).",
		}, []string{"kind", "result"}),
	}
	for _, c := range []prometheus.Collector{m.lastSuccess, m.duration, m.size, m.backups} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("backup metrics: %w", err)
		}
	}
	return m, nil
}

func (m *Metrics) succeeded(kind Kind, took time.Duration, size int64) {
	if m == nil {
		return
	}
	m.lastSuccess.SetToCurrentTime()
	m.duration.Set(took.Seconds())
	m.size.Set(float64(size))
	m.backups.WithLabelValues(string(kind), "ok").Inc()
}

func (m *Metrics) failed(kind Kind) {
	if m != nil {
		m.backups.WithLabelValues(string(kind), "failed").Inc()
	}
}

func (m *Metrics) skipped(kind Kind) {
	if m != nil {
		m.backups.WithLabelValues(string(kind), "skipped").Inc()
	}
}

// Schedule makes scheduled backups with a Runner at the times of a cron
// schedule. A time that comes while a backup is still running is skipped
// and logged.
type Schedule struct {
	// Spec is a cron schedule (config.ParseSchedule); nil never runs.
	Spec cron.Schedule
	// Location is the time zone the schedule is read in; nil means
	// time.Local.
	Location *time.Location
	Runner   *Runner

	mu     sync.Mutex
	c      *cron.Cron
	cancel context.CancelFunc
}

// Start starts the schedule; the backups it makes end when Stop is
// called or ctx ends.
func (s *Schedule) Start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Spec == nil || s.c != nil {
		return
	}
	loc := s.Location
	if loc == nil {
		loc = time.Local
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.c = cron.New(cron.WithLocation(loc))
	s.c.Schedule(s.Spec, cron.FuncJob(func() { s.fire(ctx) }))
	s.c.Start()
}

// fire makes one scheduled backup.
func (s *Schedule) fire(ctx context.Context) {
	_, err := s.Runner.Run(ctx, KindScheduled)
	if errors.Is(err, ErrRunning) {
		s.Runner.Metrics.skipped(KindScheduled)
		s.Runner.log().Warn("scheduled backup skipped: a backup is already running", slog.Any("err", err))
	}
}

// Next returns when the next scheduled backup is due, zero when none is.
func (s *Schedule) Next() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c == nil {
		return time.Time{}
	}
	for _, e := range s.c.Entries() {
		return e.Next
	}
	return time.Time{}
}

// Stop stops the schedule and waits for a backup it started (cancelled)
// to end, or for ctx.
func (s *Schedule) Stop(ctx context.Context) error {
	s.mu.Lock()
	c, cancel := s.c, s.cancel
	s.c = nil
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	cancel()
	select {
	case <-c.Stop().Done():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
