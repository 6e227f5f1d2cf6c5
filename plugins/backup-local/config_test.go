package backuplocal_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	backuplocal "github.com/crewplan/crewplan/plugins/backup-local"
	"github.com/crewplan/crewplan/sdk/plugin"
)

func TestConfigure(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		raw string
		// wantErr is "" for a configuration taken, else a piece of the
		// error, which must wrap plugin.ErrBadConfig.
		wantErr string
	}{
		{`{"dir": "` + dir + `"}`, ""},
		{`{"dir": "` + dir + `", "fsync": false}`, ""},
		{`{"dir": "` + dir + `/not/there/yet"}`, ""}, // a share mounted later
		{``, "dir"},
		{`{}`, "dir"},
		{`{"dir": ""}`, "dir"},
		{`{"dir": "backups"}`, ""}, // relative to the working directory
		{`{"dir": "` + dir + `", "fsync": "yes"}`, "fsync"},
		{`{"dir": "` + dir + `", "path": "/x"}`, "path"},
		{`{"dir": 3}`, "dir"},
		{`["` + dir + `"]`, "cannot unmarshal"},
		{`{"dir": "` + dir + `"} {}`, "trailing"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			err := backuplocal.New().Configure(t.Context(), []byte(tt.raw))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Configure: %v", err)
			case tt.wantErr != "" && (!errors.Is(err, plugin.ErrBadConfig) || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Configure = %v, want ErrBadConfig about %q", err, tt.wantErr)
			}
		})
	}
}

// Configure removes the temporaries a killed process left an hour or
// more ago, and nothing else.
func TestConfigureRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	for _, f := range []struct {
		path string
		old  bool
	}{
		{".tmp-OLD-db.zst", true},
		{"r/.tmp-OLD-db.zst", true},
		{"r/.tmp-NEW-db.zst", false},    // a Put under way
		{"r/.operator-notes", true},     // not a temporary
		{".snapshot/r/.tmp-X-db", true}, // in a dot-folder, not ours
		{"r/db.zst", true},
	} {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o640); err != nil {
			t.Fatal(err)
		}
		if f.old {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	newTarget(t, dir)
	want := []string{".snapshot/", ".snapshot/r/", ".snapshot/r/.tmp-X-db", "r/", "r/.operator-notes", "r/.tmp-NEW-db.zst", "r/db.zst"}
	if diff := cmp.Diff(want, files(t, dir)); diff != "" {
		t.Errorf("files after Configure (-want +got):\n%s", diff)
	}
}

// TestConfigureRelativeAndCreate: a relative dir is the working
// directory's folder, and create makes it when it is missing; without
// create a missing dir stays missing (an unmounted share).
func TestConfigureRelativeAndCreate(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	tg := backuplocal.New()
	if err := tg.Configure(t.Context(), []byte(`{"dir": "data/backups", "create": true}`)); err != nil {
		t.Fatal(err)
	}
	put(t, tg, "b1/manifest.json", []byte("{}"))
	if _, err := os.Stat(filepath.Join(wd, "data", "backups", "b1", "manifest.json")); err != nil {
		t.Errorf("the object is not under the working directory's data/backups: %v", err)
	}
	other := backuplocal.New()
	if err := other.Configure(t.Context(), []byte(`{"dir": "elsewhere"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(wd, "elsewhere")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a dir without create was made: %v", err)
	}
}
