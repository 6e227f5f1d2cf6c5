package runs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Errors of a review, beside the store's sentinels (ErrNotFound,
// ErrConflict, ErrRunLocked), which pass through wrapped.
var (
	// ErrNoRules means there is no rule engine: no run starts and no
	// proposal is edited unchecked.
	ErrNoRules = errors.New("the scheduling rules are not loaded: no run can start and no change can be checked")
	// ErrClosed means the review is shutting down.
	ErrClosed = errors.New("the server is shutting down: try again on another host or after the restart")
)

// RulesError means the rule engine could not answer about a change (a
// plugin failed): the change is not made.
type RulesError struct {
	Err error
}

func (e *RulesError) Error() string {
	return "the scheduling rules could not check this change; try again, or see the log: " + e.Err.Error()
}

func (e *RulesError) Unwrap() error { return e.Err }

// Reviewer is who reviews a run: the actor the store records, and whether
// they may override a hard rule (admins may).
type Reviewer struct {
	Actor store.Actor
	Admin bool
}

// Progress is how far an approve-all has come. It lives in the memory of
// the host that runs it; the store's proposal statuses are the durable
// truth (store.ProposalCounts).
type Progress struct {
	Run int64  `json:"run"`
	By  string `json:"by"`
	// Done of Total proposals were tried; Approved and Failed count the
	// outcomes.
	Done     int `json:"done"`
	Total    int `json:"total"`
	Approved int `json:"approved"`
	Failed   int `json:"failed"`
	// Finished is true once the approval stopped; Error says why it
	// stopped early, if it did.
	Finished   bool       `json:"finished"`
	Error      string     `json:"error,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// Review is what the review screen and the API do with runs: start one,
// place a single event, edit, approve (one or all, in the background) and
// reject proposals. It owns the goroutines of its approve-alls: Close
// waits for them.
type Review struct {
	// Service starts the runs; its Store and Rules serve the review.
	Service *Service
	// Push sends an approved proposal to the external planning system;
	// nil records approvals locally only.
	Push store.Pusher
	// Now returns the store-local moment now; nil means the local clock
	// (Clock(time.Local)).
	Now func() civil.DateTime

	mu        sync.Mutex
	approvals map[int64]*Progress
	wg        sync.WaitGroup
	bg        context.Context
	cancel    context.CancelFunc
	closed    bool
}

// Clock returns a clock of the store-local moment now in loc, to the
// minute, as runs and rule checks read it.
func Clock(loc *time.Location) func() civil.DateTime {
	if loc == nil {
		loc = time.Local
	}
	return func() civil.DateTime {
		t := time.Now().In(loc)
		return civil.DateTime{Date: civil.DateOf(t), Clock: civil.NewClock(t.Hour(), t.Minute())}
	}
}

func (r *Review) now() civil.DateTime {
	if r.Now != nil {
		return r.Now()
	}
	return Clock(nil)()
}

func (r *Review) st() *store.Store { return r.Service.Store }

func (r *Review) log() *slog.Logger {
	if r.Service.Log != nil {
		return r.Service.Log
	}
	return slog.New(slog.DiscardHandler)
}

// noRules reports whether c is no rule engine at all, a nil *rules.Engine
// in the interface included.
func noRules(c scheduler.Checker) bool {
	if c == nil {
		return true
	}
	e, ok := c.(*rules.Engine)
	return ok && e == nil
}

// Run starts a manual run as of now and returns its record; see
// Service.Run. When another run holds the lock the error wraps
// store.ErrRunLocked and says which run it is, if it is one of this
// database's.
func (r *Review) Run(ctx context.Context, by store.Actor) (*store.SchedulerRun, error) {
	if noRules(r.Service.Rules) {
		return nil, ErrNoRules
	}
	rec, _, err := r.Service.Run(ctx, TriggerManual, string(by), r.now())
	if errors.Is(err, store.ErrRunLocked) {
		return nil, r.describeLock(ctx, err)
	}
	return rec, err
}

// describeLock adds the running run, when the store has one, to a lock
// refusal.
func (r *Review) describeLock(ctx context.Context, err error) error {
	list, lerr := r.st().ListRuns(ctx, 5)
	if lerr != nil {
		return err
	}
	for _, run := range list {
		if run.Status == store.RunRunning {
			return fmt.Errorf("%w; run %d (%s, requested by %s on %s) started %s", err, run.ID, run.TriggeredBy,
				run.RequestedBy, run.Host, run.StartedAt.UTC().Format(time.RFC3339))
		}
	}
	return err
}

// ScheduleOne places a single event: a run (trigger single) whose only
// event to place is ref, through the same lock and records as every run.
// It returns the run and the event's proposal or failure (one of them is
// nil). The event must exist (store.ErrNotFound) and be unstaffed without
// a posted schedule (store.ErrConflict). Like every run, it supersedes a
// run awaiting review.
func (r *Review) ScheduleOne(ctx context.Context, by store.Actor, ref int64) (*store.SchedulerRun, *store.PendingSchedule, *store.RunFailure, error) {
	st := r.st()
	ev, err := st.GetEvent(ctx, ref)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := placeable(ev); err != nil {
		return nil, nil, nil, err
	}
	if noRules(r.Service.Rules) {
		return nil, nil, nil, ErrNoRules
	}
	rec, err := r.Service.runOnly(ctx, by, r.now(), ref)
	if errors.Is(err, store.ErrRunLocked) {
		return nil, nil, nil, r.describeLock(ctx, err)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	ps, err := st.ListProposals(ctx, rec.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	for i := range ps {
		if ps[i].EventRef == ref {
			return rec, &ps[i], nil, nil
		}
	}
	fs, err := st.ListRunFailures(ctx, rec.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	for i := range fs {
		if fs[i].EventRef == ref {
			return rec, nil, &fs[i], nil
		}
	}
	return nil, nil, nil, fmt.Errorf("run %d neither placed nor failed event %d", rec.ID, ref)
}

// placeable refuses an event a run does not place.
func placeable(ev *store.EventWithSchedule) error {
	if ev.Schedule != nil {
		return fmt.Errorf("%w: event %d is already posted (schedule %d): move it with PUT /api/schedules/%d",
			store.ErrConflict, ev.Ref, ev.Schedule.ID, ev.Schedule.ID)
	}
	if ev.Condition != store.ConditionUnstaffed {
		return fmt.Errorf("%w: event %d is %s: only an unstaffed event can be scheduled", store.ErrConflict, ev.Ref, ev.Condition)
	}
	return nil
}

// runOnly is Service.Run with the events to place restricted to ref. An
// event that is no longer to place once the lock is held is refused
// (store.ErrConflict) before anything is recorded.
//
// It repeats Service.Run's steps around the different input; a hook in
// Service.Run to adjust the input would let both share them.
func (s *Service) runOnly(ctx context.Context, by store.Actor, now civil.DateTime, ref int64) (*store.SchedulerRun, error) {
	rec, _, err := s.run(ctx, TriggerSingle, string(by), now, func(in *scheduler.Input) error {
		if !slices.Contains(in.ToPlace, ref) {
			return fmt.Errorf("%w: event %d is no longer unstaffed without a posted schedule", store.ErrConflict, ref)
		}
		in.ToPlace = []int64{ref}
		return nil
	})
	return rec, err
}

// EditProposal moves a pending proposal to employee on date at start. The
// edit is checked like a manual placement (rule.ModeManual): against the
// posted schedule without the assignments the run's pending proposals
// bump, plus those proposals, replacing the proposal's own event. A hard
// violation is a *rules.ViolationError unless by is an admin giving an override
// reason (rules.ErrOverrideForbidden for others); a locked day is
// store.ErrConflict, which no override lifts; rules that cannot answer are
// a *RulesError. It returns the edited proposal.
func (r *Review) EditProposal(ctx context.Context, by Reviewer, id int64, employee string, date civil.Date, start civil.Clock, overrideReason string) (*store.PendingSchedule, error) {
	st := r.st()
	p, err := st.GetProposal(ctx, id)
	if err != nil {
		return nil, err
	}
	run, err := st.GetRun(ctx, p.RunID)
	if err != nil {
		return nil, err
	}
	if run.Status != store.RunCompleted {
		return nil, fmt.Errorf("%w: run %d is %s: only the proposals of a run awaiting review can be edited", store.ErrConflict, run.ID, run.Status)
	}
	if p.Status != store.ProposalPending {
		return nil, fmt.Errorf("%w: proposal %d is %s: only a pending proposal can be edited", store.ErrConflict, id, p.Status)
	}
	if r.approving(p.RunID) {
		return nil, fmt.Errorf("%w: run %d is being approved: wait until the approval has finished", store.ErrConflict, p.RunID)
	}
	if _, err := st.GetEmployee(ctx, employee); errors.Is(err, store.ErrNotFound) {
		return nil, &store.ValidationError{Fields: []store.FieldError{{Field: "employee", Message: fmt.Sprintf("there is no employee %q", employee)}}}
	} else if err != nil {
		return nil, err
	}
	override, err := r.check(ctx, by, p, rule.Candidate{Event: p.EventRef, Employee: employee, Date: date, Start: start, Replaces: p.EventRef}, overrideReason, nil)
	if err != nil {
		return nil, err
	}
	// A core that moves takes the supervisors proposed on its day along,
	// each checked with the core on its new day.
	followers, err := r.followers(ctx, p, date)
	if err != nil {
		return nil, err
	}
	moved := []rule.Assignment{{Event: p.EventRef, Employee: employee, Date: date, Start: start, Proposed: true}}
	reasons := make([]string, len(followers))
	for i, f := range followers {
		reasons[i], err = r.check(ctx, by, f, rule.Candidate{Event: f.EventRef, Employee: f.EmployeeID, Date: date, Start: f.StartMinute, Replaces: f.EventRef}, overrideReason, moved)
		if err != nil {
			return nil, fmt.Errorf("its supervisor %d cannot follow it to %s: %w", f.EventRef, date, err)
		}
	}
	err = st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.EditProposal(ctx, by.Actor, id, employee, date, start, override); err != nil {
			return err
		}
		for i, f := range followers {
			if err := tx.EditProposal(ctx, by.Actor, f.ID, f.EmployeeID, date, f.StartMinute, reasons[i]); err != nil {
				return fmt.Errorf("its supervisor %d cannot follow it: %w", f.EventRef, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st.GetProposal(ctx, id)
}

// followers returns the pending proposals of p's run for the supervisors
// of p's core event that are on p's day, when p moves to another day.
func (r *Review) followers(ctx context.Context, p *store.PendingSchedule, to civil.Date) ([]*store.PendingSchedule, error) {
	if to == p.Date {
		return nil, nil
	}
	st := r.st()
	core, err := st.GetEvent(ctx, p.EventRef)
	if err != nil || core.Type != store.EventCore {
		return nil, err
	}
	ps, err := st.ListProposals(ctx, p.RunID)
	if err != nil {
		return nil, err
	}
	number := rule.EventNumber(core.Name)
	var out []*store.PendingSchedule
	for i := range ps {
		o := &ps[i]
		if o.ID == p.ID || o.Status != store.ProposalPending || o.Date != p.Date {
			continue
		}
		ev, err := st.GetEvent(ctx, o.EventRef)
		if err != nil {
			return nil, err
		}
		if ev.Type != store.EventSupervisor {
			continue
		}
		if ev.ParentRef != nil && *ev.ParentRef == core.Ref || ev.ParentRef == nil && number != "" && rule.EventNumber(ev.Name) == number {
			out = append(out, o)
		}
	}
	return out, nil
}

// check asks the rules about cand, an edit of p, and returns the override
// reason to store ("" when nothing hard is broken).
//
// moved are proposals of the run checked at another place than the store
// has them (a core whose supervisor follows it).
func (r *Review) check(ctx context.Context, by Reviewer, p *store.PendingSchedule, cand rule.Candidate, override string, moved []rule.Assignment) (string, error) {
	if noRules(r.Service.Rules) {
		return "", ErrNoRules
	}
	st := r.st()
	snap, err := rules.Load(ctx, st, cand.Date, cand.Date, r.now())
	if err != nil {
		return "", err
	}
	// A placement outside the event's window may fall in weeks the
	// event's window does not touch: the event (and its core) must be in
	// the batch all the same.
	if err := snap.Include(ctx, st, cand.Event); err != nil {
		return "", err
	}
	ps, err := st.ListProposals(ctx, p.RunID)
	if err != nil {
		return "", err
	}
	known := make(map[int64]bool, len(snap.Events))
	for _, ev := range snap.Events {
		known[ev.Ref] = true
	}
	// The posted assignments the run's proposals bump are gone once they
	// are approved; the run's other proposals are there.
	bumped := map[int64]bool{}
	var proposed []rule.Assignment
	for _, o := range ps {
		if o.Status != store.ProposalPending && o.Status != store.ProposalFailed {
			continue
		}
		if o.BumpsPostedID != nil && o.BumpedEventRef != nil {
			bumped[*o.BumpedEventRef] = true
		}
		if o.ID != p.ID && known[o.EventRef] {
			a := rule.Assignment{Event: o.EventRef, Employee: o.EmployeeID, Date: o.Date, Start: o.StartMinute, Proposed: true}
			if i := slices.IndexFunc(moved, func(m rule.Assignment) bool { return m.Event == o.EventRef }); i >= 0 {
				a = moved[i]
			}
			proposed = append(proposed, a)
		}
	}
	if len(bumped) > 0 {
		kept := make([]rule.Assignment, 0, len(snap.Posted))
		for _, a := range snap.Posted {
			// The proposal's own event stays: Replaces skips it, and the
			// calendar rule checks its day is not locked.
			if !bumped[a.Event] || a.Event == p.EventRef {
				kept = append(kept, a)
			}
		}
		snap.Posted = kept
	}
	vs, err := r.Service.Rules.Check(ctx, snap.Batch(rule.ModeManual, []rule.Candidate{cand}, proposed))
	if err != nil {
		r.log().Error("rule check failed", "proposal", p.ID, "err", err)
		return "", &RulesError{Err: err}
	}
	return rules.Judge(vs[0], override, by.Admin)
}

// ApproveProposal applies one pending or failed proposal (see
// store.ApproveProposal), with the review's Push. A proposal that can no
// longer apply is returned marked failed, with the error.
func (r *Review) ApproveProposal(ctx context.Context, by store.Actor, id int64) (*store.PendingSchedule, error) {
	p, err := r.st().GetProposal(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.approving(p.RunID) {
		return nil, fmt.Errorf("%w: run %d is being approved: its proposals are being applied one by one", store.ErrConflict, p.RunID)
	}
	return r.st().ApproveProposal(ctx, by, id, r.Push)
}

// RejectRun rejects a run awaiting review, or a failed one, with reason;
// see store.RejectRun.
func (r *Review) RejectRun(ctx context.Context, by store.Actor, runID int64, reason string) error {
	if r.approving(runID) {
		return fmt.Errorf("%w: run %d is being approved: wait until the approval has finished", store.ErrConflict, runID)
	}
	return r.st().RejectRun(ctx, by, runID, reason)
}

// ApproveAll starts approving every pending and failed proposal of a run
// awaiting review, in the background, one proposal per transaction (see
// store.ApproveAll), and returns the progress so far. One approve-all
// runs per run at a time: another is store.ErrConflict, as is a run that
// is not awaiting review. Progress reports how it goes.
func (r *Review) ApproveAll(ctx context.Context, by store.Actor, runID int64) (Progress, error) {
	st := r.st()
	run, err := st.GetRun(ctx, runID)
	if err != nil {
		return Progress{}, err
	}
	if run.Status != store.RunCompleted {
		return Progress{}, fmt.Errorf("%w: run %d is %s: only a run awaiting review can be approved", store.ErrConflict, runID, run.Status)
	}
	counts, err := st.ProposalCounts(ctx, runID)
	if err != nil {
		return Progress{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return Progress{}, ErrClosed
	}
	if p := r.approvals[runID]; p != nil && !p.Finished {
		return Progress{}, fmt.Errorf("%w: run %d is already being approved (%d of %d done)", store.ErrConflict, runID, p.Done, p.Total)
	}
	if r.bg == nil {
		r.bg, r.cancel = context.WithCancel(context.Background())
	}
	if r.approvals == nil {
		r.approvals = map[int64]*Progress{}
	}
	p := &Progress{Run: runID, By: string(by), Total: counts[store.ProposalPending] + counts[store.ProposalFailed], StartedAt: time.Now().UTC()}
	r.approvals[runID] = p
	r.wg.Add(1)
	go r.approveAll(r.bg, by, p)
	return *p, nil
}

// approveAll is ApproveAll's goroutine.
func (r *Review) approveAll(ctx context.Context, by store.Actor, p *Progress) {
	defer r.wg.Done()
	approved, failed, err := r.st().ApproveAll(ctx, by, p.Run, r.Push, func(done, total int) {
		r.mu.Lock()
		p.Done, p.Total = done, total
		r.mu.Unlock()
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	p.Approved, p.Failed, p.Finished = approved, failed, true
	now := time.Now().UTC()
	p.FinishedAt = &now
	if err != nil {
		p.Error = err.Error()
		r.log().Error("approve all stopped", "run", p.Run, "approved", approved, "failed", failed, "err", err)
		return
	}
	r.log().Info("run approved", "run", p.Run, "by", string(by), "approved", approved, "failed", failed)
}

// Progress returns the progress of the latest approve-all of a run on
// this host; false when there was none since the host started.
func (r *Review) Progress(runID int64) (Progress, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.approvals[runID]
	if p == nil {
		return Progress{}, false
	}
	return *p, true
}

// approving reports whether an approve-all of the run is under way.
func (r *Review) approving(runID int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.approvals[runID]
	return p != nil && !p.Finished
}

// Wait blocks until no approve-all is under way.
func (r *Review) Wait() { r.wg.Wait() }

// Close refuses new approve-alls and waits for those under way; when ctx
// ends first, it stops them between two proposals (each proposal's
// transaction is whole: approving again resumes) and waits for that.
func (r *Review) Close(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	cancel := r.cancel
	r.mu.Unlock()
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		if cancel != nil {
			cancel()
		}
		<-done
	}
	if cancel != nil {
		cancel()
	}
	return nil
}
