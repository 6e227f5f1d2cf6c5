package runs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// ErrInvalidCron means a scheduler.auto_run_cron setting is not a cron
// schedule.
var ErrInvalidCron = errors.New("not a cron schedule")

// cronRequester is the requested_by of automatic runs.
const cronRequester = "cron"

// ParseCron parses an auto_run_cron setting: five fields (minute, hour,
// day of month, month, day of week), a descriptor such as @daily or
// "@every 6h", optionally after CRON_TZ=Zone. "" means never: a nil
// schedule and no error.
func ParseCron(spec string) (cron.Schedule, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("%q is %w: %v; give five fields (minute hour day-of-month month day-of-week, such as \"0 6 * * 1-5\"), a descriptor such as @daily or \"@every 6h\", or \"\" for no automatic runs",
			spec, ErrInvalidCron, err)
	}
	return s, nil
}

// ValidateCron reports what is wrong with an auto_run_cron setting; nil
// when it is a schedule or "".
func ValidateCron(spec string) error {
	_, err := ParseCron(spec)
	return err
}

// Cron starts automatic runs (trigger cron, requested by "cron") on the
// schedule of the store's scheduler.auto_run_cron setting. A run refused
// because another holds the run lock is skipped. The schedule is read by
// Start and again by Reload, which whoever changes the settings calls.
type Cron struct {
	// Service starts the runs.
	Service *Service
	// Now returns the store-local moment of a run; nil means Clock of
	// Location.
	Now func() civil.DateTime
	// Location is the store's time zone, in which the schedule is read;
	// nil means time.Local.
	Location *time.Location
	// Log receives what the automatic runs do; nil discards.
	Log *slog.Logger

	// hold is held (Lock) while the host is paused for a restore: ticks
	// then skip (see Hold).
	hold    sync.RWMutex
	mu      sync.Mutex
	c       *cron.Cron
	entry   cron.EntryID
	spec    string
	ctx     context.Context
	cancel  context.CancelFunc
	started bool
	stopped bool
}

func (c *Cron) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Start reads the schedule and starts the timer. A setting that is not a
// schedule is logged and starts no runs; only a store that cannot be read
// is an error. Runs get a context of their own, ended by Stop.
func (c *Cron) Start(ctx context.Context) error {
	c.mu.Lock()
	if c.started {
		c.mu.Unlock()
		return errors.New("automatic runs: already started")
	}
	loc := c.Location
	if loc == nil {
		loc = time.Local
	}
	l := cronLogger{c.log()}
	c.c = cron.New(cron.WithLocation(loc), cron.WithLogger(l), cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l)))
	c.ctx, c.cancel = context.WithCancel(context.WithoutCancel(ctx))
	c.started = true
	c.mu.Unlock()
	err := c.Reload(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.stopped {
		c.c.Start()
	}
	if errors.Is(err, ErrInvalidCron) {
		return nil
	}
	return err
}

// Reload reads the schedule from the store's settings again and replaces
// the one in use when it changed. A setting that is not a schedule is
// logged (no automatic runs until it is fixed) and returned, wrapping
// ErrInvalidCron. Before Start and after Stop it does nothing.
func (c *Cron) Reload(ctx context.Context) error {
	settings, err := c.Service.Store.GetSettings(ctx)
	if err != nil {
		return fmt.Errorf("automatic runs: read the schedule: %w", err)
	}
	spec := strings.TrimSpace(settings.Scheduler.AutoRunCron)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started || c.stopped || (spec == c.spec && (c.entry != 0 || spec == "")) {
		return nil
	}
	if c.entry != 0 {
		c.c.Remove(c.entry)
		c.entry = 0
	}
	c.spec = spec
	sched, err := ParseCron(spec)
	switch {
	case err != nil:
		c.log().Error("automatic runs are off: the setting scheduler.auto_run_cron is not a cron schedule; fix it in the settings",
			slog.String("auto_run_cron", spec), slog.Any("error", err))
		return fmt.Errorf("automatic runs: %w", err)
	case sched == nil:
		c.log().Info("automatic runs are off (scheduler.auto_run_cron is empty)")
		return nil
	}
	c.entry = c.c.Schedule(sched, cron.FuncJob(c.tick))
	c.log().Info("automatic runs scheduled", slog.String("auto_run_cron", spec),
		slog.Time("next", sched.Next(time.Now().In(c.c.Location()))))
	return nil
}

// Next returns when the next automatic run is due; zero when there is
// none.
func (c *Cron) Next() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entry == 0 || c.stopped {
		return time.Time{}
	}
	if e := c.c.Entry(c.entry); e.Valid() {
		if !e.Next.IsZero() {
			return e.Next
		}
		return e.Schedule.Next(time.Now().In(c.c.Location()))
	}
	return time.Time{}
}

// Hold waits for an automatic run under way to end and keeps new ones
// from starting until Release: a restore holds the runs while it swaps the
// database.
func (c *Cron) Hold() { c.hold.Lock() }

// Release lets automatic runs start again after Hold.
func (c *Cron) Release() { c.hold.Unlock() }

// tick is one automatic run.
func (c *Cron) tick() {
	if !c.hold.TryRLock() {
		c.log().Warn("automatic run skipped: the database is being restored")
		return
	}
	defer c.hold.RUnlock()
	now := c.Now
	if now == nil {
		now = Clock(c.Location)
	}
	c.mu.Lock()
	ctx := c.ctx
	c.mu.Unlock()
	rec, _, err := c.Service.Run(ctx, TriggerCron, cronRequester, now())
	switch {
	case errors.Is(err, store.ErrRunLocked):
		c.log().Info("automatic run skipped: another run is in progress", slog.Any("reason", err))
	case err != nil:
		c.log().Error("automatic run failed", slog.Any("error", err))
	default:
		c.log().Info("automatic run finished", slog.Int64("run", rec.ID), slog.Int("placed", rec.Placed), slog.Int("failed", rec.Failed))
	}
}

// Stop stops the timer and waits for a run under way to finish; when ctx
// ends first, it cancels the run (recorded as failed) and waits for that.
// It is safe to call more than once, and before Start.
func (c *Cron) Stop(ctx context.Context) error {
	c.mu.Lock()
	if !c.started || c.stopped {
		c.stopped = true
		c.mu.Unlock()
		return nil
	}
	c.stopped = true
	done := c.c.Stop()
	cancel := c.cancel
	c.mu.Unlock()
	defer cancel()
	select {
	case <-done.Done():
		return nil
	case <-ctx.Done():
		c.log().Warn("automatic run canceled: the host is stopping")
		cancel()
		<-done.Done()
		return nil
	}
}

// cronLogger is robfig/cron's logger over slog.
type cronLogger struct{ l *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	l.l.Debug("cron: "+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.l.Error("cron: "+msg, append(kv, "error", err)...)
}
