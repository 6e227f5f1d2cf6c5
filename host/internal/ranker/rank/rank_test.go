package rank_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/demo"
	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/host/internal/ranker/evaluator"
	"github.com/crewplan/crewplan/host/internal/ranker/features"
	"github.com/crewplan/crewplan/host/internal/ranker/rank"
	"github.com/crewplan/crewplan/host/internal/ranker/train"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

var (
	ctx      = context.Background()
	demoNow  = time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)
	runNow   = civil.DateTime{Date: civil.DateOf(demoNow), Clock: civil.NewClock(9, 30)}
	cacheDir string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rank-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cacheDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// faulty builds the faulty test guest in the given mode (see
// testdata/faulty), declaring the host's feature names.
func faulty(t *testing.T, mode string) []byte {
	t.Helper()
	return buildFaulty(t, mode, "-X=main.features="+strings.Join(features.Names, ","))
}

// buildFaulty builds the faulty test guest in mode with more -X flags.
func buildFaulty(t *testing.T, mode string, xflags ...string) []byte {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build the test guests")
	}
	out := filepath.Join(t.TempDir(), mode+".wasm")
	cmd := exec.Command(gobin, "build", "-buildmode=c-shared", "-trimpath", "-o", out,
		"-ldflags=-X=main.mode="+mode+" "+strings.Join(xflags, " "), "./testdata/faulty")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the faulty guest: %v\n%s", err, msg)
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

// fixture is a demo store with a model registry and the run service that
// uses it.
type fixture struct {
	st  *store.Store
	reg *ranker.Registry
	svc *rank.Service
	run *runs.Service
}

func newFixture(t *testing.T, cfg rank.Config) *fixture {
	t.Helper()
	st := storetest.SQLite(t)
	if _, err := demo.Load(ctx, st, demoNow); err != nil {
		t.Fatal(err)
	}
	rt, err := ranker.NewRuntime(ctx, ranker.Options{CacheDir: cacheDir, Deadline: 500 * time.Millisecond, MaxMemoryPages: 512})
	if err != nil {
		t.Fatal(err)
	}
	reg := &ranker.Registry{Dir: t.TempDir(), Store: st, Runtime: rt, Features: features.Names}
	t.Cleanup(func() { reg.Close(ctx); rt.Close(ctx) })
	if err := reg.Open(ctx); err != nil {
		t.Fatal(err)
	}
	svc := &rank.Service{Store: st, Registry: reg, Config: cfg}
	return &fixture{st: st, reg: reg, svc: svc, run: &runs.Service{Store: st, Rules: pluginhost.InProcessRules(), Ranking: svc.ForRun}}
}

// schedule runs the scheduler on the fixture's store.
func (f *fixture) schedule(t *testing.T) (*store.SchedulerRun, *scheduler.Result) {
	t.Helper()
	rec, res, err := f.run.Run(ctx, runs.TriggerManual, "test", runNow)
	if err != nil {
		t.Fatal(err)
	}
	return rec, res
}

