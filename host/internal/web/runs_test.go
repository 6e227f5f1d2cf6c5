package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/host/internal/web"
	"github.com/crewplan/crewplan/sdk/civil"
)

// Scenario files and events of them the tests use.
const (
	clubWeek     = "../../../testdata/scenarios/club-week.json"
	bumpCase     = "../../../testdata/scenarios/cases/bump-for-urgent.json"
	frozenPizza  = 605582 // club-week: a core without a supervisor, due 2026-03-14
	freeoskEvent = 605602 // club-week: too early for an automatic placement
	urgentCore   = 700401 // bump-for-urgent: bumps lateCore's posted assignment
	lateCore     = 700402
)

// importScenario loads the scenario at path into st and returns it.
func importScenario(t testing.TB, st *store.Store, path string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(ctx, store.SystemActor, sc.Dataset(store.SystemActor)); err != nil {
		t.Fatal(err)
	}
	return sc
}

// newReview returns the runs service over st with the in-process rules
// and a clock fixed at now; it is closed when the test ends.
func newReview(t testing.TB, st *store.Store, now civil.DateTime) *runs.Review {
	t.Helper()
	rv := &runs.Review{
		Service: &runs.Service{Store: st, Rules: builtinRulesInProcess(), Host: "web-test"},
		Now:     func() civil.DateTime { return now },
	}
	t.Cleanup(func() { rv.Close(context.Background()) })
	return rv
}

// runsEnv is a server over st loaded with the scenario at path, with the
// runs service.
func runsEnv(t testing.TB, st *store.Store, path string, opts ...func(*web.Options)) (*testEnv, *runs.Review) {
	t.Helper()
	sc := importScenario(t, st, path)
	rv := newReview(t, st, sc.Now)
	e := newEnv(t, st, append([]func(*web.Options){func(o *web.Options) { o.Runs = rv }}, opts...)...)
	return e, rv
}

// Answers of the runs API, as far as the tests read them.
type (
	runOut struct {
		ID          int64          `json:"id"`
		Status      string         `json:"status"`
		TriggeredBy string         `json:"triggered_by"`
		RequestedBy string         `json:"requested_by"`
		Host        string         `json:"host"`
		Now         string         `json:"now"`
		StartedAt   time.Time      `json:"started_at"`
		FinishedAt  *time.Time     `json:"finished_at"`
		Placed      int            `json:"placed"`
		Failed      int            `json:"failed"`
		Bumps       int            `json:"bumps"`
		Ranker      string         `json:"ranker"`
		Fallback    map[string]int `json:"fallback_detail"`
		Proposals   map[string]int `json:"proposals"`
		Approval    *runs.Progress `json:"approval"`
	}
	bumpOut struct {
		Schedule     *int64  `json:"schedule"`
		Event        int64   `json:"event"`
		EventName    string  `json:"event_name"`
		Employee     string  `json:"employee"`
		EmployeeName string  `json:"employee_name"`
		Date         *string `json:"date"`
		Start        *string `json:"start"`
	}
	proposalOut struct {
		ID             int64    `json:"id"`
		Run            int64    `json:"run"`
		Event          int64    `json:"event"`
		EventName      string   `json:"event_name"`
		Employee       string   `json:"employee"`
		EmployeeName   string   `json:"employee_name"`
		Date           string   `json:"date"`
		Start          string   `json:"start"`
		Status         string   `json:"status"`
		EditedBy       string   `json:"edited_by"`
		OverrideReason string   `json:"override_reason"`
		Bumps          *bumpOut `json:"bumps"`
	}
	failureOut struct {
		Event     int64  `json:"event"`
		EventName string `json:"event_name"`
		Reason    string `json:"reason"`
	}
	proposalsOut struct {
		Run      int64         `json:"run"`
		New      []proposalOut `json:"new"`
		Bumps    []proposalOut `json:"bumps"`
		Failures []failureOut  `json:"failures"`
	}
	previewOut struct {
		From string `json:"from"`
		To   string `json:"to"`
		Days []struct {
			Date        string `json:"date"`
			Assignments []struct {
				State       string `json:"state"`
				Event       int64  `json:"event"`
				EventName   string `json:"event_name"`
				Employee    string `json:"employee"`
				Start       string `json:"start"`
				Schedule    *int64 `json:"schedule"`
				Proposal    *int64 `json:"proposal"`
				DisplacedBy *int64 `json:"displaced_by"`
			} `json:"assignments"`
		} `json:"days"`
	}
	scheduleListOut struct {
		Items []struct {
			ID       int64  `json:"id"`
			Event    int64  `json:"event"`
			Employee string `json:"employee"`
			At       string `json:"at"`
			Source   string `json:"source"`
			RunID    *int64 `json:"run_id"`
		} `json:"items"`
	}
)

