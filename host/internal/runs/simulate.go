package runs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// Simulate runs the scheduler on a scenario: it loads the scenario into a
// new, private SQLite database in a temporary directory (never the
// configured one), runs exactly as a server run does (Service.Run, with
// these rules and ranker), and returns the result document, with the
// upper bound of scheduler.Bound in its run record when withBound is set.
// The database is removed afterwards.
func Simulate(ctx context.Context, sc *scenario.Scenario, check scheduler.Checker, rank scheduler.Ranker, log *slog.Logger, withBound bool) (*scenario.Result, error) {
	st, done, err := privateStore(ctx, sc, log)
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	defer done()
	svc := &Service{Store: st, Rules: check, Ranker: rank, Log: log, Host: "simulate", Bound: withBound}
	rec, res, err := svc.Run(ctx, TriggerSimulate, string(store.SystemActor), sc.Now)
	if err != nil {
		return nil, err
	}
	return ResultDocument(rec, res), nil
}

// Bound returns scheduler.Bound for a scenario, loaded into a private
// database as Simulate loads it.
func Bound(ctx context.Context, sc *scenario.Scenario, check scheduler.Checker, log *slog.Logger) (*scheduler.BoundResult, error) {
	st, done, err := privateStore(ctx, sc, log)
	if err != nil {
		return nil, fmt.Errorf("bound: %w", err)
	}
	defer done()
	in, err := Load(ctx, st, sc.Now)
	if err != nil {
		return nil, fmt.Errorf("bound: %w", err)
	}
	return scheduler.Bound(ctx, in, check, newContextKey())
}

// privateStore loads sc into a new SQLite database in a temporary
// directory; done closes and removes it.
func privateStore(ctx context.Context, sc *scenario.Scenario, log *slog.Logger) (st *store.Store, done func(), err error) {
	dir, err := os.MkdirTemp("", "crewplan-simulate-")
	if err != nil {
		return nil, nil, err
	}
	st, err = store.Open(ctx, store.Options{URL: filepath.Join(dir, "simulate.db")}, log)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	done = func() {
		st.Close()
		os.RemoveAll(dir)
	}
	if _, err := st.Migrate(ctx); err != nil {
		done()
		return nil, nil, err
	}
	if _, err := st.Import(ctx, store.SystemActor, sc.Dataset(store.SystemActor)); err != nil {
		done()
		return nil, nil, fmt.Errorf("load the scenario: %w", err)
	}
	return st, done, nil
}

// ResultDocument is a run's result in the scenario result format. A
// proposal shows what it bumps when it displaces another event's posted
// assignment, or, for a supervisor following its core, its own; a
// displaced core's re-placement does not repeat the bump its displacer
// shows.
func ResultDocument(rec *store.SchedulerRun, res *scheduler.Result) *scenario.Result {
	doc := &scenario.Result{
		Version: scenario.ResultVersion,
		Run: scenario.RunRecord{
			ID: rec.ID, Status: rec.Status, Considered: rec.Considered, Placed: rec.Placed, Failed: rec.Failed,
			Bumps: rec.Bumps, Bound: rec.Bound, Ranker: rec.Ranker, Fallbacks: rec.Fallbacks, ElapsedMS: rec.ElapsedMS,
		},
	}
	bumpedByOther := map[int64]bool{}
	for _, p := range res.Proposals {
		if p.Bumps != nil && p.Bumps.Event != p.Event {
			bumpedByOther[p.Bumps.Event] = true
		}
	}
	for _, p := range res.Proposals {
		dp := scenario.Proposal{Event: p.Event, Employee: p.Employee, At: civil.DateTime{Date: p.Date, Clock: p.Start}}
		if b := p.Bumps; b != nil && !(b.Event == p.Event && bumpedByOther[b.Event]) {
			dp.Bumps = &scenario.Assignment{Event: b.Event, Employee: b.Employee, At: civil.DateTime{Date: b.Date, Clock: b.Start}}
		}
		doc.Proposals = append(doc.Proposals, dp)
	}
	for _, f := range res.Failures {
		doc.Failures = append(doc.Failures, scenario.Failure{Event: f.Event, Reason: f.Reason})
	}
	return doc
}