func (f *fixture) activate(t *testing.T, wasm []byte) *store.RankingModel {
	t.Helper()
	m, err := f.reg.Add(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.reg.Activate(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	return m
}

// trainAndActivate trains a model on the fixture's history and makes it
// the active one.
func (f *fixture) trainAndActivate(t *testing.T) *store.RankingModel {
	t.Helper()
	d, err := train.Load(ctx, f.st, runNow.Date)
	if err != nil {
		t.Fatal(err)
	}
	res, err := train.Train(ctx, d, train.Options{Now: demoNow})
	if err != nil {
		t.Fatal(err)
	}
	return f.activate(t, res.Module)
}

func fallbacks(t *testing.T, rec *store.SchedulerRun) map[string]int {
	t.Helper()
	var fb map[string]int
	if err := json.Unmarshal([]byte(rec.FallbackDetail), &fb); err != nil {
		t.Fatal(err)
	}
	return fb
}

// TestFaultyModels: a model that traps, loops forever, grows its memory
// without bound, returns the wrong number of scores or NaN, or is never
// confident, is contained: every decision it fails goes to the rules,
// counted under its reason, and the run's result equals the rule-based
// run's. One that scores in the rule-based order ranks every decision and
// changes nothing either.
func TestFaultyModels(t *testing.T) {
	f := newFixture(t, rank.Config{ConfidenceThreshold: 0.5})
	rulesRec, rules := f.schedule(t)
	if rulesRec.Ranker != "rules" || rulesRec.Fallbacks != 0 || rules.Stats.Placed == 0 {
		t.Fatalf("rule-based run: %+v", rulesRec)
	}
	for _, tc := range []struct {
		mode, reason string
	}{
		{"ok", ""},
		{"trap", ranker.ReasonTrap},
		{"loop", ranker.ReasonTimeout},
		{"memory", ranker.ReasonMemory},
		{"wronglen", ranker.ReasonWrongLength},
		{"nan", ranker.ReasonNaN},
		{"low", rank.ReasonLowConfidence},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			m := f.activate(t, faulty(t, tc.mode))
			rec, res := f.schedule(t)
			if !reflect.DeepEqual(res.Proposals, rules.Proposals) || !reflect.DeepEqual(res.Failures, rules.Failures) {
				t.Errorf("the run's result differs from the rule-based run's")
			}
			if want := "faulty-" + tc.mode + " 1"; rec.Ranker != want || m.Name != "faulty-"+tc.mode {
				t.Errorf("ranker %q; want %q", rec.Ranker, want)
			}
			fb := fallbacks(t, rec)
			switch tc.reason {
			case "":
				if len(fb) != 0 {
					t.Errorf("fallbacks %v from a model that scores", fb)
				}
			default:
				// A few decisions fail, then the model sits out the run:
				// every decision is counted under the reason.
				if fb[tc.reason] != rec.Fallbacks || rec.Fallbacks == 0 || len(fb) != 1 {
					t.Errorf("fallbacks %v (%d); want only %s", fb, rec.Fallbacks, tc.reason)
				}
			}
		})
	}
}

