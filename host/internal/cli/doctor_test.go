package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDoctor: a migrated install passes every check; an unmigrated
// database and a backup target whose folder is missing fail, each saying
// what to do, and the exit code is 1.
func TestDoctor(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, dir, "", "doctor")
	if code != 1 || !strings.Contains(out, "✗ database") || !strings.Contains(out, "crewplan migrate") {
		t.Errorf("doctor before migrating = %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := run(t, dir, "", "migrate"); code != 0 {
		t.Fatalf("migrate = %d %s", code, errOut)
	}
	code, out, errOut = run(t, dir, "", "doctor")
	if code != 0 || strings.Contains(out, "✗") {
		t.Errorf("doctor of a migrated install = %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"✓ configuration", "✓ database", "✓ rule plugin rules-calendar", "✓ ranking model", "✓ backup target local", "✓ disk"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor does not say %q:\n%s", want, out)
		}
	}
	usb := `CREWPLAN_BACKUP__TARGETS__USB={"plugin": "backup-local", "config": {"dir": "` + filepath.Join(dir, "not-mounted") + `"}}`
	code, out, _ = runEnv(t, dir, "", []string{usb}, "doctor")
	if code != 1 || !strings.Contains(out, "✗ backup target usb") || !strings.Contains(out, "✓ backup target local") {
		t.Errorf("doctor with a target not mounted = %d\n%s", code, out)
	}
	if code, out, _ := runEnv(t, dir, "", []string{"CREWPLAN_SERVER__PORT=0"}, "doctor"); code != 1 || !strings.Contains(out, "✗ configuration") {
		t.Errorf("doctor with a bad configuration = %d\n%s", code, out)
	}
}
