package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/cli"
	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
)

const configs = "../../../configs"

const scenarios = "../../../testdata/scenarios"

// run runs the command line with the database and log in dir and returns
// the exit code, stdout and stderr.
func run(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	return runEnv(t, dir, stdin, nil, args...)
}

// runEnv is run with more environment variables.
func runEnv(t *testing.T, dir, stdin string, extra []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	environ := []string{
		"CREWPLAN_CONFIG_DIR=" + configs,
		"CREWPLAN_DATABASE__URL=" + filepath.Join(dir, "crewplan.db"),
		"CREWPLAN_LOG__FILE=" + filepath.Join(dir, "crewplan.log"),
		"CREWPLAN_RANKER__DIR=" + filepath.Join(dir, "models"),
		"CREWPLAN_BACKUP__WORK_DIR=" + filepath.Join(dir, "backup-work"),
		`CREWPLAN_BACKUP__TARGETS__LOCAL={"plugin": "backup-local", "config": {"dir": "` + filepath.Join(dir, "backups") + `", "create": true}}`,
	}
	environ = append(environ, extra...)
	code := cli.Execute(context.Background(), args, strings.NewReader(stdin), &out, &errb, environ)
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, t.TempDir(), "", "version")
	if code != 0 || !strings.HasPrefix(out, "crewplan ") {
		t.Errorf("version = %d %q", code, out)
	}
}

func TestConfigShow(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, dir, "", "config", "show", "--profile", "test")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"# profile test", "port: 8001", "enabled: false", "TEST INSTANCE"} {
		if !strings.Contains(out, want) {
			t.Errorf("config show lacks %q:\n%s", want, out)
		}
	}
	code, _, errs = run(t, dir, "", "config", "show", "--profile", "staging")
	if code != cli.ExitInvalid || !strings.Contains(errs, "staging") {
		t.Errorf("unknown profile: exit %d, %s", code, errs)
	}
	code, _, errs = run(t, dir, "", "config", "show", "--config-dir", filepath.Join(dir, "nowhere"))
	if code != cli.ExitInvalid || !strings.Contains(errs, "base.yaml") {
		t.Errorf("missing config file: exit %d, %s", code, errs)
	}
}

func TestImportScenario(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, dir, "", "import", "scenario", filepath.Join(scenarios, "club-week.json"))
	if code != 0 || !strings.Contains(out, "12 employees, 90 events, 10 posted") {
		t.Fatalf("import: exit %d, %q %s", code, out, errs)
	}
	// The same file again: refused, exit 2, names the duplicates.
	code, _, errs = run(t, dir, "", "import", "scenario", filepath.Join(scenarios, "club-week.json"))
	if code != cli.ExitInvalid || !strings.Contains(errs, "already exist") {
		t.Errorf("second import: exit %d, %s", code, errs)
	}
	// An invalid file: exit 2 with the field path, and nothing written.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"version":1,"now":"2026-03-02T08:00","employees":[],"events":[{"ref":1,"name":"x CORE","start":"2026-03-05","due":"2026-03-01"}]}`), 0o600)
	code, _, errs = run(t, dir, "", "import", "scenario", bad)
	if code != cli.ExitInvalid || !strings.Contains(errs, "events[0].due") {
		t.Errorf("invalid scenario: exit %d, %s", code, errs)
	}
	code, _, errs = run(t, dir, "", "import", "scenario", filepath.Join(dir, "missing.json"))
	if code != cli.ExitInvalid || !strings.Contains(errs, "missing.json") {
		t.Errorf("missing file: exit %d, %s", code, errs)
	}
	s, err := store.Open(context.Background(), store.Options{URL: filepath.Join(dir, "crewplan.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	evs, _ := s.ListEvents(context.Background(), store.EventFilter{})
	if len(evs) != 90 {
		t.Errorf("events after the refused imports = %d, want 90", len(evs))
	}
}

func TestDemoAndGenerate(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, dir, "", "demo")
	if code != 0 || !strings.Contains(out, "12 employees") || !strings.Contains(out, "sign in as demo") {
		t.Fatalf("demo: exit %d %q %s", code, out, errs)
	}
	code, _, errs = run(t, dir, "", "demo")
	if code == 0 || !strings.Contains(errs, "already holds") {
		t.Errorf("demo into a full database: exit %d, %s", code, errs)
	}
	file := filepath.Join(dir, "gen.json")
	code, _, errs = run(t, dir, "", "demo", "generate", "--employees", "60", "--weeks", "4", "--seed", "3", "--out", file)
	if code != 0 {
		t.Fatalf("generate: exit %d %s", code, errs)
	}
	sc, err := scenario.ParseFile(file)
	if err != nil {
		t.Fatalf("generated file does not parse: %v", err)
	}
	if len(sc.Employees) != 60 || len(sc.Events) < 1500 {
		t.Errorf("generated %d employees, %d events", len(sc.Employees), len(sc.Events))
	}
	_, a, _ := run(t, dir, "", "demo", "generate", "--employees", "12", "--seed", "9")
	_, b, _ := run(t, dir, "", "demo", "generate", "--employees", "12", "--seed", "9")
	if a == "" || a != b {
		t.Error("generate is not deterministic for a seed")
	}
	code, _, errs = run(t, dir, "", "demo", "generate", "--employees", "1")
	if code != cli.ExitInvalid || !strings.Contains(errs, "employees") {
		t.Errorf("too few employees: exit %d %s", code, errs)
	}
	code, _, _ = run(t, dir, "", "demo", "generate", "--weeks", "many")
	if code != cli.ExitInvalid {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
}

func TestUserAddAndMigrate(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, dir, "a long enough password\n", "user", "add", "maria", "--role", "admin", "--password-stdin")
	if code != 0 || !strings.Contains(out, "user maria added (admin)") {
		t.Fatalf("user add: exit %d %q %s", code, out, errs)
	}
	code, out, _ = run(t, dir, "", "user", "add", "sam")
	if code != 0 || !strings.Contains(out, "password: ") {
		t.Errorf("generated password: exit %d %q", code, out)
	}
	code, _, errs = run(t, dir, "x\n", "user", "add", "maria", "--password-stdin")
	if code != cli.ExitInvalid {
		t.Errorf("duplicate user with a short password: exit %d %s", code, errs)
	}
	code, _, errs = run(t, dir, "", "user", "add", "kim", "--role", "boss")
	if code != cli.ExitInvalid || !strings.Contains(errs, "boss") {
		t.Errorf("bad role: exit %d %s", code, errs)
	}
	code, out, _ = run(t, dir, "", "migrate", "--status")
	if code != 0 || !strings.Contains(out, "up to date") {
		t.Errorf("migrate --status: exit %d %q", code, out)
	}
	code, _, errs = run(t, dir, "", "migrate", "--db", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2")
	if code == 0 || !strings.Contains(errs, "127.0.0.1:1") {
		t.Errorf("unreachable database: exit %d %s", code, errs)
	}
}
