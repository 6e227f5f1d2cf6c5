package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/cli"
)

// TestTestInstanceCommands runs create, verify and cleanup from a
// temporary install, and the misuse each must refuse: no production
// database, a test profile on production's database or port or with sync
// on, another profile.
func TestTestInstanceCommands(t *testing.T) {
	dir := t.TempDir()
	scenario, _ := filepath.Abs(filepath.Join(scenarios, "club-week.json"))
	os.MkdirAll(filepath.Join(dir, "configs"), 0o755)
	for _, name := range []string{"base.yaml", "production.yaml", "test.yaml"} {
		b, err := os.ReadFile(filepath.Join(configs, name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "configs", name), b, 0o644)
	}
	t.Chdir(dir)
	exec := func(extra []string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		environ := append([]string{"CREWPLAN_CONFIG_DIR=configs"}, extra...)
		code := cli.Execute(context.Background(), args, strings.NewReader(""), &out, &errb, environ)
		return code, out.String(), errb.String()
	}

	code, _, errOut := exec(nil, "testinstance", "create")
	if code != cli.ExitFailure || !strings.Contains(errOut, "no production database at "+filepath.Join(dir, "data", "crewplan.db")) {
		t.Errorf("create without production = %d %s", code, errOut)
	}
	for _, tt := range []struct {
		env, want string
	}{
		{"CREWPLAN_DATABASE__URL=data/crewplan.db", "database.url"},
		{"CREWPLAN_SERVER__PORT=8000", "server.port"},
		{"CREWPLAN_SYNC__ENABLED=true", "sync.enabled"},
	} {
		for _, sub := range []string{"create", "verify", "cleanup"} {
			code, _, errOut := exec([]string{tt.env}, "testinstance", sub)
			if code != cli.ExitInvalid || !strings.Contains(errOut, tt.want) {
				t.Errorf("%s with %s = %d %s", sub, tt.env, code, errOut)
			}
		}
	}
	if code, _, errOut := exec(nil, "testinstance", "verify", "--profile", "dev"); code != cli.ExitInvalid || !strings.Contains(errOut, "--profile dev") {
		t.Errorf("verify --profile dev = %d %s", code, errOut)
	}
	if _, err := os.Stat("data/crewplan_test.db"); err == nil {
		t.Error("a refused command made the test database")
	}

	if code, _, errOut := exec(nil, "import", "scenario", scenario); code != 0 {
		t.Fatalf("import into production = %d %s", code, errOut)
	}
	code, out, errOut := exec(nil, "testinstance", "create")
	if code != 0 || !strings.Contains(out, "copied production's database") || !strings.Contains(out, "crewplan serve --profile test") {
		t.Fatalf("create = %d %s %s", code, out, errOut)
	}
	code, out, _ = exec(nil, "testinstance", "verify")
	if code != cli.ExitFailure || !strings.Contains(out, "✗ production answers") || !strings.Contains(out, "✓ production unchanged") || !strings.Contains(out, "✓ sync off in test") {
		t.Errorf("verify with nothing running = %d\n%s", code, out)
	}
	code, out, errOut = exec(nil, "testinstance", "cleanup")
	if code != 0 || !strings.Contains(out, "removed "+filepath.Join(dir, "data", "crewplan_test.db")) || !strings.Contains(out, "crewplan_test.log") {
		t.Errorf("cleanup = %d %s %s", code, out, errOut)
	}
	if _, err := os.Stat("configs/test.yaml"); err != nil {
		t.Errorf("cleanup without --config removed test.yaml: %v", err)
	}
	if _, err := os.Stat("data/crewplan.db"); err != nil {
		t.Errorf("production's database: %v", err)
	}

	// Without a test.yaml, create writes one from production's.
	os.Remove("configs/test.yaml")
	code, out, errOut = exec(nil, "testinstance", "create")
	if code != 0 || !strings.Contains(out, "wrote the test profile") {
		t.Errorf("create without test.yaml = %d %s %s", code, out, errOut)
	}
	code, out, _ = exec(nil, "testinstance", "cleanup", "--config")
	if code != 0 || !strings.Contains(out, "test.yaml") {
		t.Errorf("cleanup --config = %d %s", code, out)
	}
}