// startRun starts a run as c and returns it.
func (e *testEnv) startRun(t testing.TB, c *client) runOut {
	t.Helper()
	r := e.do(t, c, "POST", "/api/runs", "").want(t, 201)
	var run runOut
	r.decode(t, &run)
	if loc := r.header.Get("Location"); loc != "/api/runs/"+strconv.FormatInt(run.ID, 10) {
		t.Errorf("Location %q", loc)
	}
	return run
}

// proposals returns a run's proposals.
func (e *testEnv) proposals(t testing.TB, runID int64) proposalsOut {
	t.Helper()
	var out proposalsOut
	e.do(t, e.view, "GET", fmt.Sprintf("/api/runs/%d/proposals", runID), "").want(t, 200).decode(t, &out)
	return out
}

// getRun returns one run.
func (e *testEnv) getRun(t testing.TB, id int64) runOut {
	t.Helper()
	var out runOut
	e.do(t, e.view, "GET", fmt.Sprintf("/api/runs/%d", id), "").want(t, 200).decode(t, &out)
	return out
}

// approveAll approves a run's proposals and waits until it has finished.
func (e *testEnv) approveAll(t testing.TB, c *client, id int64) runs.Progress {
	t.Helper()
	r := e.do(t, c, "POST", fmt.Sprintf("/api/runs/%d/approve", id), "").want(t, 202)
	var started struct {
		ProgressURL string        `json:"progress_url"`
		Approval    runs.Progress `json:"approval"`
	}
	r.decode(t, &started)
	if started.ProgressURL != fmt.Sprintf("/api/runs/%d", id) || r.header.Get("Location") != started.ProgressURL {
		t.Errorf("approve all answered %s, Location %q", r.body, r.header.Get("Location"))
	}
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if run := e.getRun(t, id); run.Approval != nil && run.Approval.Finished {
			return *run.Approval
		}
	}
	t.Fatalf("approval of run %d did not finish", id)
	return runs.Progress{}
}

// find returns the proposal of event ref.
func (p proposalsOut) find(t testing.TB, ref int64) proposalOut {
	t.Helper()
	for _, x := range append(append([]proposalOut{}, p.New...), p.Bumps...) {
		if x.Event == ref {
			return x
		}
	}
	t.Fatalf("no proposal for event %d in %+v", ref, p)
	return proposalOut{}
}

// posted returns the posted schedules by event: "employee at".
func (e *testEnv) posted(t testing.TB) map[int64]string {
	t.Helper()
	var list scheduleListOut
	e.do(t, e.view, "GET", "/api/schedules", "").want(t, 200).decode(t, &list)
	out := map[int64]string{}
	for _, s := range list.Items {
		out[s.Event] = s.Employee + " " + s.At
	}
	return out
}

