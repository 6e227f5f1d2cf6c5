package runs_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Events of club-week.json the tests use.
const (
	frozenPizza = 605582 // a core without a supervisor, due 2026-03-14
	freeosk     = 605602 // too early for an automatic placement
)

// reviewOn imports the scenario at path into st and returns a review on
// it with the in-process rules and the scenario's clock.
func reviewOn(t *testing.T, st *store.Store, path string) (*runs.Review, *scenario.Scenario) {
	t.Helper()
	sc, err := scenario.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(context.Background(), store.SystemActor, sc.Dataset(store.SystemActor)); err != nil {
		t.Fatal(err)
	}
	rv := &runs.Review{
		Service: &runs.Service{Store: st, Rules: pluginhost.InProcessRules(), Host: "test-host"},
		Now:     func() civil.DateTime { return sc.Now },
	}
	t.Cleanup(func() { rv.Close(context.Background()) })
	return rv, sc
}

// proposalOf returns the run's proposal for event ref.
func proposalOf(t *testing.T, st *store.Store, runID, ref int64) store.PendingSchedule {
	t.Helper()
	ps, err := st.ListProposals(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.EventRef == ref {
			return p
		}
	}
	t.Fatalf("run %d proposes nothing for event %d", runID, ref)
	return store.PendingSchedule{}
}

// TestEditProposalAsksTheRules: an edit is checked like a manual
// placement, against the posted schedule and the run's other proposals;
// hard violations are refused unless an admin overrides them with a
// reason; a locked day is a conflict no override lifts.
func TestEditProposalAsksTheRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		rv, _ := reviewOn(t, st, clubWeek)
		rec, err := rv.Run(ctx, "sched")
		if err != nil {
			t.Fatal(err)
		}
		p := proposalOf(t, st, rec.ID, frozenPizza)
		sched := runs.Reviewer{Actor: "sched"}
		admin := runs.Reviewer{Actor: "admin", Admin: true}
		d := civil.MustParseDate
		at := civil.NewClock

		// E002 has another core proposed on 2026-03-03: only a check that
		// sees the run's proposals finds it.
		_, err = rv.EditProposal(ctx, sched, p.ID, "E002", d("2026-03-03"), at(9, 45), "")
		var ve *rules.ViolationError
		if !errors.As(err, &ve) || !slices.ContainsFunc(ve.Violations, func(v rule.Violation) bool { return v.Rule == "one_core_per_day" }) {
			t.Fatalf("edit onto another core's day: %v", err)
		}
		// Past the due date: refused; a scheduler cannot override, an
		// admin can.
		_, err = rv.EditProposal(ctx, sched, p.ID, "E010", d("2026-03-15"), at(9, 45), "")
		if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Rule != "window" {
			t.Fatalf("edit past due: %v", err)
		}
		if _, err := rv.EditProposal(ctx, sched, p.ID, "E010", d("2026-03-15"), at(9, 45), "vendor asked"); !errors.Is(err, rules.ErrOverrideForbidden) {
			t.Fatalf("scheduler override: %v", err)
		}
		got, err := rv.EditProposal(ctx, admin, p.ID, "E010", d("2026-03-15"), at(9, 45), "vendor asked")
		if err != nil {
			t.Fatal(err)
		}
		if got.Date != d("2026-03-15") || got.OverrideReason != "vendor asked (overrides window)" || got.EditedBy != "admin" {
			t.Errorf("edited proposal %+v", got)
		}
		// A locked day: a conflict, whoever asks and whatever the reason.
		if _, err := rv.EditProposal(ctx, admin, p.ID, "E010", d("2026-03-07"), at(9, 45), "urgent"); !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "locked") {
			t.Fatalf("edit onto a locked day: %v", err)
		}
		// A lawful edit clears the override.
		got, err = rv.EditProposal(ctx, sched, p.ID, "E010", d("2026-03-05"), at(11, 0), "")
		if err != nil {
			t.Fatal(err)
		}
		if got.EmployeeID != "E010" || got.Date != d("2026-03-05") || got.OverrideReason != "" {
			t.Errorf("edited proposal %+v", got)
		}
		// Unknown employee: a field error.
		var fe *store.ValidationError
		if _, err := rv.EditProposal(ctx, sched, p.ID, "E999", d("2026-03-04"), at(11, 0), ""); !errors.As(err, &fe) || fe.Fields[0].Field != "employee" {
			t.Fatalf("unknown employee: %v", err)
		}
		if _, err := rv.EditProposal(ctx, sched, 999999, "E009", d("2026-03-04"), at(11, 0), ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown proposal: %v", err)
		}
		// Once approved, it cannot be edited.
		if _, err := rv.ApproveProposal(ctx, "sched", p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := rv.EditProposal(ctx, sched, p.ID, "E009", d("2026-03-05"), at(11, 0), ""); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("edit of an approved proposal: %v", err)
		}
	})
}

