package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/crewplan/crewplan/sdk/civil"
	"gorm.io/gorm/clause"
)

// What may start a run (SchedulerRun.TriggeredBy): a person, the
// schedule, a person placing one event, a simulation.
const (
	TriggerManual   = "manual"
	TriggerCron     = "cron"
	TriggerSingle   = "single"
	TriggerSimulate = "simulate"
)

// RunTriggers lists every value of SchedulerRun.TriggeredBy.
var RunTriggers = []string{TriggerManual, TriggerCron, TriggerSingle, TriggerSimulate}

// ListRuns returns the latest scheduler runs, newest first.
func (s *Store) ListRuns(ctx context.Context, limit int) ([]SchedulerRun, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var out []SchedulerRun
	return out, translate(s.r(ctx).Order("id DESC").Limit(limit).Find(&out).Error, "list runs")
}

// GetRun returns one scheduler run.
func (s *Store) GetRun(ctx context.Context, id int64) (*SchedulerRun, error) {
	var r SchedulerRun
	if err := s.r(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("run %d", id))
	}
	return &r, nil
}

// RunsAwaitingReview returns the completed runs whose proposals wait for a
// person, newest first. A finished run supersedes the earlier ones, so
// there is normally at most one.
func (s *Store) RunsAwaitingReview(ctx context.Context) ([]SchedulerRun, error) {
	var out []SchedulerRun
	err := s.r(ctx).Where("status = ?", RunCompleted).Order("id DESC").Find(&out).Error
	return out, translate(err, "list runs awaiting review")
}

// ListProposals returns a run's proposals by date, start and event.
func (s *Store) ListProposals(ctx context.Context, runID int64) ([]PendingSchedule, error) {
	var out []PendingSchedule
	err := s.r(ctx).Where("run_id = ?", runID).Order("date, start_minute, event_ref").Find(&out).Error
	return out, translate(err, fmt.Sprintf("list proposals of run %d", runID))
}

// ListRunFailures returns the events a run could not place.
func (s *Store) ListRunFailures(ctx context.Context, runID int64) ([]RunFailure, error) {
	var out []RunFailure
	err := s.r(ctx).Where("run_id = ?", runID).Order("event_ref").Find(&out).Error
	return out, translate(err, fmt.Sprintf("list failures of run %d", runID))
}

// ProposalCounts returns how many of a run's proposals are in each status,
// for the progress of a review; statuses without proposals are left out.
func (s *Store) ProposalCounts(ctx context.Context, runID int64) (map[ProposalStatus]int, error) {
	what := fmt.Sprintf("count proposals of run %d", runID)
	if _, err := s.GetRun(ctx, runID); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var rows []struct {
		Status ProposalStatus
		N      int
	}
	err := s.r(ctx).Model(&PendingSchedule{}).Select("status, COUNT(*) AS n").Where("run_id = ?", runID).Group("status").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, what)
	}
	out := make(map[ProposalStatus]int, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// GetProposal returns one proposal.
func (s *Store) GetProposal(ctx context.Context, id int64) (*PendingSchedule, error) {
	var p PendingSchedule
	if err := s.r(ctx).Where("id = ?", id).Take(&p).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("proposal %d", id))
	}
	return &p, nil
}

// runStatusError is the conflict of a change the run's status does not
// allow. It matches ErrConflict with errors.Is.
type runStatusError struct {
	id     int64
	status RunStatus
	need   string
}

func (e *runStatusError) Error() string {
	return fmt.Sprintf("run %d is %s: %s", e.id, e.status, e.need)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *runStatusError) Is(target error) bool { return target == ErrConflict }

// lockRun reads a run inside s's transaction and, on PostgreSQL, locks its
// row until the transaction ends, so that finishing, approving and
// rejecting one run take turns. (SQLite's immediate transactions already
// take turns.) Every method that changes a run's proposals locks the run
// first, so the locks are always taken in the same order.
func (s *Store) lockRun(ctx context.Context, id int64) (*SchedulerRun, error) {
	var r SchedulerRun
	err := s.w(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&r).Error
	if err != nil {
		return nil, translate(err, fmt.Sprintf("run %d", id))
	}
	return &r, nil
}

// lockProposal reads a proposal inside s's transaction and, on PostgreSQL,
// locks its row.
func (s *Store) lockProposal(ctx context.Context, id int64) (*PendingSchedule, error) {
	var p PendingSchedule
	err := s.w(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&p).Error
	if err != nil {
		return nil, translate(err, fmt.Sprintf("proposal %d", id))
	}
	return &p, nil
}