// TestModelThatFailsToLoad: an active model whose file no longer loads
// leaves every decision to the rules, counted under "load".
func TestModelThatFailsToLoad(t *testing.T) {
	f := newFixture(t, rank.Config{})
	_, rules := f.schedule(t)
	m := f.activate(t, faulty(t, "ok"))
	if err := os.WriteFile(filepath.Join(f.reg.Dir, m.File), []byte("not WebAssembly"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.Open(ctx); err != nil { // as at the next start
		t.Fatal(err)
	}
	if f.reg.Active() != nil || f.reg.LoadFailure() == nil {
		t.Fatalf("active %v, load failure %v", f.reg.Active(), f.reg.LoadFailure())
	}
	rec, res := f.schedule(t)
	if !reflect.DeepEqual(res.Proposals, rules.Proposals) {
		t.Error("the run's result differs from the rule-based run's")
	}
	if fb := fallbacks(t, rec); fb[rank.ReasonLoad] == 0 || len(fb) != 1 {
		t.Errorf("fallbacks %v; want only %s", fb, rank.ReasonLoad)
	}
	st, err := f.svc.Status(ctx)
	if err != nil || st.Live || st.LoadError == "" || st.Active == nil || st.Active.ID != m.ID {
		t.Errorf("status %+v, %v", st, err)
	}
}

// TestTrainedModelRanks: the model trained on the demo history ranks a
// run (it reorders some decisions, and the result keeps every rule), and
// in shadow mode the rules decide while the run records how often the
// model agreed.
func TestTrainedModelRanks(t *testing.T) {
	f := newFixture(t, rank.Config{})
	_, rules := f.schedule(t)
	m := f.trainAndActivate(t)
	rec, out := f.schedule(t)
	if rec.Ranker != m.Name+" "+m.Version || rec.Fallbacks != 0 {
		t.Errorf("ranker %q, fallbacks %s", rec.Ranker, rec.FallbackDetail)
	}
	if out.Stats.Placed != rules.Stats.Placed {
		t.Errorf("placed %d with the model, %d by rules", out.Stats.Placed, rules.Stats.Placed)
	}
	if reflect.DeepEqual(out.Proposals, rules.Proposals) {
		t.Error("the model changed no placement")
	}
	st, err := f.svc.Status(ctx)
	if err != nil || !st.Live || !st.Fast || st.LastRun == nil || st.LastRun.ID != rec.ID {
		t.Errorf("status %+v, %v", st, err)
	}

	on := true
	if err := f.svc.SetShadow(ctx, store.SystemActor, &on); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	f.svc.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rec, out = f.schedule(t)
	// The debug log has both orders of each placement.
	if line, _, _ := strings.Cut(logs.String()[strings.Index(logs.String(), "msg=\"shadow ranking\""):], "\n"); !strings.Contains(line, "rules=\"[E") || !strings.Contains(line, "model=\"[E") {
		t.Errorf("shadow log line %q lacks the orders", line)
	}
	if !reflect.DeepEqual(out.Proposals, rules.Proposals) || rec.Ranker != "rules" {
		t.Errorf("shadow mode changed the run (ranker %q)", rec.Ranker)
	}
	var sh scheduler.ShadowStats
	if err := json.Unmarshal([]byte(rec.Shadow), &sh); err != nil || sh.Ranker != rec.Ranker && sh.Ranker != m.Name+" "+m.Version {
		t.Fatalf("shadow report %s: %v", rec.Shadow, err)
	}
	if sh.Decisions == 0 || sh.Agreed == 0 || sh.Agreed == sh.Decisions || len(sh.Fallbacks) != 0 {
		t.Errorf("shadow report %+v: want some agreement, not all", sh)
	}
	st, err = f.svc.Status(ctx)
	if err != nil || !st.Shadow || st.ShadowSource != "stored" || st.LastRun.Shadow == nil || st.LastRun.Shadow.Decisions != sh.Decisions {
		t.Errorf("status %+v, %v", st, err)
	}
}

// TestRefusedModels: a module of another ABI version, one that scores
// other features, and a file that is not WebAssembly are refused when
// added, so no model goes live and the run is the rule-based one.
func TestRefusedModels(t *testing.T) {
	f := newFixture(t, rank.Config{})
	_, rules := f.schedule(t)
	for name, wasm := range map[string][]byte{
		"abi 2":          buildFaulty(t, "ok", "-X=main.abi=2", "-X=main.features="+strings.Join(features.Names, ",")),
		"other features": buildFaulty(t, "ok", "-X=main.features=a,b,c"),
		"not wasm":       []byte("\x00asm but not really"),
	} {
		if _, err := f.reg.Add(ctx, wasm); !errors.Is(err, ranker.ErrInvalidModel) {
			t.Errorf("%s: Add err = %v; want ErrInvalidModel", name, err)
		}
	}
	if f.reg.Active() != nil || f.reg.LoadFailure() != nil {
		t.Fatal("a refused model is live")
	}
	rec, res := f.schedule(t)
	if rec.Ranker != "rules" || rec.Fallbacks != 0 || !reflect.DeepEqual(res.Proposals, rules.Proposals) {
		t.Errorf("run after refused models: ranker %q, fallbacks %d", rec.Ranker, rec.Fallbacks)
	}
}

// fresh ranks every decision twice: with the run's ranking, which keeps
// the scores of rows it made before, and with a new ranking that keeps
// nothing, and reports any decision the two order differently.
type fresh struct {
	t     *testing.T
	run   *rank.Model
	new   func() *rank.Model
	fresh int // rows the new rankings scored
}

func (f *fresh) Name() string { return f.run.Name() }

func (f *fresh) Rank(ctx context.Context, d *scheduler.Decision) ([]int, error) {
	got, err := f.run.Rank(ctx, d)
	if err != nil {
		return nil, err
	}
	got = slices.Clone(got)
	r := f.new()
	want, err := r.Rank(ctx, d)
	if err != nil {
		return nil, err
	}
	f.fresh += r.Counts().Rows
	if !slices.Equal(got, want) {
		f.t.Errorf("event %d on %s at %s: the run ranks %v, a new ranking %v", d.Event.Ref, d.Date, d.Start, got, want)
	}
	return got, nil
}

// trainedRun returns a run's input on the demo store, its history and a
// model trained on it, live: what rank.New takes.
func trainedRun(t *testing.T) (*scheduler.Input, *features.History, *ranker.Model) {
	t.Helper()
	f, in, h := demoRun(t)
	f.trainAndActivate(t)
	return in, h, f.reg.Active()
}

// demoRun returns a fixture, its run's input and its history.
func demoRun(t *testing.T) (*fixture, *scheduler.Input, *features.History) {
	t.Helper()
	f := newFixture(t, rank.Config{})
	in, err := runs.Load(ctx, f.st, runNow)
	if err != nil {
		t.Fatal(err)
	}
	worked, err := f.st.ListWorked(ctx, runNow.Date)
	if err != nil {
		t.Fatal(err)
	}
	return f, in, features.NewHistory(features.FromStore(worked))
}

// TestKeptScoresByWhatTheModelReads: rows are kept by the values the
// model reads (ranker.Model.Reads) only. Two hand-made gbdt models rank
// the demo's run: one reads the history and the week's hours and the day's
// assignments, as the trained one does; the other reads the event's
// context and every load value and the tier too. Both rank every decision
// as a ranking that scores every row anew does; the first, whose rows are
// the same for every event of a type on a day, scores fewer rows.
func TestKeptScoresByWhatTheModelReads(t *testing.T) {
	f, in, h := demoRun(t)
	col := func(name string) int16 {
		i := slices.Index(features.Names, name)
		if i < 0 {
			t.Fatalf("no feature %q", name)
		}
		return int16(i)
	}
	// tree splits on a at av, then on b at bv (a below) or c at cv.
	tree := func(a string, av float32, b string, bv float32, c string, cv float32, leaves [4]float32) gbdt.Tree {
		return gbdt.Tree{
			Feature: []int16{col(a), col(b), col(c), gbdt.Leaf, gbdt.Leaf, gbdt.Leaf, gbdt.Leaf},
			Value:   []float32{av, bv, cv, leaves[0], leaves[1], leaves[2], leaves[3]},
			Left:    []uint16{1, 3, 5, 0, 0, 0, 0},
			Right:   []uint16{2, 4, 6, 0, 0, 0, 0},
		}
	}
	models := []struct {
		name  string
		trees []gbdt.Tree
	}{
		{"history", []gbdt.Tree{
			tree("hist_success_rate", 0.8, "hist_on_time_rate", 0.7, "week_hours", 12, [4]float32{-1, 0.2, 0.9, -0.3}),
			tree("day_assignments", 1, "hist_weekday_success_rate", 0.75, "hist_late_rate", 0.1, [4]float32{0.4, -0.2, 0.1, -0.8}),
		}},
		{"context", []gbdt.Tree{
			tree("days_to_due", 3, "hist_success_rate", 0.8, "event_start_hour", 11, [4]float32{-0.5, 0.7, 0.3, -0.4}),
			tree("urgency_days", 10, "week_assignments", 3, "week_days_worked", 2, [4]float32{0.6, -0.6, 0.2, -0.2}),
			tree("preference_tier", 1, "window_days", 7, "hist_on_time_rate", 0.7, [4]float32{0.5, -0.1, -0.7, 0.3}),
			tree("event_hours", 4, "week_hours", 10, "day_assignments", 1, [4]float32{0.2, -0.5, 0.4, -0.3}),
		}},
	}
	rows := map[string]int{}
	for _, mc := range models {
		p := gbdt.Params{Name: mc.name, Version: "1", Features: features.Names, Base: 0.1, Trees: mc.trees}
		wasm, err := evaluator.Module(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := f.reg.Runtime.Load(ctx, wasm)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close(ctx) })
		if !slices.Equal(m.Reads(), p.Reads()) {
			t.Fatalf("%s: Reads %v, its trees split on %v", mc.name, m.Reads(), p.Reads())
		}
		check := &fresh{t: t, run: rank.New(m, h, in, rank.Config{}, nil), new: func() *rank.Model { return rank.New(m, h, in, rank.Config{}, nil) }}
		out, err := scheduler.Run(ctx, in, pluginhost.InProcessRules(), check, scheduler.Options{})
		if err != nil {
			t.Fatal(err)
		}
		c := check.run.Counts()
		if out.Stats.Placed == 0 || c.Rankings == 0 || c.Rows == 0 || c.Rows >= check.fresh {
			t.Errorf("%s: placed %d; the run's ranking %+v, new rankings scored %d rows", mc.name, out.Stats.Placed, c, check.fresh)
		}
		rows[mc.name] = c.Rows
		t.Logf("%s: %d decisions ranked: %d rows scored in %d calls, %d anew", mc.name, c.Rankings, c.Rows, c.Calls, check.fresh)
	}
	if rows["history"] >= rows["context"] {
		t.Errorf("the model that reads no event context scored %d rows, the one that does %d: want fewer", rows["history"], rows["context"])
	}
}

// TestKeptScoresRankAsNew: a run's ranking scores a row again only when
// the employee's load or tier changed since a decision with the same
// event part (events alike, on the same day at the same start) made it,
// and orders every decision of the demo's run as a ranking that scores
// every row anew does, with at least a quarter fewer rows.
func TestKeptScoresRankAsNew(t *testing.T) {
	in, h, m := trainedRun(t)
	check := &fresh{t: t, run: rank.New(m, h, in, rank.Config{}, nil), new: func() *rank.Model { return rank.New(m, h, in, rank.Config{}, nil) }}
	out, err := scheduler.Run(ctx, in, pluginhost.InProcessRules(), check, scheduler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := check.run.Counts()
	if out.Stats.Placed == 0 || c.Rankings == 0 || c.Rows == 0 || c.Calls == 0 || c.Rows >= check.fresh*3/4 {
		t.Errorf("placed %d; the run's ranking %+v, new rankings scored %d rows", out.Stats.Placed, c, check.fresh)
	}
	t.Logf("%d decisions ranked: %d rows scored in %d calls, %d anew", c.Rankings, c.Rows, c.Calls, check.fresh)
}

// TestDecisionOutsideARun: a Decision made outside a run (no run index
// for its choices) is ranked by rows made for it alone, the same as
// scoring each choice's row, and nothing of it is kept.
func TestDecisionOutsideARun(t *testing.T) {
	in, h, m := trainedRun(t)
	var ev *rule.Event
	for i := range in.Snapshot.Events {
		if e := &in.Snapshot.Events[i]; e.Type == rule.EventCore && slices.Contains(in.ToPlace, e.Ref) {
			ev = e
			break
		}
	}
	if ev == nil || len(in.Snapshot.Employees) < 4 {
		t.Fatalf("the demo has no core event to place or too few employees")
	}
	d := &scheduler.Decision{Event: ev, Date: ev.Start, Start: civil.NewClock(10, 0)}
	for i := range 4 {
		d.Choices = append(d.Choices, scheduler.Choice{Employee: &in.Snapshot.Employees[i], Tier: i % 2, WeekLoad: 3 * i})
	}
	// Each choice's row, scored on its own.
	x := features.Context{Type: ev.Type, Date: d.Date, Start: d.Start, DurationMin: ev.DurationMin, Due: ev.Due, WindowStart: ev.Start, Now: in.Snapshot.Now.Date,
		HolidayWeek: slices.ContainsFunc(in.Snapshot.Holidays, func(h civil.Date) bool { return h.WeekStart() == d.Date.WeekStart() })}
	want := make([]float32, len(d.Choices))
	for i, c := range d.Choices {
		row := h.Append(nil, &features.Candidate{Employee: c.Employee.ID, Role: c.Employee.Role, Tier: c.Tier, Week: c.WeekLoad}, &x)
		s, err := m.Score(ctx, row, 1, features.Count)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = s[0]
	}
	r := rank.New(m, h, in, rank.Config{}, nil)
	for round := range 2 {
		order, err := r.Rank(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		for k := 1; k < len(order); k++ {
			if want[order[k-1]] < want[order[k]] {
				t.Fatalf("round %d: order %v for scores %v", round, order, want)
			}
		}
		if c := r.Counts(); c.Rows != (round+1)*len(d.Choices) {
			t.Errorf("round %d: %d rows scored in all, want every row every time", round, c.Rows)
		}
	}
}