// TestRunReview goes through a review: a run, its proposals, an edit the
// rules refuse and an admin overrides, one approval, a locked day that
// blocks approval, approve all, and the posted schedule that results.
func TestRunReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, _ := runsEnv(t, st, clubWeek)
		e.do(t, e.view, "POST", "/api/runs", "").want(t, 403)
		run := e.startRun(t, e.sched)
		if run.Status != "completed" || run.TriggeredBy != "manual" || run.RequestedBy != "sched" || run.Host != "web-test" ||
			run.Now != "2026-03-02T08:00" || run.Placed != 74 || run.Failed != 6 || run.Ranker != "rules" || run.Fallback == nil || run.FinishedAt == nil {
			t.Fatalf("run %+v", run)
		}
		var list struct{ Items []runOut }
		e.do(t, e.view, "GET", "/api/runs?limit=5", "").want(t, 200).decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != run.ID {
			t.Errorf("runs %+v", list)
		}
		if got := e.getRun(t, run.ID); got.Proposals["pending"] != 74 || got.Approval != nil {
			t.Errorf("run %+v", got)
		}

		ps := e.proposals(t, run.ID)
		if len(ps.New) != 74 || len(ps.Bumps) != 0 || len(ps.Failures) != 6 {
			t.Fatalf("proposals: %d new, %d bumps, %d failures", len(ps.New), len(ps.Bumps), len(ps.Failures))
		}
		for _, f := range ps.Failures {
			if f.EventName == "" || f.Reason == "" {
				t.Errorf("failure %+v", f)
			}
		}
		pizza := ps.find(t, frozenPizza)
		if pizza.EventName != "605582-CF-Frozen Pizza (431205687120) - V2-CORE" || pizza.EmployeeName == "" || pizza.Status != "pending" {
			t.Errorf("proposal %+v", pizza)
		}
		path := fmt.Sprintf("/api/proposals/%d", pizza.ID)

		// Past its due date: the rules refuse; a scheduler cannot
		// override; an admin can, with a reason the audit log keeps.
		before := e.snapshot(t)
		body := e.do(t, e.sched, "PUT", path, `{"employee":"E010","date":"2026-03-15"}`).want(t, 422).apiError(t)
		if len(body.Fields) != 1 || body.Fields[0].Field != "rule.window" || !strings.Contains(body.Error, "override_reason") {
			t.Errorf("refusal %+v", body)
		}
		e.do(t, e.sched, "PUT", path, `{"employee":"E010","date":"2026-03-15","override_reason":"vendor asked"}`).want(t, 403)
		e.do(t, e.admin, "PUT", path, `{"date":"2026-03-07","override_reason":"vendor asked"}`).want(t, 409)
		var edited proposalOut
		e.do(t, e.admin, "PUT", path, `{"employee":"E010","date":"2026-03-15","override_reason":"vendor asked"}`).want(t, 200).decode(t, &edited)
		if edited.Employee != "E010" || edited.EmployeeName != "Hana Chen" || edited.Date != "2026-03-15" || edited.Start != pizza.Start ||
			edited.OverrideReason != "vendor asked (overrides window)" || edited.EditedBy != "admin" {
			t.Errorf("edited %+v", edited)
		}
		if e.snapshot(t) != before {
			t.Error("an edit changed what is posted")
		}
		audit, err := st.ListAudit(ctx, store.AuditFilter{Entity: "proposal", EntityID: strconv.FormatInt(pizza.ID, 10)})
		if err != nil || len(audit) != 1 || audit[0].Actor != "admin" || audit[0].Action != "proposal.edit" || !strings.Contains(audit[0].Reason, "vendor asked") {
			t.Errorf("audit %+v, %v", audit, err)
		}

		// Approve it alone.
		var approved proposalOut
		e.do(t, e.sched, "POST", path+"/approve", "").want(t, 200).decode(t, &approved)
		if approved.Status != "approved" {
			t.Errorf("approved %+v", approved)
		}
		if got := e.posted(t)[frozenPizza]; got != "E010 2026-03-15T"+pizza.Start {
			t.Errorf("posted %q", got)
		}
		e.do(t, e.sched, "POST", path+"/approve", "").want(t, 409)
		e.do(t, e.sched, "PUT", path, `{"date":"2026-03-05"}`).want(t, 409)

		// A locked day blocks approval, one or all.
		var onMonday []proposalOut
		for _, p := range ps.New {
			if p.Date == "2026-03-09" {
				onMonday = append(onMonday, p)
			}
		}
		if len(onMonday) == 0 {
			t.Fatal("no proposal on 2026-03-09")
		}
		e.do(t, e.admin, "POST", "/api/locked-days", `{"date":"2026-03-09","reason":"inventory"}`).want(t, 201)
		body = e.do(t, e.sched, "POST", fmt.Sprintf("/api/proposals/%d/approve", onMonday[0].ID), "").want(t, 409).apiError(t)
		if !strings.Contains(body.Error, "locked") {
			t.Errorf("approve on a locked day: %q", body.Error)
		}
		prog := e.approveAll(t, e.sched, run.ID)
		if prog.Total != 73 || prog.Done != 73 || prog.Approved != 73-len(onMonday) || prog.Failed != len(onMonday) || prog.Error != "" {
			t.Errorf("approve all with a locked day: %+v", prog)
		}
		if got := e.getRun(t, run.ID); got.Status != "completed" || got.Proposals["pending"] != len(onMonday) {
			t.Errorf("run after a partial approval %+v", got)
		}
		// Unlocked, approving again applies the rest.
		e.do(t, e.admin, "DELETE", "/api/locked-days/2026-03-09?reason=done", "").want(t, 204)
		prog = e.approveAll(t, e.sched, run.ID)
		if prog.Total != len(onMonday) || prog.Approved != len(onMonday) || prog.Failed != 0 {
			t.Errorf("second approve all: %+v", prog)
		}
		if got := e.getRun(t, run.ID); got.Status != "approved" || got.Proposals["approved"] != 74 || len(got.Proposals) != 1 {
			t.Errorf("run after approval %+v", got)
		}
		e.do(t, e.sched, "POST", fmt.Sprintf("/api/runs/%d/approve", run.ID), "").want(t, 409)

		// What is posted is what was proposed (and edited).
		posted := e.posted(t)
		for _, p := range e.proposals(t, run.ID).New {
			if want := p.Employee + " " + p.Date + "T" + p.Start; posted[p.Event] != want {
				t.Errorf("event %d posted as %q, proposed %q", p.Event, posted[p.Event], want)
			}
		}
		var sched scheduleListOut
		e.do(t, e.view, "GET", "/api/schedules", "").want(t, 200).decode(t, &sched)
		fromRun := 0
		for _, s := range sched.Items {
			if s.RunID != nil && *s.RunID == run.ID && s.Source == "run" {
				fromRun++
			}
		}
		if fromRun != 74 || len(sched.Items) != 84 {
			t.Errorf("%d schedules, %d from the run", len(sched.Items), fromRun)
		}
	})
}

