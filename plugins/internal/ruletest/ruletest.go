// Package ruletest holds what the tests of the built-in rule plugins share:
// a large realistic batch, the contract every rule plugin keeps (Info,
// Configure, empty and cancelled checks, the same answers over gRPC,
// concurrent checks of one batch),
// and the benchmark bodies.
package ruletest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// BigBatch generates a batch of n candidates: 60 employees, a month of
// events of every type and an assignment for about a quarter of them (half
// of the core events), all drawn from a seeded generator.
func BigBatch(n int) *rule.Batch {
	roles := []rule.Role{rule.RoleClubSupervisor, rule.RoleLead, rule.RoleLead, rule.RoleSpecialist, rule.RoleSpecialist, rule.RoleJuicer}
	first := civil.MustParseDate("2026-03-01")
	b := &rule.Batch{
		Now:        civil.DateTime{Date: first, Clock: civil.NewClock(8, 0)},
		Mode:       rule.ModeAutomatic,
		Settings:   rule.Settings{EarliestOffsetDays: map[string]int{"core": 1, "supervisor": 1, "default": 3}, MaxWorkDaysPerWeek: 6},
		Holidays:   []civil.Date{first.AddDays(16)},
		LockedDays: []civil.Date{first.AddDays(1), first.AddDays(2)},
	}
	for i := range 60 {
		e := rule.Employee{ID: fmt.Sprintf("E%02d", i), Name: fmt.Sprintf("Employee %02d", i), Role: roles[i%len(roles)], Active: i%29 != 0}
		if i%7 == 0 {
			e.Weekly = &[7]bool{false, true, true, true, true, true, false}
			e.Unavailable = []civil.Date{first.AddDays(i % 30)}
			e.Overrides = []civil.Date{first.AddDays(i%30 + 1)}
		}
		if i%11 == 0 {
			e.TimeOff = []rule.DateRange{{Start: first.AddDays(i % 20), End: first.AddDays(i%20 + 4), Reason: "vacation"}}
		}
		b.Employees = append(b.Employees, e)
	}
	types := []rule.EventType{rule.EventCore, rule.EventCore, rule.EventCore, rule.EventSupervisor, rule.EventJuicer, rule.EventFreeosk, rule.EventDigital, rule.EventOther}
	durations := map[rule.EventType]int{rule.EventCore: 390, rule.EventSupervisor: 5, rule.EventJuicer: 540, rule.EventFreeosk: 15, rule.EventDigital: 15, rule.EventOther: 15}
	rnd := rand.New(rand.NewPCG(1, 2))
	const events = 2000
	for i := range events {
		t := types[i%len(types)]
		start := first.AddDays(rnd.IntN(25))
		ev := rule.Event{
			Ref: int64(100000 + i), Name: fmt.Sprintf("%06d-CF-Product %d (300410117846) - V2-%s", 600000+i/len(types), i, t), Type: t, DurationMin: durations[t],
			Start: start, Due: start.AddDays(rnd.IntN(8)),
		}
		if t == rule.EventSupervisor && i%16 == 3 {
			ev.ParentRef = int64(100000 + i - 3)
		}
		b.Events = append(b.Events, ev)
		if rnd.IntN(4) == 0 || t == rule.EventCore && rnd.IntN(2) == 0 {
			b.Assignments = append(b.Assignments, rule.Assignment{
				Event: ev.Ref, Employee: b.Employees[rnd.IntN(60)].ID, Date: ev.Start.AddDays(rnd.IntN(ev.Start.DaysUntil(ev.Due) + 1)),
				Start: civil.NewClock(9+rnd.IntN(3), 45), Proposed: rnd.IntN(2) == 0,
			})
		}
	}
	coreDay := make(map[int64]civil.Date)
	for _, a := range b.Assignments {
		coreDay[a.Event] = a.Date
	}
	for i := range n {
		ev := b.Events[rnd.IntN(events)]
		c := rule.Candidate{
			Event: ev.Ref, Employee: b.Employees[rnd.IntN(60)].ID,
			Date: ev.Start.AddDays(rnd.IntN(ev.Start.DaysUntil(ev.Due) + 1)), Start: civil.NewClock(9+rnd.IntN(4), 30),
		}
		switch d, ok := coreDay[ev.ParentRef]; {
		case i%10 == 0:
			c.Date = ev.Due.AddDays(1) // out of the window
		case ok && rnd.IntN(4) > 0:
			c.Date = d // a supervisor on its core's day
		}
		if i%50 == 0 {
			c.Replaces = b.Events[rnd.IntN(events)].Ref
		}
		b.Candidates = append(b.Candidates, c)
	}
	return b
}

