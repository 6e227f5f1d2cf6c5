//go:build unix

package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/store"
	backuplocal "github.com/crewplan/crewplan/plugins/backup-local"
)

// The fault tests kill a process with SIGKILL at chosen points of a
// backup and of a restore, then look at what it left with fresh objects:
// no partial backup may be listed as valid, and the database must be the
// old one or the new one, never a mix. Each kill point runs in a child:
// this test binary run again with -test.run=^TestFaultChild$ and faultEnv
// holding its faultJob.

// faultEnv names the variable that makes TestFaultChild a child; it holds
// the faultJob as JSON.
const faultEnv = "CREWPLAN_TEST_FAULT_CHILD"

// faultJob is what a child does, and where it kills itself.
type faultJob struct {
	DB      string   `json:"db"`      // the SQLite file
	Targets []string `json:"targets"` // folders of local targets, named faultTargetNames
	Work    string   `json:"work"`    // the service's work folder
	Op      string   `json:"op"`      // "backup" or "restore"
	At      string   `json:"at"`      // the kill point
	ID      string   `json:"id"`      // the backup to restore
	Mark    string   `json:"mark"`    // the file the child writes its faultMark to before the kill
}

// faultMark is where the child was when it killed itself.
type faultMark struct {
	At       string   `json:"at"`
	Progress Progress `json:"progress"`
	// DB and Config are the sizes of the backup's files, from the
	// manifest in the work folder (upload kill points only).
	DB     int64 `json:"db"`
	Config int64 `json:"config"`
}

var faultTargetNames = []string{"local", "usb"}

// TestFaultChild is a child of the fault tests: without faultEnv it
// returns at once.
func TestFaultChild(t *testing.T) {
	raw := os.Getenv(faultEnv)
	if raw == "" {
		return
	}
	var job faultJob
	if err := json.Unmarshal([]byte(raw), &job); err != nil {
		t.Fatal(err)
	}
	s := openFaultStore(t, job.DB)
	svc := faultService(t, s, job.Work, job.Targets)
	switch job.Op {
	case "backup":
		_, err := svc.Now(ctx, KindManual, backupKiller(job))
		t.Fatalf("the backup ended (%v) without reaching kill point %s", err, job.At)
	case "restore":
		svc.Hook = func(step string) {
			if step == job.At {
				killSelf(job, faultMark{At: step})
			}
		}
		_, err := svc.Restore(ctx, job.ID, RestoreOptions{Confirm: job.ID})
		t.Fatalf("the restore ended (%v) without reaching kill point %s", err, job.At)
	default:
		t.Fatalf("unknown operation %q", job.Op)
	}
}

// backupKiller returns a backup's progress callback that kills the
// process at job.At:
//
//   - snapshot: the database's copy is written, nothing is compressed;
//   - compress: half of the copy is compressed;
//   - compressed: the whole copy is read into the compressor (its last
//     report); the configuration archive, the verification and the
//     manifest are still to come (a SQLite backup reports no verify step:
//     verifyBuilt gets no progress);
//   - upload-db: half of the database file is sent to the target;
//   - upload-manifest: every file is stored and the manifest is being
//     sent: the first report past the files' bytes comes from reading
//     the manifest, which upload sends only once the files' Puts returned.
func backupKiller(job faultJob) func(Progress) {
	var built *Manifest
	return func(p Progress) {
		m := faultMark{At: job.At, Progress: p}
		switch job.At {
		case "snapshot":
			if p.Step == StepSnapshot && p.Done > 0 {
				killSelf(job, m)
			}
		case "compress":
			if p.Step == StepCompress && p.Done >= p.Total/2 {
				killSelf(job, m)
			}
		case "compressed":
			if p.Step == StepCompress && p.Done == p.Total {
				killSelf(job, m)
			}
		case "upload-db", "upload-manifest":
			if p.Step != StepUpload {
				return
			}
			if built == nil {
				built = builtManifest(job.Work)
			}
			db, _ := built.File(RoleDatabase)
			cfg, _ := built.File(RoleConfig)
			m.DB, m.Config = db.Size, cfg.Size
			if job.At == "upload-db" && p.Done >= db.Size/2 || job.At == "upload-manifest" && p.Done > db.Size+cfg.Size {
				killSelf(job, m)
			}
		default:
			childFail("unknown backup kill point %q", job.At)
		}
	}
}

