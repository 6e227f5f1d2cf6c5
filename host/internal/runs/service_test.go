package runs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/sdk/rule"
)

// scenarioStore imports the scenario file at path into a new SQLite store.
func scenarioStore(t *testing.T, path string) (*store.Store, *scenario.Scenario) {
	t.Helper()
	sc, err := scenario.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.SQLite(t)
	if _, err := st.Import(context.Background(), store.SystemActor, sc.Dataset(store.SystemActor)); err != nil {
		t.Fatal(err)
	}
	return st, sc
}

const bumpCase = "../../../testdata/scenarios/cases/bump-for-urgent.json"

// TestRunThenApproveAll: a run proposes a bump; nothing posted changes
// until approval; approving all applies the bump and the re-placement.
func TestRunThenApproveAll(t *testing.T) {
	ctx := context.Background()
	st, sc := scenarioStore(t, bumpCase)
	svc := &runs.Service{Store: st, Rules: pluginhost.InProcessRules()}
	rec, res, err := svc.Run(ctx, runs.TriggerManual, "tester", sc.Now)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != store.RunCompleted || rec.Placed != 2 || rec.Bumps != 1 {
		t.Fatalf("run %+v", rec)
	}
	before, err := st.ListPosted(ctx, store.ScheduleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 1 || before[0].EventRef != 700402 {
		t.Fatalf("a run changed what is posted: %+v", before)
	}
	approved, failed, err := st.ApproveAll(ctx, "tester", rec.ID, nil, nil)
	if err != nil || approved != 2 || failed != 0 {
		ps, _ := st.ListProposals(ctx, rec.ID)
		t.Fatalf("approve all: %d approved, %d failed, %v; %+v", approved, failed, err, ps)
	}
	after, err := st.ListPosted(ctx, store.ScheduleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, p := range after {
		got[p.EventRef] = p.EmployeeID + " " + p.Date.String()
	}
	for _, p := range res.Proposals {
		if got[p.Event] != p.Employee+" "+p.Date.String() {
			t.Errorf("event %d posted as %q, proposed %s %s", p.Event, got[p.Event], p.Employee, p.Date)
		}
	}
	if len(after) != 2 {
		t.Errorf("posted after approval: %+v", after)
	}
}

// TestRunRefusedWhileAnotherRuns: one run at a time across hosts sharing
// the database; the second is refused, naming who runs.
func TestRunRefusedWhileAnotherRuns(t *testing.T) {
	ctx := context.Background()
	st, sc := scenarioStore(t, bumpCase)
	release, err := st.AcquireRunLock(ctx, "other-host")
	if err != nil {
		t.Fatal(err)
	}
	svc := &runs.Service{Store: st, Rules: pluginhost.InProcessRules(), Host: "this-host"}
	if _, _, err := svc.Run(ctx, runs.TriggerManual, "tester", sc.Now); !errors.Is(err, store.ErrRunLocked) {
		t.Fatalf("second run: %v, want ErrRunLocked", err)
	} else {
		t.Log(err)
	}
	release()
	if _, _, err := svc.Run(ctx, runs.TriggerManual, "tester", sc.Now); err != nil {
		t.Fatalf("run after release: %v", err)
	}
}

// failingRules answers a few batches, then fails like a plugin that
// cannot be restarted.
type failingRules struct {
	left int
}

func (f *failingRules) Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	if f.left == 0 {
		return nil, errors.New("rule plugin rules-people: check: plugin exited and could not be restarted")
	}
	f.left--
	return pluginhost.InProcessRules().Check(ctx, b)
}

// TestRunWithoutItsRulesWritesNothing: a run that cannot consult its hard
// rules fails cleanly: recorded as failed, no proposal, no failure rows.
func TestRunWithoutItsRulesWritesNothing(t *testing.T) {
	ctx := context.Background()
	st, sc := scenarioStore(t, "../../../testdata/scenarios/club-week.json")
	svc := &runs.Service{Store: st, Rules: &failingRules{left: 5}}
	if _, _, err := svc.Run(ctx, runs.TriggerManual, "tester", sc.Now); err == nil {
		t.Fatal("run without its rules succeeded")
	}
	list, err := st.ListRuns(ctx, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("runs %+v, %v", list, err)
	}
	if list[0].Status != store.RunFailed || list[0].Error == "" {
		t.Errorf("run record %+v, want failed with its error", list[0])
	}
	ps, _ := st.ListProposals(ctx, list[0].ID)
	fs, _ := st.ListRunFailures(ctx, list[0].ID)
	if len(ps) != 0 || len(fs) != 0 {
		t.Errorf("a failed run wrote %d proposals and %d failures", len(ps), len(fs))
	}
}

// TestBumpApprovedInEitherOrder: the displacing proposal and the displaced
// event's re-placement both name the posted schedule; approving them in
// either order applies both.
func TestBumpApprovedInEitherOrder(t *testing.T) {
	for _, reverse := range []bool{false, true} {
		ctx := context.Background()
		st, sc := scenarioStore(t, bumpCase)
		svc := &runs.Service{Store: st, Rules: pluginhost.InProcessRules()}
		rec, _, err := svc.Run(ctx, runs.TriggerManual, "tester", sc.Now)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := st.ListProposals(ctx, rec.ID)
		if err != nil || len(ps) != 2 {
			t.Fatalf("proposals %+v, %v", ps, err)
		}
		if reverse {
			ps[0], ps[1] = ps[1], ps[0]
		}
		for _, p := range ps {
			if got, err := st.ApproveProposal(ctx, "tester", p.ID, nil); err != nil || got.Status != store.ProposalApproved {
				t.Fatalf("reverse=%v: approve %d (event %d): %+v, %v", reverse, p.ID, p.EventRef, got, err)
			}
		}
		posted, _ := st.ListPosted(ctx, store.ScheduleFilter{})
		if len(posted) != 2 {
			t.Errorf("reverse=%v: posted %+v", reverse, posted)
		}
	}
}

// TestRecoverStale: a run a crash left "running" is marked failed at
// start-up, but not while another host holds the run lock.
func TestRecoverStale(t *testing.T) {
	ctx := context.Background()
	st, _ := scenarioStore(t, bumpCase)
	rec := &store.SchedulerRun{TriggeredBy: "manual", Host: "crashed"}
	if err := st.BeginRun(ctx, rec); err != nil {
		t.Fatal(err)
	}
	svc := &runs.Service{Store: st, Rules: pluginhost.InProcessRules(), Host: "this-host"}
	release, err := st.AcquireRunLock(ctx, "busy-host")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := svc.RecoverStale(ctx); n != 0 || err != nil {
		t.Fatalf("with the lock held elsewhere: %d, %v", n, err)
	}
	release()
	if n, err := svc.RecoverStale(ctx); n != 1 || err != nil {
		t.Fatalf("recover: %d, %v", n, err)
	}
	got, err := st.GetRun(ctx, rec.ID)
	if err != nil || got.Status != store.RunFailed || !strings.Contains(got.Error, "host crashed stopped during the run") {
		t.Errorf("run after recovery: %+v, %v", got, err)
	}
}

// TestBoundLater: a run's bound is recorded after the run, in the
// background; one too large to compute is left out; a bound is never
// negative and only a completed run has one.
func TestBoundLater(t *testing.T) {
	ctx := context.Background()
	st, sc := scenarioStore(t, "../../../testdata/scenarios/club-week.json")
	svc := &runs.Service{Store: st, Rules: pluginhost.InProcessRules(), BoundLater: true}
	rec, res, err := svc.Run(ctx, runs.TriggerManual, "tester", sc.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.WaitBounds(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetRun(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bound == nil || *got.Bound < res.Stats.Placed {
		t.Fatalf("run record %+v: want a bound of at least the %d placed", got, res.Stats.Placed)
	}
	t.Logf("placed %d of a bound of %d", got.Placed, *got.Bound)

	small := &runs.Service{Store: st, Rules: pluginhost.InProcessRules(), BoundLater: true, MaxBoundCandidates: 10}
	rec2, _, err := small.Run(ctx, runs.TriggerManual, "tester", sc.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := small.WaitBounds(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.GetRun(ctx, rec2.ID); got.Bound != nil {
		t.Errorf("a bound over the limit was computed: %d", *got.Bound)
	}

	var verr *store.ValidationError
	if err := st.SetRunBound(ctx, rec.ID, -1); !errors.As(err, &verr) {
		t.Errorf("negative bound: %v", err)
	}
	if err := st.SetRunBound(ctx, 999999, 3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bound of a missing run: %v", err)
	}
	if err := svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
}