// BeginRun records the start of a run: r is inserted with status running
// and receives its ID; StartedAt defaults to now. The caller holds the run
// lock (AcquireRunLock) and ends the run with FinishRun or FailRun.
func (s *Store) BeginRun(ctx context.Context, r *SchedulerRun) error {
	var p problems
	if !oneOf(r.TriggeredBy, RunTriggers) {
		p.add("triggered_by", "%q is not manual, cron, single or simulate", r.TriggeredBy)
	}
	if err := p.err(); err != nil {
		return fmt.Errorf("begin run: %w", err)
	}
	r.ID = 0
	r.Status = RunRunning
	r.FinishedAt = nil
	r.Error = ""
	if r.StartedAt.IsZero() {
		r.StartedAt = time.Now()
	}
	r.StartedAt = r.StartedAt.UTC()
	if r.Ranker == "" {
		r.Ranker = "rules"
	}
	if r.FallbackDetail == "" {
		r.FallbackDetail = "{}"
	}
	if r.Shadow == "" {
		r.Shadow = "{}"
	}
	return translate(s.w(ctx).Create(r).Error, "begin run")
}

// RunResult is what a finished run produced: its counts and timing, and
// the proposals and failures to store for review.
type RunResult struct {
	Considered int
	Placed     int
	Failed     int
	Bumps      int
	// Bound is the limit of events the run was asked to place, if any.
	Bound  *int
	Ranker string
	// Fallbacks counts the events the ranker handed back to the rules;
	// FallbackDetail is a JSON object saying why ("" stores {}).
	Fallbacks      int
	FallbackDetail string
	// Shadow is the shadow-mode report, a JSON object ("" stores {}).
	Shadow    string
	ElapsedMS int64
	Proposals []NewProposal
	Failures  []RunFailure
}

// NewProposal is one placement a run proposes. BumpsPostedID and
// BumpedEventRef, given together, name the posted schedule the placement
// displaces and its event; a move of an event's own posted schedule names
// the event itself.
type NewProposal struct {
	EventRef       int64
	EmployeeID     string
	Date           civil.Date
	StartMinute    civil.Clock
	BumpsPostedID  *int64
	BumpedEventRef *int64
}

// Validate checks a run result without reading the database and reports
// every problem.
func (r *RunResult) Validate() error {
	var p problems
	for _, c := range []struct {
		field string
		n     int64
	}{
		{"considered", int64(r.Considered)}, {"placed", int64(r.Placed)}, {"failed", int64(r.Failed)},
		{"bumps", int64(r.Bumps)}, {"fallbacks", int64(r.Fallbacks)}, {"elapsed_ms", r.ElapsedMS},
	} {
		if c.n < 0 {
			p.add(c.field, "%d is negative", c.n)
		}
	}
	if r.Bound != nil && *r.Bound < 0 {
		p.add("bound", "%d is negative", *r.Bound)
	}
	for _, f := range []struct{ name, v string }{{"fallback_detail", r.FallbackDetail}, {"shadow", r.Shadow}} {
		if d := strings.TrimSpace(f.v); d != "" {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal([]byte(d), &obj); err != nil || obj == nil {
				p.add(f.name, "is not a JSON object")
			}
		}
	}
	proposed := make(map[int64]bool, len(r.Proposals))
	for i, np := range r.Proposals {
		f := fmt.Sprintf("proposals[%d]", i)
		if np.EventRef <= 0 {
			p.add(f+".event", "is required")
		} else if proposed[np.EventRef] {
			p.add(f+".event", "event %d is proposed twice", np.EventRef)
		}
		proposed[np.EventRef] = true
		checkPlacement(&p, f+".", np.EmployeeID, np.Date, np.StartMinute)
		if (np.BumpsPostedID == nil) != (np.BumpedEventRef == nil) {
			p.add(f+".bumped_event", "bumps_posted_id and bumped_event go together: give both or neither")
		}
	}
	failed := make(map[int64]bool, len(r.Failures))
	for i, rf := range r.Failures {
		f := fmt.Sprintf("failures[%d]", i)
		if rf.EventRef <= 0 {
			p.add(f+".event", "is required")
		} else if failed[rf.EventRef] {
			p.add(f+".event", "event %d is reported twice", rf.EventRef)
		}
		failed[rf.EventRef] = true
		if strings.TrimSpace(rf.Reason) == "" {
			p.add(f+".reason", "is required: say why the event could not be placed")
		}
	}
	return p.err()
}