// builtManifest reads the manifest Build left in the backup's work folder
// under work.
func builtManifest(work string) *Manifest {
	paths, err := filepath.Glob(filepath.Join(work, "crewplan-backup-*", ManifestName))
	if err != nil || len(paths) != 1 {
		childFail("the backup's manifest in %s: %v, %v", work, paths, err)
	}
	f, err := os.Open(paths[0])
	if err != nil {
		childFail("%v", err)
	}
	defer f.Close()
	m, err := ParseManifest(f)
	if err != nil {
		childFail("%v", err)
	}
	return m
}

// killSelf writes m to job.Mark and sends the process SIGKILL.
func killSelf(job faultJob, m faultMark) {
	b, err := json.Marshal(m)
	if err == nil {
		err = os.WriteFile(job.Mark, b, 0o600)
	}
	if err != nil {
		childFail("write the mark: %v", err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGKILL); err != nil {
		childFail("kill: %v", err)
	}
	time.Sleep(10 * time.Second)
	childFail("still alive 10s after SIGKILL")
}

// childFail ends a child that cannot go on, from any goroutine (t.Fatal
// may only be called from the test's own).
func childFail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "fault child: "+format+"\n", args...)
	os.Exit(2)
}

// runFaultChild runs job in a child, checks that SIGKILL ended it, and
// returns the mark it wrote.
func runFaultChild(t *testing.T, job faultJob) faultMark {
	t.Helper()
	job.Mark = filepath.Join(t.TempDir(), "mark.json")
	raw, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestFaultChild$", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), faultEnv+"="+string(raw))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("child for %s %s: %v\n%s", job.Op, job.At, err, out)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child for %s %s was not killed: %v\n%s", job.Op, job.At, err, out)
	}
	b, err := os.ReadFile(job.Mark)
	if err != nil {
		t.Fatalf("the child left no mark: %v\n%s", err, out)
	}
	var m faultMark
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.At != job.At {
		t.Fatalf("the child was killed at %s, want %s", m.At, job.At)
	}
	t.Logf("killed at %+v", m)
	return m
}

