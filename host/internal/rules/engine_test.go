package rules_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

var ctx = context.Background()

// fakeRule flags candidates of one employee, or fails, or miscounts.
type fakeRule struct {
	id, flag string
	fail     bool
	short    bool
}

func (f *fakeRule) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Type: plugin.TypeRule, Name: f.id, APIVersions: []int{rule.APIVersion}}, nil
}
func (f *fakeRule) Configure(context.Context, []byte) error { return nil }
func (f *fakeRule) Check(_ context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	if f.fail {
		return nil, errors.New("plugin process died")
	}
	n := len(b.Candidates)
	if f.short {
		n--
	}
	out := make([]rule.Verdict, n)
	for i := range out {
		if b.Candidates[i].Employee == f.flag {
			out[i].Violations = []rule.Violation{{Rule: f.id, Severity: rule.Hard, Message: f.flag + " breaks " + f.id}}
		}
	}
	return out, nil
}

func TestEngineMergesInRuleOrder(t *testing.T) {
	e := rules.NewEngine(rules.Named{Name: "a", Rule: &fakeRule{id: "a", flag: "E1"}}, rules.Named{Name: "b", Rule: &fakeRule{id: "b", flag: "E1"}}, rules.Named{Name: "c", Rule: &fakeRule{id: "c", flag: "E2"}})
	b := &rule.Batch{Candidates: []rule.Candidate{{Employee: "E1"}, {Employee: "E2"}, {Employee: "E3"}}}
	vs, err := e.Check(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 3 || len(vs[0].Violations) != 2 || vs[0].Violations[0].Rule != "a" || vs[0].Violations[1].Rule != "b" ||
		len(vs[1].Violations) != 1 || !vs[2].OK() {
		t.Errorf("verdicts = %+v", vs)
	}
}

func TestEngineFailsWithoutAnAnswerFromEveryRule(t *testing.T) {
	b := &rule.Batch{Candidates: []rule.Candidate{{Employee: "E1"}, {Employee: "E2"}}}
	for _, tt := range []struct {
		name string
		e    *rules.Engine
		want string
	}{
		{"no rules", rules.NewEngine(), "no rules"},
		{"rule fails", rules.NewEngine(rules.Named{Name: "ok", Rule: &fakeRule{id: "ok"}}, rules.Named{Name: "rules-people", Rule: &fakeRule{fail: true}}), "rules-people: plugin process died"},
		{"wrong count", rules.NewEngine(rules.Named{Name: "rules-calendar", Rule: &fakeRule{short: true}}), "rules-calendar answered 1 verdicts for 2 candidates"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := tt.e.Check(ctx, b)
			if !errors.Is(err, rules.ErrRule) || !strings.Contains(err.Error(), tt.want) || vs != nil {
				t.Errorf("Check = %v, %v; want ErrRule naming %q", vs, err, tt.want)
			}
		})
	}
}

func TestLoadSnapshot(t *testing.T) {
	sc, err := scenario.ParseFile("../../../testdata/scenarios/region-month.json")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if _, err := s.Import(ctx, "test", sc.Dataset("test")); err != nil {
			t.Fatal(err)
		}
		from := civil.MustParseDate("2026-03-04")
		snap, err := rules.Load(ctx, s, from, from.AddDays(2), sc.Now)
		if err != nil {
			t.Fatal(err)
		}
		if snap.From != civil.MustParseDate("2026-03-01") || snap.To != civil.MustParseDate("2026-03-07") {
			t.Errorf("snapshot covers %s to %s; want the whole week", snap.From, snap.To)
		}
		if len(snap.Employees) != 60 || snap.Settings.MaxWorkDaysPerWeek != 6 || snap.Settings.OffsetDays(rule.EventCore) != 1 {
			t.Errorf("employees %d, settings %+v", len(snap.Employees), snap.Settings)
		}
		if len(snap.LockedDays) != 1 || snap.LockedDays[0] != civil.MustParseDate("2026-03-07") {
			t.Errorf("locked days = %v", snap.LockedDays)
		}
		b := snap.Batch(rule.ModeAutomatic, nil, nil)
		for _, a := range snap.Posted {
			if a.Date < snap.From || a.Date > snap.To {
				t.Fatalf("posted assignment outside the weeks: %+v", a)
			}
			if b.Event(a.Event) == nil || b.Employee(a.Employee) == nil {
				t.Fatalf("assignment %+v names an event or employee the snapshot lacks", a)
			}
		}
		for _, ev := range snap.Events {
			if ev.ParentRef != 0 && b.Event(ev.ParentRef) == nil {
				t.Errorf("supervisor %d's core %d is missing", ev.Ref, ev.ParentRef)
			}
		}
		// Availability converts faithfully.
		for _, want := range sc.Employees {
			got := b.Employee(want.ID)
			if (want.Weekly == nil) != (got.Weekly == nil) || (want.Weekly != nil && *want.Weekly != *got.Weekly) ||
				len(got.Unavailable) != len(want.Unavailable) || len(got.TimeOff) != len(want.TimeOff) {
				t.Errorf("employee %s converted as %+v", want.ID, got)
			}
		}
	})
}

func TestVerifyChecksEachPostedAssignmentAgainstTheRest(t *testing.T) {
	d := civil.MustParseDate("2026-03-03")
	snap := &rules.Snapshot{
		Now:       civil.DateTime{Date: d.AddDays(-1), Clock: civil.NewClock(8, 0)},
		Employees: []rule.Employee{{ID: "E1", Active: true}, {ID: "E2", Active: true}},
		Events:    []rule.Event{{Ref: 1, Type: rule.EventCore, Start: d, Due: d, DurationMin: 390}, {Ref: 2, Type: rule.EventCore, Start: d, Due: d, DurationMin: 390}},
		Posted:    []rule.Assignment{{Event: 1, Employee: "E1", Date: d, Start: civil.NewClock(9, 45)}, {Event: 2, Employee: "E2", Date: d.AddDays(20), Start: civil.NewClock(9, 45)}},
	}
	var seen []rule.Candidate
	spy := &spyRule{seen: &seen}
	findings, err := rules.NewEngine(rules.Named{Name: "spy", Rule: spy}, rules.Named{Name: "e1", Rule: &fakeRule{id: "e1", flag: "E1"}}).Verify(ctx, snap, d, d.AddDays(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].Event != 1 || seen[0].Replaces != 1 || spy.mode != rule.ModeVerify {
		t.Errorf("candidates = %+v (mode %v); want the one assignment in range, replacing itself", seen, spy.mode)
	}
	if len(findings) != 1 || findings[0].Employee != "E1" || findings[0].Violations[0].Rule != "e1" {
		t.Errorf("findings = %+v", findings)
	}
}

type spyRule struct {
	seen *[]rule.Candidate
	mode rule.Mode
}

func (s *spyRule) Info(context.Context) (plugin.Info, error) { return plugin.Info{Name: "spy"}, nil }
func (s *spyRule) Configure(context.Context, []byte) error   { return nil }
func (s *spyRule) Check(_ context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	*s.seen = append(*s.seen, b.Candidates...)
	s.mode = b.Mode
	return make([]rule.Verdict, len(b.Candidates)), nil
}
