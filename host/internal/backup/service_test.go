package backup

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	backuplocal "github.com/crewplan/crewplan/plugins/backup-local"
)

// localTarget returns the local-directory plugin's target, in process, on
// a new folder, and the folder.
func localTarget(t *testing.T, name string, p Policy) (Target, string) {
	t.Helper()
	dir := t.TempDir()
	tg := backuplocal.New()
	if err := tg.Configure(ctx, []byte(`{"dir": "`+dir+`", "fsync": false}`)); err != nil {
		t.Fatal(err)
	}
	return Target{Name: name, Target: tg, Policy: p}, dir
}

// newService returns a service over s with two local targets.
func newService(t *testing.T, s *store.Store, dbURL string) (*Service, []string) {
	t.Helper()
	a, da := localTarget(t, "local", Policy{Days: 7})
	b, db := localTarget(t, "usb", Policy{Days: 7})
	return &Service{Store: s, DatabaseURL: dbURL, Targets: []Target{a, b}, WorkDir: t.TempDir(), AppVersion: "test", Host: "office",
		ConfigFiles: func() ([]File, error) { return []File{{Name: "crewplan.yaml", Data: []byte("backup: {}\n")}}, nil }}, []string{da, db}
}

// contents returns every row of every table of s but the run lock's, as
// sorted text: equal contents, equal data.
func contents(t *testing.T, s *store.Store) string {
	t.Helper()
	counts, err := s.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, table := range slices.Sorted(maps.Keys(counts)) {
		var rows []map[string]any
		if err := s.RawScan(ctx, &rows, "SELECT * FROM "+table); err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, r := range rows {
			lines = append(lines, fmt.Sprint(r)) // fmt sorts a map's keys
		}
		slices.Sort(lines)
		out = append(out, table+":\n"+strings.Join(lines, "\n"))
	}
	return strings.Join(out, "\n")
}

// TestRoundTrip: backup, change the data, restore: the data is the
// backup's again, row for row, the database it replaced is in a safety
// backup, and the listing shows both on both targets.
func TestRoundTrip(t *testing.T) {
	eachStore(t, func(t *testing.T, s *store.Store, dbURL string) {
		loadDemo(t, s)
		svc, _ := newService(t, s, dbURL)
		before, err := s.TableCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		data := contents(t, s)
		if n := strings.Count(data, "\n"); n < 1000 {
			t.Fatalf("the demo store reads as %d rows", n)
		}
		made, err := svc.Now(ctx, KindManual, nil)
		if err != nil {
			t.Fatal(err)
		}
		id := made.Manifest.ID
		if err := s.RawExec(ctx, "DELETE FROM attendance_records"); err != nil {
			t.Fatal(err)
		}
		if err := s.RawExec(ctx, "INSERT INTO company_holidays (date, name) VALUES ('2031-01-01', 'after the backup')"); err != nil {
			t.Fatal(err)
		}
		changed, _ := s.TableCounts(ctx)
		if changed["attendance_records"] != 0 || before["attendance_records"] == 0 {
			t.Fatalf("the change did not take: %d attendance records before", before["attendance_records"])
		}
		if _, err := svc.Restore(ctx, id, RestoreOptions{}); !errors.Is(err, ErrNotConfirmed) {
			t.Errorf("restore without confirmation: %v", err)
		}
		got, err := svc.Restore(ctx, id, RestoreOptions{Confirm: id})
		if err != nil {
			t.Fatal(err)
		}
		after, err := s.TableCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("after the restore:\n%v\nwant the backup's:\n%v", after, before)
		}
		if got := contents(t, s); got != data {
			t.Errorf("after the restore the data differs from the backup's (%d against %d bytes of rows)", len(got), len(data))
		}
		var names []string
		if err := s.RawScan(ctx, &names, "SELECT name FROM company_holidays WHERE name = 'after the backup'"); err != nil || len(names) != 0 {
			t.Errorf("a row added after the backup survived the restore: %v, %v", names, err)
		}
		if got.Safety == nil || got.Safety.Kind != KindSafety || got.From != "local" {
			t.Fatalf("restored %+v", got)
		}
		list, errs := svc.List(ctx)
		if len(errs) != 0 || len(list) != 2 {
			t.Fatalf("listed %d backups, errors %v", len(list), errs)
		}
		for _, b := range list {
			if !slices.Equal(b.Targets, []string{"local", "usb"}) {
				t.Errorf("%s is on %v", b.ID, b.Targets)
			}
		}
		if list[0].ID != got.Safety.ID || list[1].ID != id {
			t.Errorf("listed %s, %s; want the safety backup, then %s", list[0].ID, list[1].ID, id)
		}
		if list[0].Rows["company_holidays"] != changed["company_holidays"] {
			t.Errorf("the safety backup does not hold the database as it was before the restore")
		}
	})
}

