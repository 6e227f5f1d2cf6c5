package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// runJSON is a scheduler run as the API writes it: the store's record,
// with its fallback detail as a JSON object. Proposals (counts by status)
// and Approval (the approve-all under way or last finished on this host)
// are given for one run only.
type runJSON struct {
	store.SchedulerRun
	FallbackDetail json.RawMessage              `json:"fallback_detail"`
	Shadow         json.RawMessage              `json:"shadow"`
	Proposals      map[store.ProposalStatus]int `json:"proposals,omitempty"`
	Approval       *runs.Progress               `json:"approval,omitempty"`
}

// runOut returns the JSON of a run.
func runOut(r *store.SchedulerRun) runJSON {
	return runJSON{SchedulerRun: *r, FallbackDetail: jsonObject(r.FallbackDetail), Shadow: jsonObject(r.Shadow)}
}

// jsonObject returns stored JSON as raw JSON, {} when it is not valid.
func jsonObject(s string) json.RawMessage {
	if raw := json.RawMessage(s); json.Valid(raw) {
		return raw
	}
	return json.RawMessage("{}")
}

// proposalJSON is a run's proposal with the names to show.
type proposalJSON struct {
	ID             int64                `json:"id"`
	Run            int64                `json:"run"`
	Event          int64                `json:"event"`
	EventName      string               `json:"event_name"`
	Employee       string               `json:"employee"`
	EmployeeName   string               `json:"employee_name"`
	Date           civil.Date           `json:"date"`
	Start          civil.Clock          `json:"start"`
	Status         store.ProposalStatus `json:"status"`
	Error          string               `json:"error,omitempty"`
	EditedBy       string               `json:"edited_by,omitempty"`
	OverrideReason string               `json:"override_reason,omitempty"`
	Bumps          *bumpJSON            `json:"bumps,omitempty"`
	UpdatedAt      time.Time            `json:"updated_at"`
}

// bumpJSON is the posted assignment a proposal displaces. Schedule and the
// assignment are null once the posted schedule is gone (the bump applied).
// A proposal whose bumped event is its own moves its posted assignment.
type bumpJSON struct {
	Schedule     *int64       `json:"schedule"`
	Event        int64        `json:"event"`
	EventName    string       `json:"event_name"`
	Employee     string       `json:"employee,omitempty"`
	EmployeeName string       `json:"employee_name,omitempty"`
	Date         *civil.Date  `json:"date"`
	Start        *civil.Clock `json:"start"`
}

// failureJSON is an event a run could not place.
type failureJSON struct {
	Event     int64  `json:"event"`
	EventName string `json:"event_name"`
	Reason    string `json:"reason"`
}

// names maps event refs and employee ids to their names, for display.
type names struct {
	events map[int64]string
	emps   map[string]string
}

// loadNames reads every employee's and event's name.
func (s *server) loadNames(ctx context.Context) (*names, error) {
	emps, err := s.store.ListEmployees(ctx, store.EmployeeFilter{})
	if err != nil {
		return nil, err
	}
	evs, err := s.store.ListEvents(ctx, store.EventFilter{})
	if err != nil {
		return nil, err
	}
	n := &names{events: make(map[int64]string, len(evs)), emps: make(map[string]string, len(emps))}
	for _, e := range emps {
		n.emps[e.ID] = e.Name
	}
	for _, e := range evs {
		n.events[e.Ref] = e.Name
	}
	return n, nil
}