// TestApproveAllInTheBackground: approve-all runs in a goroutine of the
// review, reports its progress, runs once per run at a time, and leaves
// the run approved with every proposal posted.
func TestApproveAllInTheBackground(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		rv, _ := reviewOn(t, st, clubWeek)
		rec, err := rv.Run(ctx, "sched")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := rv.Progress(rec.ID); ok {
			t.Error("progress before any approval")
		}
		p, err := rv.ApproveAll(ctx, "sched", rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != rec.Placed || p.Run != rec.ID || p.By != "sched" {
			t.Errorf("first progress %+v, want %d to approve", p, rec.Placed)
		}
		rv.Wait()
		p, ok := rv.Progress(rec.ID)
		if !ok || !p.Finished || p.Done != rec.Placed || p.Approved != rec.Placed || p.Failed != 0 || p.Error != "" || p.FinishedAt == nil {
			t.Errorf("final progress %+v", p)
		}
		run, err := st.GetRun(ctx, rec.ID)
		if err != nil || run.Status != store.RunApproved {
			t.Errorf("run after approve all: %+v, %v", run, err)
		}
		counts, _ := st.ProposalCounts(ctx, rec.ID)
		if counts[store.ProposalApproved] != rec.Placed || len(counts) != 1 {
			t.Errorf("proposal counts %v", counts)
		}
		if _, err := rv.ApproveAll(ctx, "sched", rec.ID); !errors.Is(err, store.ErrConflict) {
			t.Errorf("approve an approved run: %v", err)
		}
		if _, err := rv.ApproveAll(ctx, "sched", 999999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("approve an unknown run: %v", err)
		}
		if err := rv.RejectRun(ctx, "sched", rec.ID, "too late"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("reject an approved run: %v", err)
		}
	})
}

// TestScheduleOne: a single-event run places only that event, through the
// same records as every run; unknown and staffed events are refused.
func TestScheduleOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		rv, sc := reviewOn(t, st, clubWeek)
		full, err := rv.Run(ctx, "sched")
		if err != nil {
			t.Fatal(err)
		}
		rec, p, f, err := rv.ScheduleOne(ctx, "sched", frozenPizza)
		if err != nil {
			t.Fatal(err)
		}
		if rec.TriggeredBy != store.TriggerSingle || rec.RequestedBy != "sched" || rec.Considered != 1 || rec.Placed != 1 || rec.Status != store.RunCompleted {
			t.Errorf("single run %+v", rec)
		}
		if p == nil || f != nil || p.EventRef != frozenPizza || p.RunID != rec.ID || p.Status != store.ProposalPending {
			t.Errorf("proposal %+v, failure %+v", p, f)
		}
		if ps, _ := st.ListProposals(ctx, rec.ID); len(ps) != 1 {
			t.Errorf("a single-event run proposed %d placements", len(ps))
		}
		// Like every run, it supersedes the run awaiting review.
		if old, _ := st.GetRun(ctx, full.ID); old.Status != store.RunSuperseded {
			t.Errorf("earlier run is %s", old.Status)
		}
		// An event the rules let no one take fails with the reason.
		_, p, f, err = rv.ScheduleOne(ctx, "sched", freeosk)
		if err != nil || p != nil || f == nil || !strings.Contains(f.Reason, "earliest") {
			t.Errorf("freeosk: proposal %+v, failure %+v, %v", p, f, err)
		}
		if _, _, _, err := rv.ScheduleOne(ctx, "sched", 999999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown event: %v", err)
		}
		posted := sc.Posted[0].Event
		if _, _, _, err := rv.ScheduleOne(ctx, "sched", posted); !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "already posted") {
			t.Errorf("posted event: %v", err)
		}
		// While another host runs, it is refused, saying who.
		release, err := st.AcquireRunLock(ctx, "other-host")
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, err = rv.ScheduleOne(ctx, "sched", frozenPizza)
		release()
		if !errors.Is(err, store.ErrRunLocked) || !strings.Contains(err.Error(), "other-host") {
			t.Errorf("while locked: %v", err)
		}
	})
}

