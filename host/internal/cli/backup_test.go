package cli_test

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestBackupCommands: a backup now, listed, verified, restored (after
// typing RESTORE; anything else changes nothing), pruned.
func TestBackupCommands(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := run(t, dir, "", "demo"); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	code, out, errOut := run(t, dir, "", "backup", "now", "--quiet")
	if code != 0 || !strings.Contains(out, "✓ local") {
		t.Fatalf("backup now = %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = run(t, dir, "", "backup", "list", "--json")
	var list struct {
		Backups []struct {
			ID      string   `json:"id"`
			Targets []string `json:"targets"`
		} `json:"backups"`
	}
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list.Backups) != 1 {
		t.Fatalf("backup list = %d %v\n%s", code, err, out)
	}
	id := list.Backups[0].ID
	if code, out, _ := run(t, dir, "", "backup", "list"); code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "manual") {
		t.Errorf("backup list = %d\n%s", code, out)
	}
	if code, out, _ := run(t, dir, "", "backup", "verify", id); code != 0 || !strings.Contains(out, "✓ local") {
		t.Errorf("backup verify = %d\n%s", code, out)
	}
	if code, _, errOut := run(t, dir, "", "backup", "verify", "20200101T000000Z-x-0000"); code != 1 || !strings.Contains(errOut, "no such backup") {
		t.Errorf("verify of an unknown backup = %d %s", code, errOut)
	}
	if code, _, errOut := run(t, dir, "no\n", "backup", "restore", id); code != 2 || !strings.Contains(errOut, "not confirmed") {
		t.Errorf("restore without RESTORE = %d %s", code, errOut)
	}
	code, out, errOut = run(t, dir, "RESTORE\n", "backup", "restore", id)
	if code != 0 || !strings.Contains(out, "restored "+id) || !strings.Contains(out, "safety backup") {
		t.Fatalf("restore = %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := run(t, dir, "", "backup", "prune", "--dry-run"); code != 0 || !strings.Contains(out, "local: kept 2, would remove 0") {
		t.Errorf("prune --dry-run = %d\n%s", code, out)
	}
}

// TestBackupRestoreRefusedWhileServing: the CLI does not swap the database
// under a server answering on the configured address.
func TestBackupRestoreRefusedWhileServing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	code, _, errOut := runEnv(t, t.TempDir(), "", []string{"CREWPLAN_SERVER__PORT=" + strconv.Itoa(port)}, "backup", "restore", "20200101T000000Z-x-0000", "--yes")
	if code == 0 || !strings.Contains(errOut, "server answers") {
		t.Errorf("restore while serving = %d %s", code, errOut)
	}
}