// TestRejectChangesNothing: rejecting a run leaves posted schedules,
// events and employees exactly as they were before the run.
func TestRejectChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, _ := runsEnv(t, st, bumpCase)
		before := e.snapshot(t)
		run := e.startRun(t, e.sched)
		if run.Bumps != 1 {
			t.Fatalf("run %+v", run)
		}
		path := fmt.Sprintf("/api/runs/%d/reject", run.ID)
		e.do(t, e.view, "POST", path, `{"reason":"no"}`).want(t, 403)
		body := e.do(t, e.sched, "POST", path, `{}`).want(t, 422).apiError(t)
		if body.Fields[0].Field != "body.reason" {
			t.Errorf("reject without a reason: %+v", body)
		}
		var rejected runOut
		e.do(t, e.sched, "POST", path, `{"reason":"wrong week"}`).want(t, 200).decode(t, &rejected)
		if rejected.Status != "rejected" {
			t.Errorf("rejected %+v", rejected)
		}
		if after := e.snapshot(t); after != before {
			t.Errorf("reject changed the data:\nbefore %s\nafter  %s", before, after)
		}
		for _, p := range e.proposals(t, run.ID).Bumps {
			if p.Status != "rejected" {
				t.Errorf("proposal %+v", p)
			}
		}
		e.do(t, e.sched, "POST", path, `{"reason":"again"}`).want(t, 409)
		e.do(t, e.sched, "POST", fmt.Sprintf("/api/runs/%d/approve", run.ID), "").want(t, 409)
		audit, err := st.ListAudit(ctx, store.AuditFilter{Entity: "run", EntityID: strconv.FormatInt(run.ID, 10)})
		if err != nil || len(audit) != 1 || audit[0].Reason != "wrong week" || audit[0].Actor != "sched" {
			t.Errorf("audit %+v, %v", audit, err)
		}
	})
}

// TestBumpsAndPreview: a proposal that displaces a posted assignment is
// listed under bumps with what it displaces; the preview shows the
// displaced assignment as displaced, not as kept.
func TestBumpsAndPreview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, _ := runsEnv(t, st, bumpCase)
		run := e.startRun(t, e.sched)
		ps := e.proposals(t, run.ID)
		if len(ps.New) != 0 || len(ps.Bumps) != 2 || len(ps.Failures) != 0 {
			t.Fatalf("proposals %+v", ps)
		}
		urgent := ps.find(t, urgentCore)
		b := urgent.Bumps
		if b == nil || b.Schedule == nil || b.Event != lateCore || b.Employee != "E05" || b.EmployeeName != "Eli Okafor" ||
			*b.Date != "2026-03-03" || *b.Start != "09:45" || !strings.Contains(b.EventName, "Pasta Sauce") {
			t.Errorf("urgent proposal %+v bumps %+v", urgent, b)
		}
		if urgent.Employee != "E05" || urgent.Date != "2026-03-03" {
			t.Errorf("urgent proposal %+v", urgent)
		}
		late := ps.find(t, lateCore)
		if late.Bumps == nil || late.Bumps.Event != lateCore {
			t.Errorf("re-placement %+v", late)
		}

		var pv previewOut
		e.do(t, e.view, "GET", fmt.Sprintf("/api/runs/%d/preview?from=2026-03-02&to=2026-03-13", run.ID), "").want(t, 200).decode(t, &pv)
		if len(pv.Days) != 12 || pv.Days[0].Date != "2026-03-02" || pv.Days[11].Date != "2026-03-13" {
			t.Fatalf("preview days %+v", pv.Days)
		}
		states := map[string]string{}
		for _, d := range pv.Days {
			for _, a := range d.Assignments {
				states[fmt.Sprintf("%s %d %s", d.Date, a.Event, a.Employee)] = a.State
				if a.State == "displaced" && (a.DisplacedBy == nil || a.Schedule == nil) {
					t.Errorf("displaced %+v", a)
				}
				if a.EventName == "" {
					t.Errorf("no name %+v", a)
				}
			}
		}
		want := map[string]string{
			"2026-03-03 700402 E05":                "displaced",
			"2026-03-03 700401 E05":                "proposed",
			late.Date + " 700402 " + late.Employee: "proposed",
		}
		for k, v := range want {
			if states[k] != v {
				t.Errorf("preview %s = %q, want %q (all: %v)", k, states[k], v, states)
			}
		}
		if len(states) != 3 {
			t.Errorf("preview %v", states)
		}
		// Without a range: the days of the run's proposals.
		e.do(t, e.view, "GET", fmt.Sprintf("/api/runs/%d/preview", run.ID), "").want(t, 200).decode(t, &pv)
		if pv.From != "2026-03-03" || pv.To != late.Date {
			t.Errorf("default range %s to %s", pv.From, pv.To)
		}

		// Approved: the preview shows what is posted.
		if prog := e.approveAll(t, e.sched, run.ID); prog.Approved != 2 {
			t.Fatalf("approve all %+v", prog)
		}
		e.do(t, e.view, "GET", fmt.Sprintf("/api/runs/%d/preview?from=2026-03-02&to=2026-03-13", run.ID), "").want(t, 200).decode(t, &pv)
		n := 0
		for _, d := range pv.Days {
			for _, a := range d.Assignments {
				n++
				if a.State != "posted" {
					t.Errorf("after approval %s %+v", d.Date, a)
				}
			}
		}
		if n != 2 {
			t.Errorf("after approval %d assignments", n)
		}
		if p := e.proposals(t, run.ID).find(t, urgentCore); p.Bumps == nil || p.Bumps.Schedule != nil || p.Bumps.Event != lateCore {
			t.Errorf("applied bump %+v", p.Bumps)
		}
	})
}