// lastDate is the latest date the schema and the text form accept.
var lastDate = civil.NewDate(9999, time.December, 31)

// checkPlacement adds the problems of an employee, date and start, with
// field names prefixed by prefix.
func checkPlacement(p *problems, prefix, employeeID string, d civil.Date, start civil.Clock) {
	if employeeID == "" {
		p.add(prefix+"employee", "is required")
	}
	switch {
	case d.IsZero():
		p.add(prefix+"date", "is required")
	case d < 0 || d > lastDate:
		p.add(prefix+"date", "is not a date between 0001-01-01 and 9999-12-31")
	}
	if !start.Valid() {
		p.add(prefix+"start", "%d is not a time of day", start)
	}
}

// FinishRun stores what a run produced, in one transaction: its proposals
// (pending) and failures, its counts, and status completed. Earlier runs
// still awaiting review (completed) become superseded, with their pending
// proposals. The run must be running. On any error nothing is written and
// the run stays running: the caller then calls FailRun.
func (s *Store) FinishRun(ctx context.Context, runID int64, res *RunResult) error {
	what := fmt.Sprintf("finish run %d", runID)
	if res == nil {
		res = &RunResult{}
	}
	if err := res.Validate(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	detail := strings.TrimSpace(res.FallbackDetail)
	if detail == "" {
		detail = "{}"
	}
	shadow := strings.TrimSpace(res.Shadow)
	if shadow == "" {
		shadow = "{}"
	}
	ranker := res.Ranker
	if ranker == "" {
		ranker = "rules"
	}
	now := time.Now().UTC()
	proposals := make([]PendingSchedule, len(res.Proposals))
	for i, np := range res.Proposals {
		proposals[i] = PendingSchedule{
			RunID: runID, EventRef: np.EventRef, EmployeeID: np.EmployeeID, Date: np.Date, StartMinute: np.StartMinute,
			BumpsPostedID: np.BumpsPostedID, BumpedEventRef: np.BumpedEventRef, Status: ProposalPending,
			CreatedAt: now, UpdatedAt: now,
		}
	}
	failures := make([]RunFailure, len(res.Failures))
	for i, f := range res.Failures {
		failures[i] = RunFailure{RunID: runID, EventRef: f.EventRef, Reason: f.Reason}
	}
	return s.InTx(ctx, func(tx *Store) error {
		run, err := tx.lockRun(ctx, runID)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if run.Status != RunRunning {
			return fmt.Errorf("%s: %w", what, &runStatusError{runID, run.Status, "only a running run can finish"})
		}
		if err := tx.supersedeRuns(ctx, runID); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if len(proposals) > 0 {
			if err := tx.w(ctx).CreateInBatches(proposals, tx.insertBatch()).Error; err != nil {
				return translate(err, what+": store proposals")
			}
		}
		if len(failures) > 0 {
			if err := tx.w(ctx).CreateInBatches(failures, tx.insertBatch()).Error; err != nil {
				return translate(err, what+": store failures")
			}
		}
		err = tx.w(ctx).Model(&SchedulerRun{}).Where("id = ?", runID).Updates(map[string]any{
			"status": RunCompleted, "finished_at": now, "considered": res.Considered, "placed": res.Placed,
			"failed": res.Failed, "bumps": res.Bumps, "bound": res.Bound, "ranker": ranker, "fallbacks": res.Fallbacks,
			"fallback_detail": detail, "shadow": shadow, "elapsed_ms": res.ElapsedMS,
		}).Error
		return translate(err, what)
	})
}

// insertBatch is how many rows FinishRun inserts per statement. The SQLite
// driver binds a statement's parameters in time quadratic in their number:
// batches of 50 store a region's 2,000 proposals three times faster than
// batches of 500 (BenchmarkFinishRunRegion). PostgreSQL takes large
// batches, saving round trips to a remote server.
func (s *Store) insertBatch() int {
	if s.dialect == DialectPostgres {
		return 500
	}
	return 50
}

// supersedeRuns marks every completed run but keep superseded, with its
// pending proposals, inside s's transaction.
func (s *Store) supersedeRuns(ctx context.Context, keep int64) error {
	var ids []int64
	err := s.w(ctx).Model(&SchedulerRun{}).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("status = ? AND id <> ?", RunCompleted, keep).Order("id").Pluck("id", &ids).Error
	if err != nil {
		return translate(err, "find runs to supersede")
	}
	if len(ids) == 0 {
		return nil
	}
	err = s.w(ctx).Model(&PendingSchedule{}).Where("run_id IN ? AND status = ?", ids, ProposalPending).
		Updates(map[string]any{"status": ProposalSuperseded, "updated_at": time.Now().UTC()}).Error
	if err != nil {
		return translate(err, "supersede proposals")
	}
	err = s.w(ctx).Model(&SchedulerRun{}).Where("id IN ?", ids).Update("status", RunSuperseded).Error
	return translate(err, "supersede runs")
}

// FailRun ends a running run that could not finish: status failed, with
// msg as its error. It writes no proposals.
func (s *Store) FailRun(ctx context.Context, runID int64, msg string) error {
	what := fmt.Sprintf("fail run %d", runID)
	if strings.TrimSpace(msg) == "" {
		msg = "the run stopped without an error message"
	}
	return s.InTx(ctx, func(tx *Store) error {
		run, err := tx.lockRun(ctx, runID)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if run.Status != RunRunning {
			return fmt.Errorf("%s: %w", what, &runStatusError{runID, run.Status, "only a running run can fail"})
		}
		err = tx.w(ctx).Model(&SchedulerRun{}).Where("id = ?", runID).Updates(map[string]any{
			"status": RunFailed, "error": msg, "finished_at": time.Now().UTC(),
		}).Error
		return translate(err, what)
	})
}

// SetRunBound records the upper bound of a completed run (see
// RunResult.Bound), computed after the run was stored.
func (s *Store) SetRunBound(ctx context.Context, runID int64, bound int) error {
	what := fmt.Sprintf("record the bound of run %d", runID)
	if bound < 0 {
		return fmt.Errorf("%s: %w", what, &ValidationError{Fields: []FieldError{{Field: "bound", Message: fmt.Sprintf("%d is negative", bound)}}})
	}
	return s.InTx(ctx, func(tx *Store) error {
		run, err := tx.lockRun(ctx, runID)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if run.Status == RunRunning || run.Status == RunFailed {
			return fmt.Errorf("%s: %w", what, &runStatusError{runID, run.Status, "only a completed run has a bound"})
		}
		return translate(tx.w(ctx).Model(&SchedulerRun{}).Where("id = ?", runID).Update("bound", bound).Error, what)
	})
}

// EditProposal changes the employee, date and start of a pending proposal
// of a completed run, recording who edited it and the override reason. A
// locked date is refused. Checking the edit against the scheduling rules
// is the caller's job: overrideReason says why a rule is broken ("" when
// none is).
func (s *Store) EditProposal(ctx context.Context, by Actor, id int64, employeeID string, date civil.Date, start civil.Clock, overrideReason string) error {
	what := fmt.Sprintf("edit proposal %d", id)
	var p problems
	checkPlacement(&p, "", employeeID, date, start)
	if err := p.err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return s.InTx(ctx, func(tx *Store) error {
		before, err := tx.GetProposal(ctx, id)
		if err != nil {
			return err
		}
		run, err := tx.lockRun(ctx, before.RunID)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if run.Status != RunCompleted {
			return fmt.Errorf("%s: %w", what, &runStatusError{run.ID, run.Status, "only the proposals of a run awaiting review can be edited"})
		}
		if before, err = tx.lockProposal(ctx, id); err != nil {
			return err
		}
		if before.Status != ProposalPending {
			return fmt.Errorf("%s: %w: the proposal is %s; only a pending proposal can be edited", what, ErrConflict, before.Status)
		}
		var n int64
		if err := tx.w(ctx).Model(&Employee{}).Where("id = ?", employeeID).Count(&n).Error; err != nil {
			return translate(err, what)
		}
		if n == 0 {
			return fmt.Errorf("%s: %w", what, &ValidationError{Fields: []FieldError{{Field: "employee", Message: fmt.Sprintf("no employee %q", employeeID)}}})
		}
		if err := tx.checkUnlocked(ctx, what+": place it on", date); err != nil {
			return err
		}
		err = tx.w(ctx).Model(&PendingSchedule{}).Where("id = ?", id).Updates(map[string]any{
			"employee_id": employeeID, "date": date, "start_minute": start, "edited_by": string(by),
			"override_reason": overrideReason, "updated_at": time.Now().UTC(),
		}).Error
		if err := translate(err, what); err != nil {
			return err
		}
		after, err := tx.GetProposal(ctx, id)
		if err != nil {
			return err
		}
		return tx.audit(ctx, by, "proposal.edit", "proposal", fmt.Sprint(id), overrideReason, map[string]any{"before": before, "after": after})
	})
}

// Pusher sends an approved proposal to the external planning system: the
// new schedule, and the posted schedule it replaces (bumped, nil when none)
// to unschedule there. ApproveProposal calls it inside the approval's
// transaction, just before the commit; an error rolls the approval back.
// A nil Pusher records the approval locally only.
type Pusher func(ctx context.Context, p *PendingSchedule, bumped *PostedSchedule) error

// proposalFailure is why a proposal cannot be applied: the approval is
// rolled back and the proposal marked failed with msg.
type proposalFailure struct {
	msg string
	err error
}

func (f *proposalFailure) Error() string { return f.err.Error() }

func (f *proposalFailure) Unwrap() error { return f.err }

// ApproveProposal applies one pending or failed proposal of a completed run
// in one transaction: the posted schedule it bumps is removed (its event
// becomes unstaffed, unless it is the proposal's own event), the new
// schedule is posted (source run), its event becomes scheduled and the
// proposal approved; push, when not nil, is called last. When the run has
// no other proposal left to approve, the run becomes approved.
//
// A proposal on a locked day, or bumping a schedule on one, is refused
// (ErrConflict) and stays as it was. A proposal that can no longer apply
// (the posted schedule it replaces changed, its event is posted already or
// is no longer open) or whose push fails is rolled back and marked failed
// with the reason: ApproveProposal then returns it with the error.
// Approving a failed proposal again retries it.
//
// Once a bump is applied, the approved proposal's BumpsPostedID reads nil:
// the schema clears it when the posted schedule it names is deleted.
// BumpedEventRef still names the bumped event, and the audit entry keeps
// the removed schedule.
func (s *Store) ApproveProposal(ctx context.Context, by Actor, id int64, push Pusher) (*PendingSchedule, error) {
	var out *PendingSchedule
	err := s.InTx(ctx, func(tx *Store) error {
		p, err := tx.approve(ctx, by, id, push)
		out = p
		return err
	})
	if err == nil {
		return out, nil
	}
	var fail *proposalFailure
	if !errors.As(err, &fail) {
		return nil, err
	}
	// The approval is rolled back; record why in a short transaction of its
	// own, even when ctx was canceled during the push.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	p, merr := s.markProposalFailed(mctx, id, fail.msg)
	if merr != nil {
		return nil, errors.Join(err, merr)
	}
	return p, err
}

// bumpConsumed reports whether the posted schedule p displaces was already
// removed by another approved proposal of the same run. A run records a
// bump twice: on the proposal that takes the displaced event's place and on
// the displaced event's own re-placement (a move); whichever is approved
// first removes the posted schedule, and the other goes ahead without it.
func (s *Store) bumpConsumed(ctx context.Context, p *PendingSchedule) (bool, error) {
	if p.BumpsPostedID != nil || p.BumpedEventRef == nil {
		return false, nil
	}
	var n int64
	err := s.w(ctx).Model(&PendingSchedule{}).
		Where("run_id = ? AND id <> ? AND bumped_event_ref = ? AND status = ?", p.RunID, p.ID, *p.BumpedEventRef, ProposalApproved).
		Count(&n).Error
	if err != nil {
		return false, translate(err, fmt.Sprintf("approve proposal %d", p.ID))
	}
	return n > 0, nil
}

// approve is ApproveProposal's transaction.
func (s *Store) approve(ctx context.Context, by Actor, id int64, push Pusher) (*PendingSchedule, error) {
	what := fmt.Sprintf("approve proposal %d", id)
	failed := func(format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		return &proposalFailure{msg: msg, err: fmt.Errorf("%s: %w: %s", what, ErrConflict, msg)}
	}
	p, err := s.GetProposal(ctx, id)
	if err != nil {
		return nil, err
	}
	run, err := s.lockRun(ctx, p.RunID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if run.Status != RunCompleted {
		return nil, fmt.Errorf("%s: %w", what, &runStatusError{run.ID, run.Status, "only the proposals of a run awaiting review can be approved"})
	}
	if p, err = s.lockProposal(ctx, id); err != nil {
		return nil, err
	}
	if p.Status != ProposalPending && p.Status != ProposalFailed {
		return nil, fmt.Errorf("%s: %w: the proposal is %s; only a pending or failed proposal can be approved", what, ErrConflict, p.Status)
	}
	if err := s.checkUnlocked(ctx, what+" on", p.Date); err != nil {
		return nil, err
	}
	var ev Event
	if err := s.w(ctx).Where("ref = ?", p.EventRef).Take(&ev).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("%s: event %d", what, p.EventRef))
	}
	switch ev.Condition {
	case ConditionCanceled, ConditionExpired, ConditionSubmitted:
		return nil, failed("event %d is %s since the run", p.EventRef, ev.Condition)
	}

	var bumped *PostedSchedule
	consumed, err := s.bumpConsumed(ctx, p)
	if err != nil {
		return nil, err
	}
	if (p.BumpsPostedID != nil || p.BumpedEventRef != nil) && !consumed {
		// The posted schedule's deletion sets bumps_posted_id to NULL.
		if p.BumpsPostedID == nil || p.BumpedEventRef == nil {
			return nil, failed("the posted schedule it replaces changed since the run")
		}
		var ps []PostedSchedule
		if err := s.w(ctx).Where("id = ?", *p.BumpsPostedID).Limit(1).Find(&ps).Error; err != nil {
			return nil, translate(err, what)
		}
		if len(ps) == 0 || ps[0].EventRef != *p.BumpedEventRef {
			return nil, failed("the posted schedule it replaces changed since the run")
		}
		bumped = &ps[0]
		if err := s.checkUnlocked(ctx, fmt.Sprintf("%s: it replaces event %d's schedule on", what, bumped.EventRef), bumped.Date); err != nil {
			return nil, err
		}
		if err := s.w(ctx).Where("id = ?", bumped.ID).Delete(&PostedSchedule{}).Error; err != nil {
			return nil, translate(err, fmt.Sprintf("%s: remove posted schedule %d", what, bumped.ID))
		}
		if bumped.EventRef != p.EventRef {
			if err := s.setCondition(ctx, bumped.EventRef, ConditionUnstaffed); err != nil {
				return nil, err
			}
		}
	}

	var posted int64
	if err := s.w(ctx).Model(&PostedSchedule{}).Where("event_ref = ?", p.EventRef).Count(&posted).Error; err != nil {
		return nil, translate(err, what)
	}
	if posted > 0 {
		return nil, failed("event %d is already posted", p.EventRef)
	}
	ps := &PostedSchedule{
		EventRef: p.EventRef, EmployeeID: p.EmployeeID, Date: p.Date, StartMinute: p.StartMinute,
		Source: SourceRun, RunID: &p.RunID, PostedBy: string(by), OverrideReason: p.OverrideReason,
	}
	if err := translate(s.w(ctx).Create(ps).Error, fmt.Sprintf("%s: post schedule for event %d", what, p.EventRef)); err != nil {
		return nil, err
	}
	if err := s.setCondition(ctx, p.EventRef, ConditionScheduled); err != nil {
		return nil, err
	}
	err = s.w(ctx).Model(&PendingSchedule{}).Where("id = ?", id).Updates(map[string]any{
		"status": ProposalApproved, "error": "", "updated_at": time.Now().UTC(),
	}).Error
	if err := translate(err, what); err != nil {
		return nil, err
	}
	details := map[string]any{"proposal": p, "posted": ps}
	if bumped != nil {
		details["bumped"] = bumped
	}
	if err := s.audit(ctx, by, "proposal.approve", "proposal", fmt.Sprint(id), p.OverrideReason, details); err != nil {
		return nil, err
	}
	// The run is approved once nothing of it is left to approve.
	err = s.w(ctx).Model(&SchedulerRun{}).
		Where("id = ? AND status = ? AND NOT EXISTS (SELECT 1 FROM pending_schedules WHERE run_id = ? AND status <> ?)",
			p.RunID, RunCompleted, p.RunID, ProposalApproved).
		Update("status", RunApproved).Error
	if err := translate(err, fmt.Sprintf("%s: mark run %d approved", what, p.RunID)); err != nil {
		return nil, err
	}
	if p, err = s.GetProposal(ctx, id); err != nil {
		return nil, err
	}
	if push != nil {
		if err := push(ctx, p, bumped); err != nil {
			return nil, &proposalFailure{msg: err.Error(), err: fmt.Errorf("%s: push to the planning system: %w", what, err)}
		}
	}
	return p, nil
}

