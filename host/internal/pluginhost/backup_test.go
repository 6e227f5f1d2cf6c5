package pluginhost_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// startLocal starts the built-in backup-local plugin on a new folder, as
// the target named name.
func startLocal(t *testing.T, h *pluginhost.Host, name string) (*pluginhost.BackupPlugin, string) {
	t.Helper()
	dir := t.TempDir()
	spec, err := h.BackupSpec(config.PluginsConfig{}, config.BackupTarget{Name: name, Plugin: "backup-local", Config: []byte(`{"dir": "` + dir + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.StartBackup(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return p, dir
}

// TestBackupPluginConformance: the built-in local-directory target, run as
// a plugin process by the host, passes the SDK's conformance suite.
func TestBackupPluginConformance(t *testing.T) {
	h := newHost(t, pluginhost.Options{})
	sdktest.TestTarget(t, func(t *testing.T) backup.Target {
		p, _ := startLocal(t, h, "conformance")
		return p
	})
}

// TestBackupPluginRestarts: a backup plugin killed between calls is
// started again by the next call, which succeeds; one killed during a Put
// makes that Put fail and stores nothing, and the next call works.
func TestBackupPluginRestarts(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, pluginhost.Options{})
	p, dir := startLocal(t, h, "local")
	if p.Name() != "backup target local (backup-local)" {
		t.Errorf("name %q", p.Name())
	}
	if _, err := p.Put(ctx, "b1/manifest.json", bytes.NewReader([]byte("{}"))); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(p.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	objs, err := p.List(ctx, "")
	if err != nil || len(objs) != 1 {
		t.Fatalf("list after the kill: %v, %v", objs, err)
	}
	pr, pw := io.Pipe()
	done := make(chan error)
	go func() {
		_, err := p.Put(ctx, "b2/db.sqlite.zst", pr)
		done <- err
	}()
	if _, err := pw.Write(bytes.Repeat([]byte("x"), 3<<20)); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(p.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	pw.CloseWithError(errors.New("the sender gave up")) // in case the stream still reads
	if err := <-done; err == nil {
		t.Fatal("a Put whose plugin was killed succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "b2", "db.sqlite.zst")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the killed Put left its object: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		objs, err = p.List(ctx, "")
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || len(objs) != 1 || objs[0].Name != "b1/manifest.json" {
		t.Fatalf("after the killed Put: %v, %v", objs, err)
	}
}

// TestBackupTargetDown: a target whose storage is gone answers
// ErrUnavailable through the host, without the host taking it for a dead
// process.
func TestBackupTargetDown(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, pluginhost.Options{})
	p, dir := startLocal(t, h, "usb")
	pid := p.PID()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Put(ctx, "b1/manifest.json", bytes.NewReader([]byte("{}"))); !errors.Is(err, backup.ErrUnavailable) {
		t.Errorf("put on a missing folder: %v, want ErrUnavailable", err)
	}
	if _, err := p.List(ctx, ""); !errors.Is(err, backup.ErrUnavailable) {
		t.Errorf("list on a missing folder: %v, want ErrUnavailable", err)
	}
	if p.PID() != pid || p.Status().Restarts != 0 {
		t.Errorf("the plugin was restarted for its target's answer (pid %d → %d)", pid, p.PID())
	}
}

func TestBackupSpec(t *testing.T) {
	h := newHost(t, pluginhost.Options{})
	if _, err := h.BackupSpec(config.PluginsConfig{}, config.BackupTarget{Name: "nas", Plugin: "backup-ftp"}); err == nil {
		t.Error("a plugin neither built in nor pinned was accepted")
	}
	s, err := h.BackupSpec(config.PluginsConfig{Dir: "/opt/plugins", SHA256: map[string]string{"backup-ftp": "00" + string(bytes.Repeat([]byte("ab"), 31))}},
		config.BackupTarget{Name: "nas", Plugin: "backup-ftp", Config: []byte(`{"host": "nas"}`)})
	if err != nil || s.Path != "/opt/plugins/backup-ftp" || len(s.Checksum) != 32 || string(s.Config) != `{"host": "nas"}` {
		t.Errorf("third-party spec %+v, %v", s, err)
	}
}