// namesOf reads the names one proposal shows.
func (s *server) namesOf(ctx context.Context, p *store.PendingSchedule) (*names, error) {
	n := &names{events: map[int64]string{}, emps: map[string]string{}}
	refs := []int64{p.EventRef}
	if p.BumpedEventRef != nil {
		refs = append(refs, *p.BumpedEventRef)
	}
	for _, ref := range refs {
		ev, err := s.store.GetEvent(ctx, ref)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if ev != nil {
			n.events[ref] = ev.Name
		}
	}
	emp, err := s.store.GetEmployee(ctx, p.EmployeeID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if emp != nil {
		n.emps[emp.ID] = emp.Name
	}
	return n, nil
}

// proposalOut returns the JSON of a proposal; bumped is the posted
// schedule it displaces, nil when it displaces none or that is gone.
func proposalOut(p *store.PendingSchedule, bumped *store.PostedSchedule, n *names) proposalJSON {
	out := proposalJSON{
		ID: p.ID, Run: p.RunID, Event: p.EventRef, EventName: n.events[p.EventRef], Employee: p.EmployeeID,
		EmployeeName: n.emps[p.EmployeeID], Date: p.Date, Start: p.StartMinute, Status: p.Status, Error: p.Error,
		EditedBy: p.EditedBy, OverrideReason: p.OverrideReason, UpdatedAt: p.UpdatedAt,
	}
	if p.BumpedEventRef != nil {
		b := &bumpJSON{Schedule: p.BumpsPostedID, Event: *p.BumpedEventRef, EventName: n.events[*p.BumpedEventRef]}
		if bumped != nil {
			b.Employee, b.EmployeeName = bumped.EmployeeID, n.emps[bumped.EmployeeID]
			b.Date, b.Start = &bumped.Date, &bumped.StartMinute
		}
		out.Bumps = b
	}
	return out
}

// proposalWithBump returns the JSON of one proposal, with the posted
// schedule it displaces.
func (s *server) proposalWithBump(ctx context.Context, p *store.PendingSchedule) (proposalJSON, error) {
	n, err := s.namesOf(ctx, p)
	if err != nil {
		return proposalJSON{}, err
	}
	var bumped *store.PostedSchedule
	if p.BumpsPostedID != nil {
		bumped, err = s.store.GetPosted(ctx, *p.BumpsPostedID)
		if errors.Is(err, store.ErrNotFound) {
			bumped, err = nil, nil
		}
		if err != nil {
			return proposalJSON{}, err
		}
	}
	return proposalOut(p, bumped, n), nil
}

// review returns the runs service, or a 503 when the server has none.
func (s *server) review() (*runs.Review, error) {
	if s.runs == nil {
		return nil, &httpError{status: http.StatusServiceUnavailable, message: "scheduler runs are not available on this server"}
	}
	return s.runs, nil
}

// reviewError turns the runs service's errors into what the client is
// told; the store's sentinels pass through to the error handler.
func (s *server) reviewError(err error) error {
	var re *runs.RulesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, new(*rules.ViolationError)), errors.Is(err, rules.ErrOverrideForbidden):
		return judgeError(err)
	case errors.Is(err, runs.ErrNoRules):
		return &httpError{status: http.StatusServiceUnavailable, message: runs.ErrNoRules.Error()}
	case errors.Is(err, runs.ErrClosed):
		return &httpError{status: http.StatusServiceUnavailable, message: runs.ErrClosed.Error()}
	case errors.As(err, &re):
		return &httpError{status: http.StatusServiceUnavailable, message: re.Error()}
	case errors.Is(err, rules.ErrRule):
		s.log.Error("scheduler run failed: its rules could not answer", "err", err)
		return &httpError{status: http.StatusServiceUnavailable, message: "the scheduling rules could not answer, so the run stopped and is recorded as failed; try again, or see the log: " + err.Error()}
	case errors.Is(err, store.ErrRunLocked):
		msg := err.Error()
		if i := strings.Index(msg, store.ErrRunLocked.Error()); i >= 0 {
			msg = msg[i:]
		}
		return conflict(msg + "; try again when it has finished")
	}
	return err
}

// decodeOptional decodes an optional JSON body strictly: an empty body
// leaves dst as it is.
func decodeOptional(c *fiber.Ctx, dst any) error {
	if len(bytes.TrimSpace(c.Body())) == 0 {
		return nil
	}
	return decodeJSON(c, dst)
}

// listRuns answers GET /api/runs?limit=: the latest runs, newest first.
func (s *server) listRuns(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 1, 500, 50)
	if err != nil {
		return err
	}
	list, err := s.store.ListRuns(c.UserContext(), limit)
	if err != nil {
		return err
	}
	out := make([]runJSON, len(list))
	for i := range list {
		out[i] = runOut(&list[i])
	}
	return c.JSON(listOf(out))
}

// startRun answers POST /api/runs: a manual run, synchronously; 201 with
// the run, 409 when another run holds the lock.
func (s *server) startRun(c *fiber.Ctx) error {
	var in struct{}
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	rv, err := s.review()
	if err != nil {
		return err
	}
	rec, err := rv.Run(c.UserContext(), currentAuth(c).actor())
	if err != nil {
		return s.reviewError(err)
	}
	return created(c, "/api/runs/"+strconv.FormatInt(rec.ID, 10), runOut(rec))
}

// getRun answers GET /api/runs/:id: the run, its proposals counted by
// status, and the progress of its approve-all when one ran on this host.
func (s *server) getRun(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "a run id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	rec, err := s.store.GetRun(ctx, id)
	if err != nil {
		return err
	}
	counts, err := s.store.ProposalCounts(ctx, id)
	if err != nil {
		return err
	}
	out := runOut(rec)
	out.Proposals = counts
	if s.runs != nil {
		if p, ok := s.runs.Progress(id); ok {
			out.Approval = &p
		}
	}
	return c.JSON(out)
}