// TestRunWithoutRules: no rule engine, no run, nothing recorded.
func TestRunWithoutRules(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	rv, _ := reviewOn(t, st, clubWeek)
	rv.Service.Rules = nil
	if _, err := rv.Run(ctx, "sched"); !errors.Is(err, runs.ErrNoRules) {
		t.Errorf("run: %v", err)
	}
	if _, _, _, err := rv.ScheduleOne(ctx, "sched", frozenPizza); !errors.Is(err, runs.ErrNoRules) {
		t.Errorf("schedule one: %v", err)
	}
	if list, _ := st.ListRuns(ctx, 10); len(list) != 0 {
		t.Errorf("runs recorded: %+v", list)
	}
}

// TestCloseRefusesNewApprovals: a closed review starts no approval.
func TestCloseRefusesNewApprovals(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	rv, _ := reviewOn(t, st, clubWeek)
	rec, err := rv.Run(ctx, "sched")
	if err != nil {
		t.Fatal(err)
	}
	if err := rv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := rv.ApproveAll(ctx, "sched", rec.ID); !errors.Is(err, runs.ErrClosed) {
		t.Errorf("approve all after close: %v", err)
	}
}

// TestEditedCoreTakesItsSupervisor: moving a core proposal to another day
// moves the supervisor proposed on its day along, in the same change.
func TestEditedCoreTakesItsSupervisor(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	rv, sc := reviewOn(t, st, clubWeek)
	rec, err := rv.Run(ctx, "sched")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := st.ListProposals(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	events := map[int64]scenario.Event{}
	for _, e := range sc.Events {
		events[e.Ref] = e
	}
	on := map[int64]store.PendingSchedule{}
	for _, p := range ps {
		on[p.EventRef] = p
	}
	sched := runs.Reviewer{Actor: "sched"}
	for _, sup := range ps {
		ev := events[sup.EventRef]
		if ev.Type != "supervisor" || ev.ParentRef == 0 {
			continue
		}
		core, ok := on[ev.ParentRef]
		if !ok || core.Date != sup.Date {
			continue
		}
		ce := events[core.EventRef]
		for d := max(ce.Start, sc.Now.Date.AddDays(1)); d <= ce.Due; d = d.AddDays(1) {
			if d == core.Date {
				continue
			}
			for _, e := range sc.Employees {
				if _, err := rv.EditProposal(ctx, sched, core.ID, e.ID, d, core.StartMinute, ""); err != nil {
					continue
				}
				moved := proposalOf(t, st, rec.ID, sup.EventRef)
				if moved.Date != d {
					t.Fatalf("core %d moved to %s, its supervisor %d stayed on %s", core.EventRef, d, sup.EventRef, moved.Date)
				}
				return
			}
		}
	}
	t.Fatal("no core with a supervisor could be moved in club-week")
}
