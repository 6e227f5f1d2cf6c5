package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/backup"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

// schemaAt opens the database at dbURL, brings it to schema version when
// version > 0, and returns its status.
func schemaAt(t *testing.T, dbURL string, version int64) store.MigrationStatus {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{URL: dbURL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if version > 0 {
		if _, err := s.MigrateTo(ctx, version); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// safetyBackups returns the schema version of each safety backup in a
// backup-local folder.
func safetyBackups(t *testing.T, folder string) []int64 {
	t.Helper()
	entries, _ := os.ReadDir(folder)
	var out []int64
	for _, e := range entries {
		f, err := os.Open(filepath.Join(folder, e.Name(), backup.ManifestName))
		if err != nil {
			continue
		}
		m, err := backup.ParseManifest(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind == backup.KindSafety {
			out = append(out, m.SchemaVersion)
		}
	}
	return out
}

// TestMigrateBacksUpFirst: crewplan migrate backs up a database at an
// older schema before migrating it, refuses to migrate when the backup
// reaches no target, and with --no-backup migrates without one.
func TestMigrateBacksUpFirst(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dir := t.TempDir()
			dbURL := filepath.Join(dir, "crewplan.db")
			if dialect == "postgres" {
				if dbURL = storetest.PostgresURL(t); dbURL == "" {
					t.Skip(storetest.PostgresEnv + " is not set; CI sets it")
				}
			}
			db := "CREWPLAN_DATABASE__URL=" + dbURL
			broken := `CREWPLAN_BACKUP__TARGETS__LOCAL={"plugin": "backup-local", "config": {"dir": "` + filepath.Join(dir, "not-mounted") + `"}}`
			latest := schemaAt(t, dbURL, 2).Latest

			code, _, errOut := runEnv(t, dir, "", []string{db, broken}, "migrate")
			if code != 1 {
				t.Errorf("migrate with the only target broken: exit %d; want 1", code)
			}
			for _, want := range []string{"schema version 2", "needs " + strconv.FormatInt(latest, 10), "backup before migrating failed", "crewplan migrate --no-backup"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("migrate with the only target broken: stderr lacks %q:\n%s", want, errOut)
				}
			}
			if st := schemaAt(t, dbURL, 0); st.Current != 2 {
				t.Fatalf("schema after the refused migrate = %d; want 2, untouched", st.Current)
			}

			code, out, errOut := runEnv(t, dir, "", []string{db}, "migrate")
			if code != 0 || !strings.Contains(out, dialect+" database at schema version 2") || !strings.Contains(out, "✓ local") ||
				!strings.Contains(out, "schema at version "+strconv.FormatInt(latest, 10)) {
				t.Fatalf("migrate = %d\n%s\n%s", code, out, errOut)
			}
			if got := safetyBackups(t, filepath.Join(dir, "backups")); len(got) != 1 || got[0] != 2 {
				t.Errorf("safety backups = schema versions %v; want one at 2", got)
			}
			if st := schemaAt(t, dbURL, 0); !st.UpToDate() {
				t.Errorf("schema after migrate = %+v", st)
			}
		})
	}
}

// TestMigrateNoBackup: --no-backup migrates a database at an older schema
// without a backup, even with the only target broken; a fresh database is
// migrated without one anyway.
func TestMigrateNoBackup(t *testing.T) {
	dir := t.TempDir()
	dbURL := filepath.Join(dir, "crewplan.db")
	schemaAt(t, dbURL, 2)
	broken := `CREWPLAN_BACKUP__TARGETS__LOCAL={"plugin": "backup-local", "config": {"dir": "` + filepath.Join(dir, "not-mounted") + `"}}`
	if code, out, errOut := runEnv(t, dir, "", []string{broken}, "migrate", "--no-backup"); code != 0 || strings.Contains(out, "backup ") {
		t.Fatalf("migrate --no-backup = %d\n%s\n%s", code, out, errOut)
	}
	if st := schemaAt(t, dbURL, 0); !st.UpToDate() {
		t.Errorf("schema after migrate --no-backup = %+v", st)
	}

	fresh := t.TempDir()
	if code, out, errOut := run(t, fresh, "", "migrate"); code != 0 || strings.Contains(out, "backup ") {
		t.Fatalf("migrate of a fresh database = %d\n%s\n%s", code, out, errOut)
	}
	if got := safetyBackups(t, filepath.Join(fresh, "backups")); len(got) != 0 {
		t.Errorf("fresh database backed up: %v", got)
	}

	if code, out, _ := run(t, fresh, "", "migrate", "--help"); code != 0 || !strings.Contains(out, "--no-backup") || !strings.Contains(out, "backed up first") {
		t.Errorf("migrate --help = %d\n%s", code, out)
	}
}

// TestCommandsRefuseAnOlderSchema: a command working on the data does not
// migrate an older database behind the operator's back (with no backup);
// it says to run migrate. A backup takes the database as it is.
func TestCommandsRefuseAnOlderSchema(t *testing.T) {
	dir := t.TempDir()
	schemaAt(t, filepath.Join(dir, "crewplan.db"), 2)
	code, _, errOut := run(t, dir, "", "user", "add", "sam", "--role", "viewer")
	if code == 0 || !strings.Contains(errOut, "schema version 2") || !strings.Contains(errOut, "crewplan migrate") {
		t.Errorf("user add on an older schema = %d %s", code, errOut)
	}
	if code, out, errOut := run(t, dir, "", "backup", "now"); code != 0 || !strings.Contains(out, "local") {
		t.Errorf("backup now on an older schema = %d %s %s", code, out, errOut)
	}
	if st := schemaAt(t, filepath.Join(dir, "crewplan.db"), 0); st.Current != 2 {
		t.Errorf("the commands moved the schema to %d", st.Current)
	}
}