// runProposalsJSON is the answer of GET /api/runs/:id/proposals.
type runProposalsJSON struct {
	Run      int64          `json:"run"`
	New      []proposalJSON `json:"new"`
	Bumps    []proposalJSON `json:"bumps"`
	Failures []failureJSON  `json:"failures"`
}

// listRunProposals answers GET /api/runs/:id/proposals: the proposals that
// displace nothing (new), those that displace a posted assignment (bumps),
// and the events the run could not place (failures).
func (s *server) listRunProposals(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "a run id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if _, err := s.store.GetRun(ctx, id); err != nil {
		return err
	}
	ps, err := s.store.ListProposals(ctx, id)
	if err != nil {
		return err
	}
	fs, err := s.store.ListRunFailures(ctx, id)
	if err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	posted, err := s.bumpedPosted(ctx, ps)
	if err != nil {
		return err
	}
	out := runProposalsJSON{Run: id, New: []proposalJSON{}, Bumps: []proposalJSON{}, Failures: []failureJSON{}}
	for i := range ps {
		p := &ps[i]
		if p.BumpedEventRef == nil {
			out.New = append(out.New, proposalOut(p, nil, n))
			continue
		}
		var bumped *store.PostedSchedule
		if p.BumpsPostedID != nil {
			bumped = posted[*p.BumpsPostedID]
		}
		out.Bumps = append(out.Bumps, proposalOut(p, bumped, n))
	}
	for _, f := range fs {
		out.Failures = append(out.Failures, failureJSON{Event: f.EventRef, EventName: n.events[f.EventRef], Reason: f.Reason})
	}
	return c.JSON(out)
}

// bumpedPosted returns the posted schedules the proposals displace, by
// id; those already gone are left out.
func (s *server) bumpedPosted(ctx context.Context, ps []store.PendingSchedule) (map[int64]*store.PostedSchedule, error) {
	out := map[int64]*store.PostedSchedule{}
	for _, p := range ps {
		if p.BumpsPostedID == nil || out[*p.BumpsPostedID] != nil {
			continue
		}
		got, err := s.store.GetPosted(ctx, *p.BumpsPostedID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[got.ID] = got
	}
	return out, nil
}

// previewItem is one assignment of a day in the preview of a run: posted
// and kept, proposed by the run, or posted and displaced by a proposal.
type previewItem struct {
	State        string      `json:"state"`
	Event        int64       `json:"event"`
	EventName    string      `json:"event_name"`
	Employee     string      `json:"employee"`
	EmployeeName string      `json:"employee_name"`
	Start        civil.Clock `json:"start"`
	Schedule     *int64      `json:"schedule,omitempty"`
	Proposal     *int64      `json:"proposal,omitempty"`
	DisplacedBy  *int64      `json:"displaced_by,omitempty"`
}

// The states of a preview item.
const (
	statePosted    = "posted"
	stateProposed  = "proposed"
	stateDisplaced = "displaced"
)

// previewDay is one day of a preview.
type previewDay struct {
	Date        civil.Date    `json:"date"`
	Assignments []previewItem `json:"assignments"`
}

// previewRun answers GET /api/runs/:id/preview?from&to: every day of the
// range (both or neither; by default the days of the run's proposals,
// none when it has none) with the posted
// assignments and the run's pending proposals merged: what the schedule
// would be once the run is approved.
func (s *server) previewRun(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "a run id")
	if err != nil {
		return err
	}
	r, err := queryRange(c, maxRangeDays)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if _, err := s.store.GetRun(ctx, id); err != nil {
		return err
	}
	all, err := s.store.ListProposals(ctx, id)
	if err != nil {
		return err
	}
	var open []store.PendingSchedule
	for _, p := range all {
		if p.Status == store.ProposalPending || p.Status == store.ProposalFailed {
			open = append(open, p)
		}
	}
	if r.From.IsZero() != r.To.IsZero() {
		return badRequest("query", "give from and to together, or neither for the days of the run's proposals")
	}
	if r.From.IsZero() {
		var lo, hi civil.Date
		for _, p := range all {
			if lo.IsZero() || p.Date < lo {
				lo = p.Date
			}
			if hi.IsZero() || p.Date > hi {
				hi = p.Date
			}
		}
		if lo.IsZero() {
			return c.JSON(fiber.Map{"run": id, "from": nil, "to": nil, "days": []previewDay{}})
		}
		if n := lo.DaysUntil(hi) + 1; n > maxRangeDays {
			return badRequest("query", "the run's proposals span %d days: give from and to, at most %d days apart", n, maxRangeDays)
		}
		r.From, r.To = lo, hi
	}
	posted, err := s.store.ListPosted(ctx, store.ScheduleFilter{From: r.From, To: r.To})
	if err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	displacedBy := map[int64]int64{}
	for _, p := range open {
		if p.BumpsPostedID != nil {
			if _, ok := displacedBy[*p.BumpsPostedID]; !ok {
				displacedBy[*p.BumpsPostedID] = p.ID
			}
		}
	}
	byDay := map[civil.Date][]previewItem{}
	for _, ps := range posted {
		item := previewItem{State: statePosted, Event: ps.EventRef, EventName: n.events[ps.EventRef], Employee: ps.EmployeeID,
			EmployeeName: n.emps[ps.EmployeeID], Start: ps.StartMinute, Schedule: &ps.ID}
		if by, ok := displacedBy[ps.ID]; ok {
			item.State, item.DisplacedBy = stateDisplaced, &by
		}
		byDay[ps.Date] = append(byDay[ps.Date], item)
	}
	for _, p := range open {
		if p.Date < r.From || p.Date > r.To {
			continue
		}
		byDay[p.Date] = append(byDay[p.Date], previewItem{State: stateProposed, Event: p.EventRef, EventName: n.events[p.EventRef],
			Employee: p.EmployeeID, EmployeeName: n.emps[p.EmployeeID], Start: p.StartMinute, Proposal: &p.ID})
	}
	days := make([]previewDay, 0, r.From.DaysUntil(r.To)+1)
	for d := r.From; d <= r.To; d = d.AddDays(1) {
		items := byDay[d]
		sort.SliceStable(items, func(i, j int) bool {
			if items[i].Start != items[j].Start {
				return items[i].Start < items[j].Start
			}
			return items[i].Event < items[j].Event
		})
		if items == nil {
			items = []previewItem{}
		}
		days = append(days, previewDay{Date: d, Assignments: items})
	}
	return c.JSON(fiber.Map{"run": id, "from": r.From, "to": r.To, "days": days})
}