// openFaultStore opens and migrates the SQLite store at path.
func openFaultStore(t testing.TB, path string) *store.Store {
	t.Helper()
	s, err := store.Open(ctx, store.Options{URL: path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// faultService returns a service over s with a local target (flushing
// to the disk, as in production) on each of dirs.
func faultService(t testing.TB, s *store.Store, work string, dirs []string) *Service {
	t.Helper()
	var targets []Target
	for i, d := range dirs {
		raw, err := json.Marshal(map[string]any{"dir": d, "fsync": true})
		if err != nil {
			t.Fatal(err)
		}
		tg := backuplocal.New()
		if err := tg.Configure(ctx, raw); err != nil {
			t.Fatal(err)
		}
		targets = append(targets, Target{Name: faultTargetNames[i], Target: tg, Policy: Policy{Days: 7}})
	}
	return &Service{Store: s, Targets: targets, WorkDir: work, AppVersion: "test", Host: "office",
		ConfigFiles: func() ([]File, error) { return []File{{Name: "crewplan.yaml", Data: []byte("backup: {}\n")}}, nil }}
}

// copyTemplate copies the folder tmpl into a new folder and returns it. A
// database in it may be open, but idle: its file and write-ahead log are
// copied, not the log's index (-shm), which SQLite rebuilds from the log.
func copyTemplate(t *testing.T, tmpl string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(dir, os.DirFS(tmpl)); err != nil {
		t.Fatal(err)
	}
	shm, err := filepath.Glob(filepath.Join(dir, "*", "*-shm"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range shm {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fingerprint hashes the whole content of a SQLite database: its schema,
// and every table's rows (with their rowids) in rowid order.
func fingerprint(t testing.TB, s *store.Store) string {
	t.Helper()
	h := sha256.New()
	hashRows := func(name, query string) {
		var rows []map[string]any
		if err := s.RawScan(ctx, &rows, query); err != nil {
			t.Fatalf("fingerprint %s: %v", name, err)
		}
		fmt.Fprintf(h, "table %s: %d rows\n", name, len(rows))
		for _, r := range rows {
			for _, k := range slices.Sorted(maps.Keys(r)) {
				fmt.Fprintf(h, "%q=%T:%v;", k, r[k], r[k])
			}
			fmt.Fprintln(h)
		}
	}
	hashRows("sqlite_schema", "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")
	var tables []string
	if err := s.RawScan(ctx, &tables, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		q := `"` + strings.ReplaceAll(tb, `"`, `""`) + `"`
		hashRows(tb, "SELECT rowid AS fingerprint_rowid, * FROM "+q+" ORDER BY rowid")
	}
	return hex.EncodeToString(h.Sum(nil))
}

// listedIDs returns the ids of a listing's backups and of its skipped ones.
func listedIDs(l *Listing) (backups, skipped []string) {
	for _, m := range l.Backups {
		backups = append(backups, m.ID)
	}
	for _, s := range l.Skipped {
		skipped = append(skipped, s.ID)
	}
	return backups, skipped
}

// entries returns the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestFaultBackup kills a backup at several points and checks that no
// partial backup is ever listed, that the good backup made before still
// lists and verifies, that the next backup succeeds, and that prune
// removes what the killed one left on the target.
func TestFaultBackup(t *testing.T) {
	t.Parallel() // the kill points run in children: they overlap well
	// The template: the demo data and audit entries of random text, so
	// that the database file takes many reads (of 32 KiB) to upload, and
	// one good backup.
	tmpl := t.TempDir()
	s := openFaultStore(t, filepath.Join(tmpl, "db", "crewplan.db"))
	loadDemo(t, s)
	err := s.RawExec(ctx, `INSERT INTO audit_log (at, actor, action, entity, entity_id, details)
		WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 4000)
		SELECT datetime('2026-01-01', '+' || i || ' minutes'), 'user' || (i % 40), 'event.update', 'event', i,
			'{"note":"' || hex(randomblob(96)) || '"}'
		FROM c`)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(tmpl, "target"), 0o750); err != nil {
		t.Fatal(err)
	}
	made, err := faultService(t, s, t.TempDir(), []string{filepath.Join(tmpl, "target")}).Now(ctx, KindManual, nil)
	if err != nil {
		t.Fatal(err)
	}
	good := made.Manifest.ID
	if db, _ := made.Manifest.File(RoleDatabase); db.Size < 8*32<<10 {
		t.Fatalf("the database file is %d bytes compressed: too small to be uploaded in several reads", db.Size)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		at   string
		step Step
		// sent is how far the killed backup got on the target: "" for
		// nothing, "db" for part of the database file, "files" for every
		// file but the manifest.
		sent string
	}{
		{"snapshot", StepSnapshot, ""},
		{"compress", StepCompress, ""},
		{"compressed", StepCompress, ""},
		{"upload-db", StepUpload, "db"},
		{"upload-manifest", StepUpload, "files"},
	} {
		t.Run(tt.at, func(t *testing.T) {
			t.Parallel()
			dir := copyTemplate(t, tmpl)
			db, target, work := filepath.Join(dir, "db", "crewplan.db"), filepath.Join(dir, "target"), filepath.Join(dir, "work")
			m := runFaultChild(t, faultJob{DB: db, Targets: []string{target}, Work: work, Op: "backup", At: tt.at})

			// Where the kill landed.
			p := m.Progress
			switch {
			case p.Step != tt.step:
				t.Fatalf("killed at %+v, want during %s", p, tt.step)
			case tt.at == "compress" && (p.Done <= 0 || p.Done >= p.Total):
				t.Fatalf("killed at %+v, want part way through compressing", p)
			case tt.at == "compressed" && (p.Done <= 0 || p.Done != p.Total):
				t.Fatalf("killed at %+v, want at the end of compressing", p)
			case tt.sent == "db" && (p.Done <= 0 || p.Done >= m.DB):
				t.Fatalf("killed at %+v, want part way through the database file's %d bytes", p, m.DB)
			case tt.sent == "files" && (p.Done <= m.DB+m.Config || p.Done > p.Total):
				t.Fatalf("killed at %+v, want past the files' %d bytes, in the manifest's", p, m.DB+m.Config)
			}
			var killed string // the killed backup's id, once it reached the target
			for _, e := range entries(t, target) {
				if e != good {
					if killed != "" {
						t.Fatalf("the target holds %v", entries(t, target))
					}
					killed = e
				}
			}
			switch tt.sent {
			case "":
				if killed != "" {
					t.Fatalf("killed before the upload, the target holds %s", killed)
				}
				builds, _ := filepath.Glob(filepath.Join(work, "crewplan-backup-*"))
				if len(builds) != 1 {
					t.Fatalf("work folders %v, want the killed backup's", builds)
				}
				if _, err := os.Stat(filepath.Join(builds[0], ManifestName)); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("killed before the manifest was written, it is there: %v", err)
				}
			case "db":
				got := entries(t, filepath.Join(target, killed))
				if len(got) != 1 || !strings.HasPrefix(got[0], ".tmp-") || !strings.HasSuffix(got[0], "db.sqlite.zst") {
					t.Fatalf("the killed backup's folder holds %v, want the database file's temporary only", got)
				}
			case "files":
				for f, size := range map[string]int64{"db.sqlite.zst": m.DB, "config.tar.zst": m.Config} {
					if fi, err := os.Stat(filepath.Join(target, killed, f)); err != nil || fi.Size() != size {
						t.Fatalf("the killed backup's %s: %v, want it stored whole (%d bytes)", f, err, size)
					}
				}
				// The manifest's Put made its temporary before it read
				// the manifest.
				got := entries(t, filepath.Join(target, killed))
				if len(got) != 3 || !strings.HasPrefix(got[0], ".tmp-") || !strings.HasSuffix(got[0], ManifestName) {
					t.Fatalf("the killed backup's folder holds %v, want the files and the manifest's temporary", got)
				}
			}

			// What a new process sees.
			s := openFaultStore(t, db)
			svc := faultService(t, s, work, []string{target})
			l, err := List(ctx, svc.Targets[0].Target)
			if err != nil {
				t.Fatal(err)
			}
			backups, skipped := listedIDs(l)
			var wantSkipped []string
			if tt.sent == "files" {
				wantSkipped = []string{killed}
			}
			if !slices.Equal(backups, []string{good}) || !slices.Equal(skipped, wantSkipped) {
				t.Errorf("the target lists %v, skipping %v; want %s, skipping %v", backups, skipped, good, wantSkipped)
			}
			if list, errs := svc.List(ctx); len(list) != 1 || list[0].ID != good || len(errs) != 0 {
				t.Errorf("the service lists %+v, errors %v; want %s only", list, errs, good)
			}
			if _, err := svc.Verify(ctx, good, nil); err != nil {
				t.Errorf("verify the good backup: %v", err)
			}
			next, err := svc.Now(ctx, KindManual, nil)
			if err != nil {
				t.Fatalf("the backup after the kill: %v", err)
			}

			// A day and a half later, prune removes what the kill left.
			pruned := svc.Prune(ctx, time.Now().Add(36*time.Hour), false)
			var wantRemoved []string
			if tt.sent == "files" {
				wantRemoved = []string{killed}
			}
			if pruned[0].Err != nil || !slices.Equal(pruned[0].Removed, wantRemoved) {
				t.Errorf("prune removed %v (%v), want %v", pruned[0].Removed, pruned[0].Err, wantRemoved)
			}
			l, err = List(ctx, svc.Targets[0].Target)
			if err != nil {
				t.Fatal(err)
			}
			// (Ids are by the second: the two may sort either way.)
			want := []string{good, next.Manifest.ID}
			slices.Sort(want)
			if backups, skipped := listedIDs(l); !slices.Equal(backups, want) || len(skipped) != 0 {
				t.Errorf("after prune the target lists %v, skipping %v; want %v", backups, skipped, want)
			}
			if killed == "" {
				return
			}
			// Left on the disk are temporaries only, which the target
			// removes when it is configured once they are an hour old.
			kdir := filepath.Join(target, killed)
			old := time.Now().Add(-2 * time.Hour)
			for _, e := range entries(t, kdir) {
				if !strings.HasPrefix(e, ".tmp-") {
					t.Errorf("prune left %s of the killed backup", e)
				}
				if err := os.Chtimes(filepath.Join(kdir, e), old, old); err != nil {
					t.Fatal(err)
				}
			}
			raw, err := json.Marshal(map[string]any{"dir": target})
			if err != nil {
				t.Fatal(err)
			}
			if err := backuplocal.New().Configure(ctx, raw); err != nil {
				t.Fatal(err)
			}
			if left, err := os.ReadDir(kdir); len(left) != 0 || err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after the target's start the killed backup's folder holds %v (%v)", left, err)
			}
		})
	}
}

// TestFaultRestore kills a restore at each of its steps and checks that
// the database, once the leftovers are removed as the app does at start,
// is whole and exactly the one before the restore (killed before the
// swap) or the backup's (after it).
func TestFaultRestore(t *testing.T) {
	t.Parallel() // the kill points run in children: they overlap well
	// The template: the database in state A, a backup of it on two
	// targets, then the database changed to state B. The template store
	// stays open with the changes in its write-ahead log, as a live
	// database has them: the restore must not let that log apply to the
	// restored file.
	tmpl := t.TempDir()
	targets := []string{filepath.Join(tmpl, "local"), filepath.Join(tmpl, "usb")}
	for _, d := range targets {
		if err := os.Mkdir(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	s := openFaultStore(t, filepath.Join(tmpl, "db", "crewplan.db"))
	loadDemo(t, s)
	fpA := fingerprint(t, s)
	rowsA, err := s.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	made, err := faultService(t, s, t.TempDir(), targets).Now(ctx, KindManual, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := made.Manifest.ID
	for _, q := range []string{
		"PRAGMA wal_autocheckpoint = 0", // the writer is one connection: it keeps the setting
		"DELETE FROM attendance_records WHERE rowid % 3 = 0",
		"UPDATE employees SET name = name || ' (changed)' WHERE rowid % 2 = 0",
		"INSERT INTO company_holidays (date, name) VALUES ('2031-01-01', 'after the backup')",
	} {
		if err := s.RawExec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	fpB := fingerprint(t, s)
	rowsB, err := s.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fpA == fpB || rowsA["attendance_records"] == rowsB["attendance_records"] || rowsA["company_holidays"] == rowsB["company_holidays"] {
		t.Fatalf("state B is not different enough from A: %v and %v", rowsA, rowsB)
	}
	if fi, err := os.Stat(s.Path() + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("state B's changes are not in the write-ahead log: %v", err)
	}

	// Without a kill the restored database is exactly A: the fingerprint
	// survives the backup's round trip.
	t.Run("no kill", func(t *testing.T) {
		t.Parallel()
		dir := copyTemplate(t, tmpl)
		s := openFaultStore(t, filepath.Join(dir, "db", "crewplan.db"))
		svc := faultService(t, s, filepath.Join(dir, "work"), []string{filepath.Join(dir, "local"), filepath.Join(dir, "usb")})
		if _, err := svc.Restore(ctx, id, RestoreOptions{Confirm: id}); err != nil {
			t.Fatal(err)
		}
		if fingerprint(t, s) != fpA {
			t.Fatal("the restored database is not exactly state A")
		}
	})

	for _, tt := range []struct {
		at string
		// restoring says the unpacked file is next to the database, wal
		// that the database may have a write-ahead log, safety that the
		// safety backup is stored.
		restoring, wal, safety bool
		want                   string // "A" (the backup's) or "B" (the one before)
	}{
		{RestoreFetched, false, true, false, "B"},
		{RestoreSafety, false, true, true, "B"},
		{RestoreUnpacked, true, true, true, "B"},
		{string(store.ReplaceClosed), true, false, true, "B"},
		{string(store.ReplaceRenamed), false, false, true, "A"},
		{RestoreSwapped, false, true, true, "A"},
	} {
		t.Run(tt.at, func(t *testing.T) {
			t.Parallel()
			dir := copyTemplate(t, tmpl)
			db := filepath.Join(dir, "db", "crewplan.db")
			tgs := []string{filepath.Join(dir, "local"), filepath.Join(dir, "usb")}
			runFaultChild(t, faultJob{DB: db, Targets: tgs, Work: filepath.Join(dir, "work"), Op: "restore", At: tt.at, ID: id})

			// Where the kill landed.
			if _, err := os.Stat(db + store.RestoreSuffix); (err == nil) != tt.restoring {
				t.Errorf("%s%s: %v, want it there: %v", db, store.RestoreSuffix, err, tt.restoring)
			}
			if !tt.wal {
				for _, f := range []string{db + "-wal", db + "-shm"} {
					if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
						t.Errorf("%s is there (%v): the old write-ahead log could apply to the new file", f, err)
					}
				}
			}

			// As the app starts: the leftovers go, then the database opens.
			if err := store.CleanRestoreLeftovers(db); err != nil {
				t.Fatal(err)
			}
			s, err := store.Open(ctx, store.Options{URL: db}, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			var check []string
			if err := s.RawScan(ctx, &check, "PRAGMA integrity_check"); err != nil || !slices.Equal(check, []string{"ok"}) {
				t.Errorf("integrity check: %v, %v", check, err)
			}
			got := "neither state A nor state B: a mix"
			switch fingerprint(t, s) {
			case fpA:
				got = "A"
			case fpB:
				got = "B"
			}
			if got != tt.want {
				t.Errorf("the database is %s, want state %s", got, tt.want)
			}
			if _, err := s.Migrate(ctx); err != nil {
				t.Errorf("migrate: %v", err)
			}
			if err := s.RawExec(ctx, "INSERT INTO company_holidays (date, name) VALUES ('2032-01-01', 'after the kill')"); err != nil {
				t.Errorf("write: %v", err)
			}

			// The backup still lists on both targets, and from the safety
			// step on, a safety backup of B does too.
			svc := faultService(t, s, filepath.Join(dir, "work"), tgs)
			list, errs := svc.List(ctx)
			if len(errs) != 0 {
				t.Fatal(errs)
			}
			var listed []string
			for _, b := range list {
				if !slices.Equal(b.Targets, faultTargetNames) {
					t.Errorf("%s is on %v", b.ID, b.Targets)
				}
				switch {
				case b.ID == id:
					listed = append(listed, "backup")
				case b.Kind == KindSafety && fmt.Sprint(b.Rows) == fmt.Sprint(rowsB):
					listed = append(listed, "safety of B")
				default:
					listed = append(listed, fmt.Sprintf("%s (%s) %v", b.ID, b.Kind, b.Rows))
				}
			}
			want := []string{"backup"}
			if tt.safety {
				want = []string{"safety of B", "backup"}
			}
			if !slices.Equal(listed, want) {
				t.Errorf("listed %v, want %v", listed, want)
			}
		})
	}
}