// TestRestoreRefuses: an unknown backup, a corrupted one (on every
// target), and one from a newer schema are refused, and the database is
// left as it was.
func TestRestoreRefuses(t *testing.T) {
	s := storetest.SQLite(t)
	loadDemo(t, s)
	svc, dirs := newService(t, s, "")
	made, err := svc.Now(ctx, KindManual, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := made.Manifest.ID
	before, _ := s.TableCounts(ctx)

	if _, err := svc.Restore(ctx, "20200101T000000Z-nowhere-0000", RestoreOptions{Confirm: "20200101T000000Z-nowhere-0000"}); !errors.Is(err, ErrNoBackup) {
		t.Errorf("unknown backup: %v", err)
	}
	for _, d := range dirs {
		path := filepath.Join(d, id, "db.sqlite.zst")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0x40
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Verify(ctx, id, nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("verify of a corrupted backup: %v", err)
	}
	if _, err := svc.Restore(ctx, id, RestoreOptions{Confirm: id}); err == nil || !errors.Is(err, ErrCorrupt) {
		t.Errorf("restore of a corrupted backup: %v", err)
	}

	// A backup made by a newer crewplan (its schema version is past this
	// build's).
	if err := s.RawExec(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)"); err != nil {
		t.Fatal(err)
	}
	newer, err := svc.Now(ctx, KindManual, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RawExec(ctx, "DELETE FROM goose_db_version WHERE version_id = 9999"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Restore(ctx, newer.Manifest.ID, RestoreOptions{Confirm: newer.Manifest.ID}); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("restore of a newer schema's backup: %v", err)
	}
	if after, _ := s.TableCounts(ctx); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a refused restore changed the database")
	}
}

// TestTargetDown: a target whose folder is gone does not get the backup,
// and says why; the other one does.
func TestTargetDown(t *testing.T) {
	s := storetest.SQLite(t)
	loadDemo(t, s)
	svc, dirs := newService(t, s, "")
	if err := os.RemoveAll(dirs[1]); err != nil {
		t.Fatal(err)
	}
	made, err := svc.Now(ctx, KindManual, nil)
	if err == nil || made == nil {
		t.Fatalf("a backup with a target down: %v, %+v", err, made)
	}
	if made.Uploads[0].Err != nil || made.Uploads[1].Target != "usb" || made.Uploads[1].Err == nil {
		t.Errorf("uploads %+v", made.Uploads)
	}
	list, errs := svc.List(ctx)
	if len(list) != 1 || !slices.Equal(list[0].Targets, []string{"local"}) || len(errs) != 1 || errs[0].Target != "usb" {
		t.Errorf("listed %+v, errors %+v", list, errs)
	}
}

// TestPrune: each target keeps what its retention says; an unfinished
// backup (no manifest) younger than a day stays, an older one goes, and a
// safety backup always stays.
func TestPrune(t *testing.T) {
	s := storetest.SQLite(t)
	svc, dirs := newService(t, s, "")
	svc.Targets[0].Policy = Policy{KeepLast: 1}
	var ids []string
	for range 3 {
		made, err := svc.Now(ctx, KindManual, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, made.Manifest.ID)
		time.Sleep(1100 * time.Millisecond) // ids are by the second
	}
	safety, err := svc.Now(ctx, KindSafety, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A backup killed before its manifest, on the first target.
	if err := os.Remove(filepath.Join(dirs[0], ids[0], ManifestName)); err != nil {
		t.Fatal(err)
	}
	dry := svc.Prune(ctx, time.Now(), true)
	if len(dry[0].Removed) != 1 || dry[0].Removed[0] != ids[1] {
		t.Errorf("dry run on local removes %v, want %s", dry[0].Removed, ids[1])
	}
	if _, err := os.Stat(filepath.Join(dirs[0], ids[1])); err != nil {
		t.Errorf("a dry run removed something: %v", err)
	}
	// A day and a half later the unfinished one goes too; the safety
	// backup stays.
	got := svc.Prune(ctx, time.Now().Add(36*time.Hour), false)
	if slices.Sort(got[0].Removed); got[0].Err != nil || !slices.Equal(got[0].Removed, []string{ids[0], ids[1]}) {
		t.Errorf("local: removed %v (%v)", got[0].Removed, got[0].Err)
	}
	for _, id := range []string{ids[0], ids[1]} {
		if _, err := os.Stat(filepath.Join(dirs[0], id)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still on local: %v", id, err)
		}
	}
	// usb keeps 7 days: everything.
	if len(got[1].Removed) != 0 {
		t.Errorf("usb removed %v", got[1].Removed)
	}
	list, _ := svc.List(ctx)
	if len(list) != 4 || list[0].ID != safety.Manifest.ID {
		t.Errorf("listed %d backups", len(list))
	}
}