// TestConcurrentRuns: one run at a time. Two at once either take turns
// or one is refused with who holds the lock.
func TestConcurrentRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, _ := runsEnv(t, st, clubWeek)
		var wg sync.WaitGroup
		answers := make([]*resp, 2)
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = e.do(t, e.sched, "POST", "/api/runs", "")
			}()
		}
		wg.Wait()
		var ok []runOut
		for _, r := range answers {
			switch r.status {
			case 201:
				var run runOut
				r.decode(t, &run)
				ok = append(ok, run)
			case 409:
				if msg := r.apiError(t).Error; !strings.Contains(msg, "a scheduler run is already in progress: held by web-test since") {
					t.Errorf("refusal %q", msg)
				}
			default:
				t.Errorf("status %d: %s", r.status, r.body)
			}
		}
		switch len(ok) {
		case 1:
		case 2:
			a, b := ok[0], ok[1]
			if a.StartedAt.After(b.StartedAt) {
				a, b = b, a
			}
			if b.StartedAt.Before(*a.FinishedAt) {
				t.Errorf("runs overlap: %v-%v and %v-%v", a.StartedAt, *a.FinishedAt, b.StartedAt, *b.FinishedAt)
			}
		default:
			t.Fatalf("%d runs succeeded", len(ok))
		}
		t.Logf("%d of 2 concurrent runs succeeded", len(ok))

		// Another host holds the lock: refused, naming it.
		release, err := st.AcquireRunLock(ctx, "other-host")
		if err != nil {
			t.Fatal(err)
		}
		before := len(e.listRuns(t))
		body := e.do(t, e.sched, "POST", "/api/runs", "").want(t, 409).apiError(t)
		release()
		if !strings.Contains(body.Error, "held by other-host since") || !strings.Contains(body.Error, "try again") {
			t.Errorf("refusal %q", body.Error)
		}
		if len(e.listRuns(t)) != before {
			t.Error("a refused run was recorded")
		}
	})
}

// listRuns returns the run history.
func (e *testEnv) listRuns(t testing.TB) []runOut {
	t.Helper()
	var list struct{ Items []runOut }
	e.do(t, e.view, "GET", "/api/runs", "").want(t, 200).decode(t, &list)
	return list.Items
}

// TestScheduleOneEvent: POST /api/events/:ref/schedule places that event
// alone and answers its proposal or failure.
func TestScheduleOneEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, _ := runsEnv(t, st, clubWeek)
		e.do(t, e.view, "POST", "/api/events/605582/schedule", "").want(t, 403)
		var out struct {
			Run      runOut       `json:"run"`
			Proposal *proposalOut `json:"proposal"`
			Failure  *failureOut  `json:"failure"`
		}
		r := e.do(t, e.sched, "POST", "/api/events/605582/schedule", "").want(t, 201)
		r.decode(t, &out)
		if out.Run.TriggeredBy != "single" || out.Run.Placed != 1 || out.Proposal == nil || out.Proposal.Event != frozenPizza ||
			out.Proposal.EventName == "" || out.Proposal.EmployeeName == "" || out.Failure != nil {
			t.Errorf("schedule one: %s", r.body)
		}
		if r.header.Get("Location") != fmt.Sprintf("/api/runs/%d", out.Run.ID) {
			t.Errorf("Location %q", r.header.Get("Location"))
		}
		out.Proposal, out.Failure = nil, nil
		e.do(t, e.sched, "POST", "/api/events/605602/schedule", "").want(t, 201).decode(t, &out)
		if out.Proposal != nil || out.Failure == nil || out.Failure.Event != freeoskEvent || !strings.Contains(out.Failure.Reason, "earliest") || out.Failure.EventName == "" {
			t.Errorf("schedule a freeosk too early: %+v", out)
		}
		e.do(t, e.sched, "POST", "/api/events/999999/schedule", "").want(t, 404)
		body := e.do(t, e.sched, "POST", "/api/events/605618/schedule", "").want(t, 409).apiError(t) // posted
		if !strings.Contains(body.Error, "already posted") {
			t.Errorf("posted event: %q", body.Error)
		}
		body = e.do(t, e.sched, "POST", "/api/events/x1/schedule", "").want(t, 400).apiError(t)
		if body.Fields[0].Field != "path.ref" {
			t.Errorf("bad ref: %+v", body)
		}
	})
}

