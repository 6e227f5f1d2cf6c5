package cli_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/cli"
)

func TestPluginsListAndCheck(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, dir, "", "plugins", "list")
	if code != 0 {
		t.Fatalf("plugins list: exit %d %s", code, errs)
	}
	for _, name := range []string{"rules-calendar", "rules-people", "rules-workload", "rules-pairing"} {
		if !strings.Contains(out, name) {
			t.Errorf("plugins list lacks %s:\n%s", name, out)
		}
	}
	if strings.Contains(out, "unhealthy") {
		t.Errorf("an unhealthy plugin:\n%s", out)
	}
	bin := filepath.Join(dir, "rules-people")
	if b, err := exec.Command("go", "build", "-o", bin, "../../../plugins/rules-people/cmd").CombinedOutput(); err != nil {
		t.Fatalf("build plugin: %v\n%s", err, b)
	}
	code, out, errs = run(t, dir, "", "plugins", "check", bin)
	if code != 0 || !strings.Contains(out, "name:        rules-people") || !strings.Contains(out, "self-test:   passed") {
		t.Errorf("plugins check: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = run(t, dir, "", "plugins", "check", bin, "--sha256", strings.Repeat("ab", 32))
	if code != cli.ExitFailure || !strings.Contains(errs, "checksum") {
		t.Errorf("wrong checksum: exit %d %s", code, errs)
	}
	code, _, errs = run(t, dir, "", "plugins", "check", filepath.Join(dir, "missing"))
	if code != cli.ExitInvalid || !strings.Contains(errs, "missing") {
		t.Errorf("missing binary: exit %d %s", code, errs)
	}
	code, _, errs = run(t, dir, "", "plugins", "check", bin, "--sha256", "xyz")
	if code != cli.ExitInvalid {
		t.Errorf("bad --sha256: exit %d %s", code, errs)
	}
}