// markProposalFailed records why a proposal could not be approved, unless
// it has left the pending and failed states meanwhile, and returns it.
func (s *Store) markProposalFailed(ctx context.Context, id int64, msg string) (*PendingSchedule, error) {
	var out *PendingSchedule
	err := s.InTx(ctx, func(tx *Store) error {
		err := tx.w(ctx).Model(&PendingSchedule{}).
			Where("id = ? AND status IN ?", id, []ProposalStatus{ProposalPending, ProposalFailed}).
			Updates(map[string]any{"status": ProposalFailed, "error": msg, "updated_at": time.Now().UTC()}).Error
		if err := translate(err, fmt.Sprintf("mark proposal %d failed", id)); err != nil {
			return err
		}
		out, err = tx.GetProposal(ctx, id)
		return err
	})
	return out, err
}

// ApproveAll approves a completed run's pending and failed proposals, each
// in its own transaction (ApproveProposal), by date, start and event. A
// proposal that fails or is refused (a locked day) is counted in failed
// and does not stop the others; progress, when not nil, is called after
// each. The error is about ApproveAll itself: the run is not awaiting
// review, or ctx ended, or the run stopped awaiting review on the way.
func (s *Store) ApproveAll(ctx context.Context, by Actor, runID int64, push Pusher, progress func(done, total int)) (approved, failed int, err error) {
	what := fmt.Sprintf("approve run %d", runID)
	run, err := s.GetRun(ctx, runID)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", what, err)
	}
	if run.Status != RunCompleted {
		return 0, 0, fmt.Errorf("%s: %w", what, &runStatusError{runID, run.Status, "only a run awaiting review can be approved"})
	}
	var ids []int64
	err = s.r(ctx).Model(&PendingSchedule{}).
		Where("run_id = ? AND status IN ?", runID, []ProposalStatus{ProposalPending, ProposalFailed}).
		Order("date, start_minute, event_ref").Pluck("id", &ids).Error
	if err != nil {
		return 0, 0, translate(err, what)
	}
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return approved, failed, fmt.Errorf("%s: stopped after %d of %d proposals: %w", what, i, len(ids), err)
		}
		_, err := s.ApproveProposal(ctx, by, id, push)
		var rse *runStatusError
		switch {
		case err == nil:
			approved++
		case errors.As(err, &rse):
			return approved, failed, fmt.Errorf("%s: stopped after %d of %d proposals: %w", what, i, len(ids), err)
		default:
			failed++
			s.log.Warn("proposal not approved", slog.Int64("run", runID), slog.Int64("proposal", id), slog.Any("error", err))
		}
		if progress != nil {
			progress(i+1, len(ids))
		}
	}
	return approved, failed, nil
}