// TestRunsBadInput: bad ids, dates, times and unknown fields are 400s
// naming the field; unknown runs and proposals 404s.
func TestRunsBadInput(t *testing.T) {
	st := storetest.SQLite(t)
	e, _ := runsEnv(t, st, clubWeek)
	run := e.startRun(t, e.sched)
	pid := e.proposals(t, run.ID).find(t, frozenPizza).ID
	rp := fmt.Sprintf("/api/runs/%d", run.ID)
	pp := fmt.Sprintf("/api/proposals/%d", pid)
	before := e.snapshot(t)
	for _, tc := range []struct {
		method, path, body string
		status             int
		field              string
	}{
		{"GET", "/api/runs/abc", "", 400, "path.id"},
		{"GET", "/api/runs/0", "", 400, "path.id"},
		{"GET", "/api/runs/-3", "", 400, "path.id"},
		{"GET", "/api/runs/1.5", "", 400, "path.id"},
		{"GET", "/api/runs/999999", "", 404, ""},
		{"GET", "/api/runs/999999/proposals", "", 404, ""},
		{"GET", "/api/runs/999999/preview", "", 404, ""},
		{"GET", "/api/runs?limit=0", "", 400, "query.limit"},
		{"GET", "/api/runs?limit=ten", "", 400, "query.limit"},
		{"GET", rp + "/preview?from=2026-13-01&to=2026-03-09", "", 400, "query.from"},
		{"GET", rp + "/preview?from=2026-03-09&to=2026-03-01", "", 400, "query.to"},
		{"GET", rp + "/preview?from=2026-01-01&to=2027-12-31", "", 400, "query.to"},
		{"GET", rp + "/preview?from=2026-03-01", "", 400, "query"},
		{"GET", "/api/proposals/x", "", 400, "path.id"},
		{"GET", "/api/proposals/999999", "", 404, ""},
		{"POST", "/api/runs", `{"trigger":"cron"}`, 400, "body"},
		{"POST", "/api/runs", `[]`, 400, "body"},
		{"PUT", pp, `{"date":"2026-02-30"}`, 400, "body.date"},
		{"PUT", pp, `{"date":"03/04/2026"}`, 400, "body.date"},
		{"PUT", pp, `{"start":"25:00"}`, 400, "body.start"},
		{"PUT", pp, `{"start":9}`, 400, "body.start"},
		{"PUT", pp, `{"employee":7}`, 400, "body.employee"},
		{"PUT", pp, `{"colour":"red"}`, 400, "body"},
		{"PUT", pp, `{"date":"2026-03-04"`, 400, "body"},
		{"PUT", pp, `{}`, 422, "body"},
		{"PUT", pp, `{"employee":""}`, 422, "body.employee"},
		{"PUT", pp, `{"employee":"E999"}`, 422, "body.employee"},
		{"PUT", "/api/proposals/999999", `{"date":"2026-03-04"}`, 404, ""},
		{"PUT", "/api/proposals/0", `{"date":"2026-03-04"}`, 400, "path.id"},
		{"POST", "/api/proposals/abc/approve", "", 400, "path.id"},
		{"POST", "/api/proposals/999999/approve", "", 404, ""},
		{"POST", pp + "/approve", `{"force":true}`, 400, "body"},
		{"POST", "/api/runs/abc/approve", "", 400, "path.id"},
		{"POST", "/api/runs/999999/approve", "", 404, ""},
		{"POST", rp + "/reject", `{"reason":5}`, 400, "body.reason"},
		{"POST", rp + "/reject", `{"reason":"x","extra":1}`, 400, "body"},
		{"POST", rp + "/reject", "", 415, ""},
		{"POST", "/api/runs/999999/reject", `{"reason":"x"}`, 404, ""},
	} {
		t.Run(tc.method+" "+tc.path+" "+tc.body, func(t *testing.T) {
			body := e.do(t, e.admin, tc.method, tc.path, tc.body).want(t, tc.status).apiError(t)
			if body.Error == "" || body.RequestID == "" {
				t.Errorf("error body %+v", body)
			}
			if tc.field != "" && (len(body.Fields) == 0 || body.Fields[0].Field != tc.field) {
				t.Errorf("fields %+v, want %s", body.Fields, tc.field)
			}
		})
	}
	if e.snapshot(t) != before {
		t.Error("a refused request changed something")
	}
	if got := e.getRun(t, run.ID); got.Status != "completed" || got.Proposals["pending"] != 74 {
		t.Errorf("run after bad requests %+v", got)
	}
}