// getProposal answers GET /api/proposals/:id.
func (s *server) getProposal(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "a proposal id")
	if err != nil {
		return err
	}
	p, err := s.store.GetProposal(c.UserContext(), id)
	if err != nil {
		return err
	}
	out, err := s.proposalWithBump(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// proposalIn is the body of PUT /api/proposals/:id: any of employee,
// date and start (the others stay), and the reason an admin overrides a
// hard rule.
type proposalIn struct {
	Employee       *string `json:"employee"`
	Date           *string `json:"date"`
	Start          *string `json:"start"`
	OverrideReason string  `json:"override_reason"`
}

// editProposal answers PUT /api/proposals/:id: the edit is checked by
// every rule as a manual placement; see runs.Review.EditProposal.
func (s *server) editProposal(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "a proposal id")
	if err != nil {
		return err
	}
	var in proposalIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Employee == nil && in.Date == nil && in.Start == nil {
		return invalid("body", "give employee, date, start or several: the new placement")
	}
	var bad, missing fieldErrs
	var date civil.Date
	var start civil.Clock
	if in.Date != nil {
		if *in.Date == "" {
			missing.add("body.date", "is empty: give a date (YYYY-MM-DD) or leave the field out")
		} else {
			date = bad.date("body.date", *in.Date)
		}
	}
	if in.Start != nil {
		if *in.Start == "" {
			missing.add("body.start", "is empty: give a time (HH:MM) or leave the field out")
		} else {
			start = bad.clock("body.start", *in.Start)
		}
	}
	if in.Employee != nil && *in.Employee == "" {
		missing.add("body.employee", "is empty: give an employee id or leave the field out")
	}
	if err := bad.err(http.StatusBadRequest); err != nil {
		return err
	}
	if err := missing.err(http.StatusUnprocessableEntity); err != nil {
		return err
	}
	rv, err := s.review()
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := s.store.GetProposal(ctx, id)
	if err != nil {
		return err
	}
	employee := p.EmployeeID
	if in.Employee != nil {
		employee = *in.Employee
	}
	if in.Date == nil {
		date = p.Date
	}
	if in.Start == nil {
		start = p.StartMinute
	}
	a := currentAuth(c)
	got, err := rv.EditProposal(ctx, runs.Reviewer{Actor: a.actor(), Admin: a.user.Role == store.UserAdmin}, id, employee, date, start, in.OverrideReason)
	if err != nil {
		return s.reviewError(err)
	}
	out, err := s.proposalWithBump(ctx, got)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// approveProposal answers POST /api/proposals/:id/approve: the proposal is
// applied (posted) in one transaction. One that can no longer apply is a
// 409 and is marked failed with the reason.
func (s *server) approveProposal(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "a proposal id")
	if err != nil {
		return err
	}
	var in struct{}
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	rv, err := s.review()
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := rv.ApproveProposal(ctx, currentAuth(c).actor(), id)
	if err != nil {
		return s.reviewError(err)
	}
	out, err := s.proposalWithBump(ctx, p)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// approveRun answers POST /api/runs/:id/approve: every pending and failed
// proposal is approved in the background; 202 with the progress, which
// GET /api/runs/:id shows as it goes.
func (s *server) approveRun(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "a run id")
	if err != nil {
		return err
	}
	var in struct{}
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	rv, err := s.review()
	if err != nil {
		return err
	}
	p, err := rv.ApproveAll(c.UserContext(), currentAuth(c).actor(), id)
	if err != nil {
		return s.reviewError(err)
	}
	url := "/api/runs/" + strconv.FormatInt(id, 10)
	c.Location(url)
	return c.Status(http.StatusAccepted).JSON(fiber.Map{"run": id, "progress_url": url, "approval": p})
}

