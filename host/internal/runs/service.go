package runs

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// Service starts scheduler runs on one store and records them.
type Service struct {
	Store *store.Store
	// Rules is the rule engine every run asks.
	Rules scheduler.Checker
	// Ranker orders qualified candidates; nil is the rule-based ranking.
	Ranker scheduler.Ranker
	// Ranking, when set, gives each run its ranking and shadow ranking
	// (nil: none) instead of Ranker: a ranking model reads the store's
	// history as of the run.
	Ranking func(ctx context.Context, in *scheduler.Input) (rank, shadow scheduler.Ranker, err error)
	Log     *slog.Logger
	// Host names this host in the run record and the run lock.
	Host string
	// Bound, when set, has each run also compute the upper bound of
	// scheduler.Bound and record it (placed/bound) before it returns. It
	// asks the rules about every day of every event's window once, so it
	// costs far more than the run itself: simulations and tests set it.
	Bound bool
	// BoundLater, when set and Bound is not, has each run compute its
	// bound after the run is stored, in the background, and record it
	// then: the proposals are ready for review at once and the run's
	// record shows placed/bound a moment later. A run whose bound would
	// ask about more than MaxBoundCandidates candidates records none.
	// Close stops what is still working.
	BoundLater bool
	// MaxBoundCandidates caps the background bound; 0 means
	// DefaultMaxBoundCandidates.
	MaxBoundCandidates int

	bgMu     sync.Mutex
	bg       sync.WaitGroup
	bgCancel context.CancelFunc
	bgCtx    context.Context
	closed   bool
}

// DefaultMaxBoundCandidates is the largest bound a run computes in the
// background by default: a 60-person month (region-month.json asks about
// 2.6 million candidates, about 3 s of rule checks in process); a
// 500-person month (190 million) records none.
const DefaultMaxBoundCandidates = 3_000_000

// Trigger says what started a run.
type Trigger string

// The triggers of a run, as the run record keeps them.
const (
	TriggerManual   Trigger = "manual"
	TriggerCron     Trigger = "cron"
	TriggerSingle   Trigger = "single"
	TriggerSimulate Trigger = "simulate"
)

// Run runs the scheduler once as of now: it takes the database's run lock
// (store.ErrRunLocked when another run is working), records the run,
// loads its input, schedules, and stores the proposals and failures in one
// transaction, superseding older runs that await review. A run that fails
// (a rule plugin that cannot answer, ctx ending) is recorded as failed and
// writes no proposals.
func (s *Service) Run(ctx context.Context, trigger Trigger, by string, now civil.DateTime) (*store.SchedulerRun, *scheduler.Result, error) {
	return s.run(ctx, trigger, by, now, nil)
}

// run is Run with prepare, when not nil, adjusting the loaded input before
// the scheduler sees it (a single-event run keeps one event to place); an
// error from prepare fails the run.
func (s *Service) run(ctx context.Context, trigger Trigger, by string, now civil.DateTime, prepare func(*scheduler.Input) error) (*store.SchedulerRun, *scheduler.Result, error) {
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	host := s.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	release, err := s.Store.AcquireRunLock(ctx, host)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	rec := &store.SchedulerRun{TriggeredBy: string(trigger), RequestedBy: by, Host: host, RunNow: now.String(), StartedAt: time.Now()}
	if err := s.Store.BeginRun(ctx, rec); err != nil {
		return nil, nil, err
	}
	res, in, key, bound, err := s.schedule(ctx, now, prepare)
	if err != nil {
		msg := err.Error()
		// Record the failure even when ctx is done.
		if ferr := s.Store.FailRun(context.WithoutCancel(ctx), rec.ID, msg); ferr != nil {
			log.Error("record a failed run", "run", rec.ID, "err", ferr)
		}
		log.Error("scheduler run failed", "run", rec.ID, "err", err)
		return nil, nil, fmt.Errorf("run %d: %w", rec.ID, err)
	}
	out := storeResult(res, time.Since(rec.StartedAt))
	out.Bound = bound
	if err := s.Store.FinishRun(ctx, rec.ID, out); err != nil {
		_ = s.Store.FailRun(context.WithoutCancel(ctx), rec.ID, err.Error())
		return nil, nil, fmt.Errorf("run %d: record: %w", rec.ID, err)
	}
	if bound == nil && s.BoundLater {
		s.boundLater(rec.ID, in, key)
	}
	done, err := s.Store.GetRun(ctx, rec.ID)
	if err != nil {
		return nil, nil, err
	}
	log.Info("scheduler run", "run", done.ID, "trigger", trigger, "placed", done.Placed, "failed", done.Failed,
		"bumps", done.Bumps, "ms", done.ElapsedMS, "batches", res.Stats.Batches, "candidates", res.Stats.Candidates,
		"ranker", done.Ranker, "fallbacks", done.Fallbacks)
	if sh := res.Stats.Shadow; sh != nil {
		log.Info("shadow ranking", "run", done.ID, "model", sh.Ranker, "decisions", sh.Decisions, "agreed", sh.Agreed, "fallbacks", sh.Fallbacks)
	}
	return done, res, nil
}