// TestRunsAuth: reading takes a session, changing a scheduler or admin
// and the CSRF token.
func TestRunsAuth(t *testing.T) {
	st := storetest.SQLite(t)
	e, _ := runsEnv(t, st, clubWeek)
	run := e.startRun(t, e.admin)
	pid := e.proposals(t, run.ID).find(t, frozenPizza).ID
	rp := fmt.Sprintf("/api/runs/%d", run.ID)
	pp := fmt.Sprintf("/api/proposals/%d", pid)
	for _, p := range []string{"/api/runs", rp, rp + "/proposals", rp + "/preview", pp} {
		e.do(t, nil, "GET", p, "").want(t, 401)
		e.do(t, e.view, "GET", p, "").want(t, 200)
	}
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/runs", ""},
		{"PUT", pp, `{"start":"10:30"}`},
		{"POST", pp + "/approve", ""},
		{"POST", rp + "/approve", ""},
		{"POST", rp + "/reject", `{"reason":"no"}`},
		{"POST", "/api/events/605582/schedule", ""},
	} {
		e.do(t, nil, c.method, c.path, c.body).want(t, 401)
		body := e.do(t, e.view, c.method, c.path, c.body).want(t, 403).apiError(t)
		if !strings.Contains(body.Error, "viewer may read but not change") {
			t.Errorf("%s %s as viewer: %q", c.method, c.path, body.Error)
		}
		noCSRF := *e.sched
		noCSRF.csrf = "wrong"
		e.do(t, &noCSRF, c.method, c.path, c.body).want(t, 403)
	}
	if got := e.getRun(t, run.ID); got.Status != "completed" || got.Proposals["pending"] != 74 {
		t.Errorf("run after refused requests %+v", got)
	}
}

// TestRunsWithoutRules: without a rule engine, or without the runs
// service, no run starts.
func TestRunsWithoutRules(t *testing.T) {
	st := storetest.SQLite(t)
	e, rv := runsEnv(t, st, clubWeek)
	rv.Service.Rules = nil
	body := e.do(t, e.sched, "POST", "/api/runs", "").want(t, 503).apiError(t)
	if !strings.Contains(body.Error, "rules are not loaded") {
		t.Errorf("no rules: %q", body.Error)
	}
	e.do(t, e.sched, "POST", "/api/events/605582/schedule", "").want(t, 503)
	e2 := newEnv(t, storetest.SQLite(t))
	e2.do(t, e2.sched, "POST", "/api/runs", "").want(t, 503)
	e2.do(t, e2.view, "GET", "/api/runs", "").want(t, 200)
}

// TestSettingsCron: PUT /api/settings refuses an auto_run_cron that is
// not a schedule, naming the field, and the automatic runs follow a good
// one.
func TestSettingsCron(t *testing.T) {
	st := storetest.SQLite(t)
	sc := importScenario(t, st, clubWeek)
	rv := newReview(t, st, sc.Now)
	cr := &runs.Cron{Service: rv.Service, Location: time.UTC}
	if err := cr.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cr.Stop(context.Background()) })
	e := newEnv(t, st, func(o *web.Options) { o.Runs, o.Cron = rv, cr })
	var settings map[string]map[string]any
	e.do(t, e.view, "GET", "/api/settings", "").want(t, 200).decode(t, &settings)
	put := func(spec string) *resp {
		settings["scheduler"]["auto_run_cron"] = spec
		b, _ := json.Marshal(settings)
		return e.do(t, e.admin, "PUT", "/api/settings", string(b))
	}
	before := e.snapshot(t)
	body := put("every morning").want(t, 422).apiError(t)
	if len(body.Fields) != 1 || body.Fields[0].Field != "body.scheduler.auto_run_cron" || !strings.Contains(body.Fields[0].Message, "five fields") {
		t.Errorf("bad cron: %+v", body)
	}
	if e.snapshot(t) != before {
		t.Error("a refused setting was stored")
	}
	if !cr.Next().IsZero() {
		t.Error("automatic runs scheduled before any schedule")
	}
	put("30 5 * * 1-5").want(t, 200)
	if next := cr.Next(); next.Hour() != 5 || next.Minute() != 30 {
		t.Errorf("next automatic run %v, want 05:30", next)
	}
	put("").want(t, 200)
	if !cr.Next().IsZero() {
		t.Error("automatic runs still scheduled after the setting was cleared")
	}
	e.do(t, e.sched, "PUT", "/api/settings", `{}`).want(t, 403)
}