// rejectIn is the body of POST /api/runs/:id/reject.
type rejectIn struct {
	Reason string `json:"reason"`
}

// rejectRun answers POST /api/runs/:id/reject {reason}: the run and its
// open proposals become rejected; nothing posted changes.
func (s *server) rejectRun(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "a run id")
	if err != nil {
		return err
	}
	var in rejectIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return invalid("body.reason", "is required: say why the run is rejected (the audit log keeps it)")
	}
	rv, err := s.review()
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := rv.RejectRun(ctx, currentAuth(c).actor(), id, strings.TrimSpace(in.Reason)); err != nil {
		return s.reviewError(err)
	}
	rec, err := s.store.GetRun(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(runOut(rec))
}

// scheduleEventJSON is the answer of POST /api/events/:ref/schedule: the
// run and the event's proposal or failure (the other is null).
type scheduleEventJSON struct {
	Run      runJSON       `json:"run"`
	Proposal *proposalJSON `json:"proposal"`
	Failure  *failureJSON  `json:"failure"`
}

// scheduleEvent answers POST /api/events/:ref/schedule: a run that places
// only this event; 201 with the run and the event's proposal or failure.
func (s *server) scheduleEvent(c *fiber.Ctx) error {
	ref, err := pathID(c, "ref", "an event ref")
	if err != nil {
		return err
	}
	var in struct{}
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	rv, err := s.review()
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	rec, p, f, err := rv.ScheduleOne(ctx, currentAuth(c).actor(), ref)
	if err != nil {
		return s.reviewError(err)
	}
	out := scheduleEventJSON{Run: runOut(rec)}
	if p != nil {
		pj, err := s.proposalWithBump(ctx, p)
		if err != nil {
			return err
		}
		out.Proposal = &pj
	}
	if f != nil {
		ev, err := s.store.GetEvent(ctx, f.EventRef)
		if err != nil {
			return err
		}
		out.Failure = &failureJSON{Event: f.EventRef, EventName: ev.Name, Reason: f.Reason}
	}
	return created(c, "/api/runs/"+strconv.FormatInt(rec.ID, 10), out)
}

// cronSettingIn is the part of a PUT /api/settings body that the
// automatic runs read.
type cronSettingIn struct {
	Scheduler *struct {
		AutoRunCron *string `json:"auto_run_cron"`
	} `json:"scheduler"`
}

// checkCronSetting guards PUT /api/settings: a scheduler.auto_run_cron
// that is not a cron schedule is a 422 naming the field; once the
// settings are saved, the automatic runs re-read their schedule.
func (s *server) checkCronSetting(c *fiber.Ctx) error {
	var in cronSettingIn
	// A body that does not decode is the settings handler's to refuse.
	if json.Unmarshal(c.Body(), &in) == nil && in.Scheduler != nil && in.Scheduler.AutoRunCron != nil {
		if err := runs.ValidateCron(*in.Scheduler.AutoRunCron); err != nil {
			return invalid("body.scheduler.auto_run_cron", "%s", err.Error())
		}
	}
	if err := c.Next(); err != nil {
		return err
	}
	if s.cron != nil && c.Response().StatusCode() == http.StatusOK {
		if err := s.cron.Reload(c.UserContext()); err != nil {
			s.log.Error("reload the automatic runs' schedule", "err", err)
		}
	}
	return nil
}