// schedule loads the run's input and schedules it; it returns the input
// and the rule context key it used too.
func (s *Service) schedule(ctx context.Context, now civil.DateTime, prepare func(*scheduler.Input) error) (*scheduler.Result, *scheduler.Input, uint64, *int, error) {
	in, err := Load(ctx, s.Store, now)
	if err != nil {
		return nil, nil, 0, nil, err
	}
	if prepare != nil {
		if err := prepare(in); err != nil {
			return nil, nil, 0, nil, err
		}
	}
	if s.Rules == nil {
		return nil, nil, 0, nil, errors.New("no rule engine: a run never proceeds without its hard rules")
	}
	rank, shadow := s.Ranker, scheduler.Ranker(nil)
	if s.Ranking != nil {
		if rank, shadow, err = s.Ranking(ctx, in); err != nil {
			return nil, nil, 0, nil, err
		}
	}
	key := newContextKey()
	res, err := scheduler.Run(ctx, in, s.Rules, rank, scheduler.Options{ContextKey: key, Shadow: shadow})
	if err != nil || !s.Bound {
		return res, in, key, nil, err
	}
	b, err := scheduler.Bound(ctx, in, s.Rules, key)
	if err != nil {
		return nil, nil, 0, nil, err
	}
	return res, in, key, &b.Bound, nil
}

// boundLater computes run id's bound in the background and records it.
func (s *Service) boundLater(id int64, in *scheduler.Input, key uint64) {
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	limit := s.MaxBoundCandidates
	if limit <= 0 {
		limit = DefaultMaxBoundCandidates
	}
	if n := scheduler.BoundSize(in); n > limit {
		log.Info("run bound not computed: too large", "run", id, "candidates", n, "limit", limit)
		return
	}
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	if s.closed {
		return
	}
	if s.bgCtx == nil {
		s.bgCtx, s.bgCancel = context.WithCancel(context.Background())
	}
	ctx := s.bgCtx
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		start := time.Now()
		b, err := scheduler.Bound(ctx, in, s.Rules, key)
		if err == nil {
			err = s.Store.SetRunBound(ctx, id, b.Bound)
		}
		if err != nil {
			if ctx.Err() == nil {
				log.Error("run bound", "run", id, "err", err)
			}
			return
		}
		log.Info("run bound", "run", id, "bound", b.Bound, "ms", time.Since(start).Milliseconds())
	}()
}

// Close stops the bounds still being computed in the background and
// waits for them, or for ctx to end.
func (s *Service) Close(ctx context.Context) error {
	s.bgMu.Lock()
	s.closed = true
	if s.bgCancel != nil {
		s.bgCancel()
	}
	s.bgMu.Unlock()
	return s.WaitBounds(ctx)
}

// WaitBounds waits for the bounds being computed in the background, or for
// ctx to end.
func (s *Service) WaitBounds(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.bg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop the background bounds: %w", ctx.Err())
	}
}

// newContextKey returns a random, non-zero key for a run's rule context.
func newContextKey() uint64 {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:])
		if k := binary.LittleEndian.Uint64(b[:]); k != 0 {
			return k
		}
	}
}

// storeResult converts a scheduler result to the store's record of it.
func storeResult(res *scheduler.Result, elapsed time.Duration) *store.RunResult {
	fallbacks := 0
	for _, n := range res.Stats.Fallbacks {
		fallbacks += n
	}
	detail, _ := json.Marshal(res.Stats.Fallbacks)
	shadow := []byte("{}")
	if res.Stats.Shadow != nil {
		shadow, _ = json.Marshal(res.Stats.Shadow)
	}
	out := &store.RunResult{
		Considered: res.Stats.Considered, Placed: res.Stats.Placed, Failed: res.Stats.Failed, Bumps: res.Stats.Bumps,
		Ranker: res.Stats.Ranker, Fallbacks: fallbacks, FallbackDetail: string(detail), Shadow: string(shadow), ElapsedMS: elapsed.Milliseconds(),
	}
	for _, p := range res.Proposals {
		np := store.NewProposal{EventRef: p.Event, EmployeeID: p.Employee, Date: p.Date, StartMinute: p.Start}
		if p.Bumps != nil {
			id, ref := p.Bumps.PostedID, p.Bumps.Event
			np.BumpsPostedID, np.BumpedEventRef = &id, &ref
		}
		out.Proposals = append(out.Proposals, np)
	}
	for _, f := range res.Failures {
		out.Failures = append(out.Failures, store.RunFailure{EventRef: f.Event, Reason: f.Reason})
	}
	return out
}

// RecoverStale marks as failed the runs a crashed host left "running": when
// the run lock is free, no run is working, so every run still recorded as
// running was cut off. It reports how many it marked; when another host
// holds the lock it leaves everything alone.
func (s *Service) RecoverStale(ctx context.Context) (int, error) {
	host := s.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	release, err := s.Store.AcquireRunLock(ctx, host)
	if errors.Is(err, store.ErrRunLocked) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer release()
	list, err := s.Store.ListRuns(ctx, 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range list {
		if r.Status != store.RunRunning {
			continue
		}
		msg := fmt.Sprintf("host %s stopped during the run (found at start-up); nothing of it was stored", r.Host)
		if err := s.Store.FailRun(ctx, r.ID, msg); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
