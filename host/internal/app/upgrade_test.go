package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/backup"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

// oldSchema is the schema version an older crewplan left the upgrade
// tests' databases at.
const oldSchema = 2

// eachDatabase runs f with the URL of a new database (a SQLite file in
// dir, and a private PostgreSQL schema when CREWPLAN_TEST_POSTGRES_URL is
// set), as the upgrade tests start crewplan on.
func eachDatabase(t *testing.T, f func(t *testing.T, dir, dbURL string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		f(t, dir, filepath.Join(dir, "crewplan.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		u := storetest.PostgresURL(t)
		if u == "" {
			t.Skip(storetest.PostgresEnv + " is not set; CI sets it")
		}
		f(t, t.TempDir(), u)
	})
}

// migrateTo brings the database at dbURL to schema version, as an older
// crewplan left it, with an employee in it, and returns this crewplan's
// schema version.
func migrateTo(t *testing.T, dbURL string, version int64) int64 {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{URL: dbURL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.MigrateTo(ctx, version)
	if err != nil || st.Current != version {
		t.Fatalf("MigrateTo(%d) = %+v, %v", version, st, err)
	}
	if err := s.RawExec(ctx, "INSERT INTO employees (id, name, role, active, created_at, updated_at) VALUES ('E01', 'Cara Novak', 'club_supervisor', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"); err != nil {
		t.Fatal(err)
	}
	return st.Latest
}

// schemaOf returns the schema version of the database at dbURL.
func schemaOf(t *testing.T, dbURL string) int64 {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{URL: dbURL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st.Current
}

// manifests reads the manifests of the backups in a backup-local folder.
func manifests(t *testing.T, folder string) []*backup.Manifest {
	t.Helper()
	entries, err := os.ReadDir(folder)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []*backup.Manifest
	for _, e := range entries {
		f, err := os.Open(filepath.Join(folder, e.Name(), backup.ManifestName))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		m, err := backup.ParseManifest(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func readLog(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "crewplan.log"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// brokenTarget is a backup-local target whose folder is missing and is not
// created: a share that is not mounted.
func brokenTarget(dir string) string {
	return `{"plugin": "backup-local", "config": {"dir": "` + filepath.Join(dir, "not-mounted") + `"}}`
}

// TestAppBacksUpBeforeMigrating: the server started on a database at an
// older schema takes a safety backup of it, then migrates it; started
// again, it takes none.
func TestAppBacksUpBeforeMigrating(t *testing.T) {
	eachDatabase(t, func(t *testing.T, dir, dbURL string) {
		latest := migrateTo(t, dbURL, oldSchema)
		cfg := loadConfig(t, "production", dir, "CREWPLAN_DATABASE__URL="+dbURL)
		ctx := context.Background()
		a, err := app.New(ctx, cfg, app.Options{Stderr: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		st, err := a.Store().MigrationStatus(ctx)
		if err != nil || st.Current != latest {
			t.Errorf("schema after start = %+v, %v; want %d", st, err, latest)
		}
		a.Close()
		ms := manifests(t, filepath.Join(dir, "backups"))
		if len(ms) != 1 || ms[0].Kind != backup.KindSafety || ms[0].SchemaVersion != oldSchema || ms[0].Rows["employees"] != 1 {
			t.Fatalf("backups on the target = %+v; want one safety backup at schema %d with the employee", ms, oldSchema)
		}
		if log := readLog(t, dir); !strings.Contains(log, "backup before migrating schema 2 → "+itoa(latest)) || !strings.Contains(log, ms[0].ID) {
			t.Errorf("log lacks the backup before migrating and its id %s:\n%s", ms[0].ID, log)
		}

		// At this crewplan's schema, a start takes no backup.
		a, err = app.New(ctx, cfg, app.Options{Stderr: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
		if ms := manifests(t, filepath.Join(dir, "backups")); len(ms) != 1 {
			t.Errorf("%d backups after a start at this schema; want the one", len(ms))
		}
	})
}

// TestAppMigratesWhenOneTargetGetsTheBackup: a target that misses the
// backup before migrating is logged; the others hold it, so the database
// is migrated.
func TestAppMigratesWhenOneTargetGetsTheBackup(t *testing.T) {
	dir := t.TempDir()
	dbURL := filepath.Join(dir, "crewplan.db")
	latest := migrateTo(t, dbURL, oldSchema)
	cfg := loadConfig(t, "production", dir, "CREWPLAN_BACKUP__TARGETS__USB="+brokenTarget(dir))
	a, err := app.New(context.Background(), cfg, app.Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	if got := schemaOf(t, dbURL); got != latest {
		t.Errorf("schema = %d; want %d", got, latest)
	}
	if ms := manifests(t, filepath.Join(dir, "backups")); len(ms) != 1 || ms[0].SchemaVersion != oldSchema {
		t.Errorf("backups on the good target = %+v", ms)
	}
	log := readLog(t, dir)
	if !strings.Contains(log, "not stored on every target") || !strings.Contains(log, "usb") {
		t.Errorf("log does not name the target that missed the backup:\n%s", log)
	}
}

// TestAppRefusesToMigrateWithoutBackup: when the backup before migrating
// reaches no target, the server does not start and the database stays at
// its schema.
func TestAppRefusesToMigrateWithoutBackup(t *testing.T) {
	eachDatabase(t, func(t *testing.T, dir, dbURL string) {
		latest := migrateTo(t, dbURL, oldSchema)
		cfg := loadConfig(t, "production", dir, "CREWPLAN_DATABASE__URL="+dbURL, "CREWPLAN_BACKUP__TARGETS__LOCAL="+brokenTarget(dir))
		a, err := app.New(context.Background(), cfg, app.Options{Stderr: io.Discard})
		if err == nil {
			a.Close()
			t.Fatal("started without a backup before migrating")
		}
		for _, want := range []string{"schema version 2", "needs " + itoa(latest), "backup before migrating failed", "unavailable", "backup.targets", "crewplan migrate --no-backup"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q: %v", want, err)
			}
		}
		if !errors.Is(err, backup.ErrNoTarget) {
			t.Errorf("error does not wrap backup.ErrNoTarget: %v", err)
		}
		if got := schemaOf(t, dbURL); got != oldSchema {
			t.Errorf("schema after the refused start = %d; want %d, untouched", got, oldSchema)
		}
		if _, err := os.Stat(filepath.Join(dir, "not-mounted")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the missing target folder: %v; want it still missing", err)
		}
	})
}

// TestAppNoBackupWhenNothingToUpgrade: a fresh database is migrated
// without a backup (it has nothing to lose), and one a newer crewplan
// migrated is refused as before, without one.
func TestAppNoBackupWhenNothingToUpgrade(t *testing.T) {
	ctx := context.Background()
	t.Run("fresh", func(t *testing.T) {
		dir := t.TempDir()
		a, err := app.New(ctx, loadConfig(t, "production", dir), app.Options{Stderr: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		st, _ := a.Store().MigrationStatus(ctx)
		a.Close()
		if !st.UpToDate() {
			t.Errorf("fresh database not migrated: %+v", st)
		}
		if ms := manifests(t, filepath.Join(dir, "backups")); len(ms) != 0 {
			t.Errorf("fresh database backed up: %+v", ms)
		}
	})
	t.Run("newer", func(t *testing.T) {
		dir := t.TempDir()
		dbURL := filepath.Join(dir, "crewplan.db")
		migrateTo(t, dbURL, oldSchema)
		s, err := store.Open(ctx, store.Options{URL: dbURL}, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = s.RawExec(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, true)")
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		a, err := app.New(ctx, loadConfig(t, "production", dir), app.Options{Stderr: io.Discard})
		if !errors.Is(err, store.ErrSchemaTooNew) {
			if a != nil {
				a.Close()
			}
			t.Fatalf("New on a newer schema = %v; want store.ErrSchemaTooNew", err)
		}
		if ms := manifests(t, filepath.Join(dir, "backups")); len(ms) != 0 {
			t.Errorf("newer database backed up: %+v", ms)
		}
	})
}

// TestBackupBeforeMigrateWithoutTargets: with no target configured there
// is no backup, and so no migration.
func TestBackupBeforeMigrateWithoutTargets(t *testing.T) {
	dir := t.TempDir()
	dbURL := filepath.Join(dir, "crewplan.db")
	migrateTo(t, dbURL, oldSchema)
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{URL: dbURL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	svc := &backup.Service{Store: s, DatabaseURL: dbURL, WorkDir: filepath.Join(dir, "work")}
	made, err := app.BackupBeforeMigrate(ctx, s, svc, slog.New(slog.DiscardHandler))
	if made != nil || !errors.Is(err, backup.ErrNoTarget) || !strings.Contains(err.Error(), "no target is configured") {
		t.Errorf("BackupBeforeMigrate without targets = %+v, %v; want backup.ErrNoTarget", made, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
