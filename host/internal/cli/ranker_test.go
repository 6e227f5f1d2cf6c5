package cli_test

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRankerCommands loads the demo (which trains its model), trains
// another, evaluates it with a chart, and walks both through the registry.
func TestRankerCommands(t *testing.T) {
	dir := t.TempDir()
	mustRun := func(want int, args ...string) string {
		t.Helper()
		code, out, errs := run(t, dir, "", args...)
		if code != want {
			t.Fatalf("%s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errs)
		}
		return out + errs
	}
	if out := mustRun(0, "demo"); !strings.Contains(out, "ranking model 1 (crewplan-gbdt") {
		t.Errorf("demo output:\n%s", out)
	}
	if out := mustRun(0, "ranker", "list"); !strings.Contains(out, "yes") || !strings.Contains(out, "model 1 (crewplan-gbdt") {
		t.Errorf("list after loading the demo:\n%s", out)
	}
	mustRun(2, "ranker", "rollback") // the first model activated

	module := filepath.Join(dir, "model.wasm")
	out := mustRun(0, "ranker", "train", "--out", module, "--depth", "3")
	for _, want := range []string{"trained crewplan-gbdt", "depth 3", "held out", "rules", "lift", "model 2 registered"} {
		if !strings.Contains(out, want) {
			t.Errorf("train output lacks %q:\n%s", want, out)
		}
	}
	if fi, err := os.Stat(module); err != nil || fi.Size() < 1000 {
		t.Fatalf("module file: %v", err)
	}
	mustRun(0, "ranker", "eval") // the active model
	chart := filepath.Join(dir, "chart.png")
	out = mustRun(0, "ranker", "eval", "2", "--chart", chart, "--json", filepath.Join(dir, "report.json"))
	if !strings.Contains(out, "P@3") || !strings.Contains(out, "chart written") {
		t.Errorf("eval output:\n%s", out)
	}
	f, err := os.Open(chart)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds().Dx() < 600 {
		t.Fatalf("chart: %v", err)
	}
	mustRun(0, "ranker", "eval", "--file", module)
	mustRun(2, "ranker", "eval", "1", "--file", module)

	mustRun(2, "ranker", "add", module) // registered already
	notWasm := filepath.Join(dir, "not.wasm")
	os.WriteFile(notWasm, []byte("hello"), 0o644)
	mustRun(2, "ranker", "add", notWasm)
	mustRun(2, "ranker", "activate", "abc")
	mustRun(2, "ranker", "activate", "99")
	mustRun(0, "ranker", "activate", "2")
	if out := mustRun(0, "ranker", "rollback"); !strings.Contains(out, "model 1 is active again") {
		t.Errorf("rollback:\n%s", out)
	}

	if out := mustRun(0, "ranker", "shadow", "on"); !strings.Contains(out, "shadow mode on (stored") {
		t.Errorf("shadow on:\n%s", out)
	}
	if out := mustRun(0, "ranker", "list"); !strings.Contains(out, "shadow mode") {
		t.Errorf("list in shadow mode:\n%s", out)
	}
	if out := mustRun(0, "ranker", "shadow", "config"); !strings.Contains(out, "shadow mode off (from the configuration") {
		t.Errorf("shadow config:\n%s", out)
	}
	mustRun(2, "ranker", "shadow", "maybe")

	if out := mustRun(0, "ranker", "deactivate"); !strings.Contains(out, "the rules rank") {
		t.Errorf("deactivate:\n%s", out)
	}
	if out := mustRun(2, "ranker", "eval"); !strings.Contains(out, "no model is active") {
		t.Errorf("eval without a model:\n%s", out)
	}
}
