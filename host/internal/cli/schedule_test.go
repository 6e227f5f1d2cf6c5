package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/cli"
	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/verify"
)

// TestScheduleSimulate runs `schedule simulate` with the real rule plugin
// processes and checks the result document with the independent verifier;
// the configured database is never touched.
func TestScheduleSimulate(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(scenarios, "cases", "bump-for-urgent.json")
	out := filepath.Join(dir, "result.json")
	code, _, errs := run(t, dir, "", "schedule", "simulate", "--scenario", in, "--out", out, "--bound")
	if code != 0 {
		t.Fatalf("simulate: exit %d: %s", code, errs)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenario.ParseResult(raw)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.ParseFile(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range verify.Check(sc, res) {
		t.Errorf("verifier: %s", p)
	}
	if res.Run.Bumps != 1 || res.Run.Placed != 2 || res.Run.Considered != 2 || res.Run.Bound == nil || *res.Run.Bound != 1 {
		t.Errorf("run record %+v, want 2 considered, 2 placed, 1 bump, bound 1 (the one event to place)", res.Run)
	}
	if _, err := os.Stat(filepath.Join(dir, "crewplan.db")); !os.IsNotExist(err) {
		t.Errorf("simulate touched the configured database: %v", err)
	}
}

func TestScheduleSimulateRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"version": 1, "now": "2026-03-02T08:00", "employees": [], "events": [{"ref": 1, "name": "x", "start": "2026-03-05", "due": "2026-03-01"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"schedule", "simulate"}, "--scenario FILE is required"},
		{[]string{"schedule", "simulate", "--scenario", bad}, "events[0]"},
		{[]string{"schedule", "simulate", "--scenario", bad, "--ranker", "gbdt"}, "only the rule-based ranking"},
	} {
		code, _, errs := run(t, dir, "", tt.args...)
		if code != cli.ExitInvalid || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 naming %q", tt.args, code, errs, tt.want)
		}
	}
}

func TestScheduleBound(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, dir, "", "schedule", "bound", "--scenario", filepath.Join(scenarios, "club-week.json"))
	if code != 0 || !strings.Contains(out, "bound 74 of 80 events to place") {
		t.Fatalf("bound: exit %d, %q %s", code, out, errs)
	}
	code, _, errs = run(t, dir, "", "schedule", "bound")
	if code != cli.ExitInvalid || !strings.Contains(errs, "--scenario FILE is required") {
		t.Errorf("bound without a scenario: exit %d, %s", code, errs)
	}
}