// RejectRun rejects a run awaiting review (completed) or a failed one: the
// run and its pending and failed proposals become rejected. Nothing else
// changes: posted schedules and events stay as they were.
func (s *Store) RejectRun(ctx context.Context, by Actor, runID int64, reason string) error {
	what := fmt.Sprintf("reject run %d", runID)
	return s.InTx(ctx, func(tx *Store) error {
		run, err := tx.lockRun(ctx, runID)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if run.Status != RunCompleted && run.Status != RunFailed {
			return fmt.Errorf("%s: %w", what, &runStatusError{runID, run.Status, "only a run awaiting review or a failed run can be rejected"})
		}
		if err := tx.w(ctx).Model(&SchedulerRun{}).Where("id = ?", runID).Update("status", RunRejected).Error; err != nil {
			return translate(err, what)
		}
		res := tx.w(ctx).Model(&PendingSchedule{}).
			Where("run_id = ? AND status IN ?", runID, []ProposalStatus{ProposalPending, ProposalFailed}).
			Updates(map[string]any{"status": ProposalRejected, "updated_at": time.Now().UTC()})
		if err := translate(res.Error, what+": reject proposals"); err != nil {
			return err
		}
		return tx.audit(ctx, by, "run.reject", "run", fmt.Sprint(runID), reason,
			map[string]any{"status_before": run.Status, "proposals_rejected": res.RowsAffected})
	})
}