// TestReviewSurvivesRestart: the proposals of a run under review are
// kept in the database: a new server on the same database lists them all
// and approves them.
func TestReviewSurvivesRestart(t *testing.T) {
	urls := map[string]string{"sqlite": filepath.Join(t.TempDir(), "crewplan.db")}
	if u := storetest.PostgresURL(t); u != "" {
		urls["postgres"] = u
	}
	for name, url := range urls {
		t.Run(name, func(t *testing.T) {
			open := func() *store.Store {
				st, err := store.Open(ctx, store.Options{URL: url}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := st.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return st
			}
			st := open()
			e, rv := runsEnv(t, st, clubWeek)
			run := e.startRun(t, e.sched)
			first := e.proposals(t, run.ID)
			// Stop the first server as the app does: the review, then the
			// store.
			if err := rv.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}

			st = open()
			defer st.Close()
			sc, err := scenario.ParseFile(clubWeek)
			if err != nil {
				t.Fatal(err)
			}
			rv = newReview(t, st, sc.Now)
			e = newBareEnv(t, st, func(o *web.Options) { o.Runs = rv })
			users, err := st.ListUsers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users {
				token, sess, err := st.NewSession(ctx, u.ID, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				c := &client{name: u.Username, cookie: token, csrf: sess.CSRFToken}
				switch u.Username {
				case "sched":
					e.sched = c
				case "view":
					e.view = c
				case "admin":
					e.admin = c
				}
			}
			if got := e.getRun(t, run.ID); got.Status != "completed" || got.Proposals["pending"] != 74 || got.Approval != nil {
				t.Fatalf("run after restart %+v", got)
			}
			again := e.proposals(t, run.ID)
			if len(again.New) != len(first.New) || len(again.Failures) != len(first.Failures) {
				t.Fatalf("after restart %d proposals, %d failures; before %d, %d", len(again.New), len(again.Failures), len(first.New), len(first.Failures))
			}
			for i := range first.New {
				if again.New[i] != first.New[i] {
					t.Errorf("proposal %d: %+v, before the restart %+v", i, again.New[i], first.New[i])
				}
			}
			if prog := e.approveAll(t, e.sched, run.ID); prog.Approved != 74 || prog.Failed != 0 {
				t.Errorf("approve all after restart %+v", prog)
			}
			if got := e.getRun(t, run.ID); got.Status != "approved" {
				t.Errorf("run %+v", got)
			}
		})
	}
}

// TestAutoScheduleFromTheEventsPage: the events page offers a scheduler an
// "Auto-schedule" button on unstaffed events; it runs the scheduler for
// that event and the page then says what the run proposed. A viewer gets
// no button and may not post.
func TestAutoScheduleFromTheEventsPage(t *testing.T) {
	st := storetest.SQLite(t)
	e, _ := runsEnv(t, st, "../../../testdata/scenarios/cases/due-day-allowed.json")
	const list = "/events?from=2026-03-01&to=2026-03-31"
	body := string(e.page(t, e.sched, list).want(t, http.StatusOK).body)
	if !strings.Contains(body, `action="/events/700001/schedule"`) {
		t.Fatalf("no auto-schedule form for event 700001:\n%s", body)
	}
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the events page has no csrf_token")
	}
	session := &http.Cookie{Name: "crewplan_session", Value: e.sched.cookie}
	e.form(t, "/events/700001/schedule", url.Values{"from": {"2026-03-01"}, "to": {"2026-03-31"}}, session).want(t, http.StatusForbidden)
	r := e.form(t, "/events/700001/schedule", url.Values{"csrf_token": {m[1]}, "from": {"2026-03-01"}, "to": {"2026-03-31"}}, session).want(t, http.StatusSeeOther)
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, "/events?") || !strings.Contains(loc, "event=700001") {
		t.Fatalf("redirect to %q", loc)
	}
	body = string(e.page(t, e.sched, loc).want(t, http.StatusOK).body)
	if !strings.Contains(body, "proposes event 700001 for") || !strings.Contains(body, "2026-03-05") {
		t.Errorf("the page does not say what the run proposed:\n%s", body)
	}
	// A viewer sees no button and cannot post one.
	if body := string(e.page(t, e.view, list).want(t, http.StatusOK).body); strings.Contains(body, "/schedule\"") {
		t.Error("a viewer is offered the auto-schedule button")
	}
	view := &http.Cookie{Name: "crewplan_session", Value: e.view.cookie}
	vm := csrfInput.FindStringSubmatch(string(e.page(t, e.view, list).body))
	e.form(t, "/events/700001/schedule", url.Values{"csrf_token": {vm[1]}}, view).want(t, http.StatusForbidden)
}