// Contract tests what every built-in rule plugin promises, on rules made by
// newRule: its Info, a configuration of nothing or {} accepted and
// anything else refused with plugin.ErrBadConfig, no candidates giving no
// verdicts, a cancelled context giving context.Canceled, the same
// verdicts over real gRPC, and one batch checked from several goroutines at
// once giving the same verdicts.
func Contract(t *testing.T, newRule func() rule.Rule, name string) {
	ctx := context.Background()
	t.Run("info", func(t *testing.T) {
		got, err := newRule().Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := plugin.Info{Type: plugin.TypeRule, Name: name, Version: "1.0.0", APIVersions: []int{rule.APIVersion}}
		if got.Description == "" {
			t.Error("no description")
		}
		got.Description = ""
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Info (-want +got):\n%s", diff)
		}
	})
	t.Run("configure", func(t *testing.T) {
		for _, tt := range []struct {
			raw string
			bad bool
		}{
			{"", false}, {"  ", false}, {"{}", false}, {" { } \n", false},
			{`{"max": 3}`, true}, {`[]`, true}, {`{} {}`, true}, {`{`, true},
		} {
			err := newRule().Configure(ctx, []byte(tt.raw))
			if tt.bad != (err != nil) {
				t.Errorf("Configure(%q) = %v, want error: %v", tt.raw, err, tt.bad)
			}
			if err != nil && !errors.Is(err, plugin.ErrBadConfig) {
				t.Errorf("Configure(%q) = %v, want an error wrapping plugin.ErrBadConfig", tt.raw, err)
			}
		}
	})
	t.Run("empty", func(t *testing.T) {
		b := BigBatch(0)
		vs, err := newRule().Check(ctx, b)
		if err != nil || len(vs) != 0 {
			t.Errorf("Check of no candidates = %v, %v", vs, err)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := newRule().Check(cctx, BigBatch(1)); !errors.Is(err, context.Canceled) {
			t.Errorf("Check with a canceled context = %v, want context.Canceled", err)
		}
	})
	t.Run("grpc", func(t *testing.T) {
		// The rule answers the same over real gRPC (in memory) as in
		// process, and configures and self-tests over it.
		want := sdktest.Check(t, newRule(), BigBatch(2000))
		remote := sdktest.ServeInProcessGRPC(t, newRule())
		if err := remote.Configure(t.Context(), []byte("{}")); err != nil {
			t.Fatalf("Configure over gRPC: %v", err)
		}
		if err := remote.SelfTest(t.Context()); err != nil {
			t.Fatalf("SelfTest over gRPC: %v", err)
		}
		got := sdktest.Check(t, remote, BigBatch(2000))
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("over gRPC (-in-process +gRPC):\n%s", diff)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		// One Batch may be read by several rules at once: its lookups are
		// built on first use, under the race detector here.
		want, err := newRule().Check(ctx, BigBatch(2000))
		if err != nil {
			t.Fatal(err)
		}
		b := BigBatch(2000)
		r := newRule()
		got := make([][]rule.Verdict, 4)
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() { got[i], errs[i] = r.Check(ctx, b) })
		}
		wg.Wait()
		for i := range got {
			if errs[i] != nil {
				t.Fatalf("Check %d: %v", i, errs[i])
			}
			if diff := cmp.Diff(want, got[i]); diff != "" {
				t.Errorf("Check %d differs from a lone Check (-want +got):\n%s", i, diff)
			}
		}
	})
}

// Bench checks bb with r, in process, b.N times; fresh rebuilds the
// batch's lookups each time, as the first rule to read a batch off the wire
// does.
func Bench(b *testing.B, r rule.Rule, bb *rule.Batch, fresh bool) {
	ctx := context.Background()
	if _, err := r.Check(ctx, bb); err != nil { // the lookups, built once
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if fresh {
			bb.Reindex()
		}
		if _, err := r.Check(ctx, bb); err != nil {
			b.Fatal(err)
		}
	}
}

// Passing returns bb with its candidates replaced by as many that r lets
// pass: the cost of the rule without writing violation messages.
func Passing(b *testing.B, r rule.Rule, bb *rule.Batch) *rule.Batch {
	vs, err := r.Check(context.Background(), bb)
	if err != nil {
		b.Fatal(err)
	}
	var ok []rule.Candidate
	for i, v := range vs {
		if v.OK() {
			ok = append(ok, bb.Candidates[i])
		}
	}
	n := len(bb.Candidates)
	bb.Candidates = bb.Candidates[:0]
	for i := range n {
		bb.Candidates = append(bb.Candidates, ok[i%len(ok)])
	}
	bb.Reindex()
	return bb
}
