package backup

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/crewplan/crewplan/host/internal/demo"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	sdkbackup "github.com/crewplan/crewplan/sdk/backup"
)

var ctx = context.Background()

// eachStore runs f against a migrated SQLite store and, when
// CREWPLAN_TEST_POSTGRES_URL is set, a PostgreSQL one; dbURL is what
// pg_dump connects with ("" for SQLite).
func eachStore(t *testing.T, f func(t *testing.T, s *store.Store, dbURL string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, storetest.SQLite(t), "") })
	t.Run("postgres", func(t *testing.T) {
		s, u := postgresStore(t)
		f(t, s, u)
	})
}

func postgresStore(t testing.TB) (*store.Store, string) {
	t.Helper()
	u := storetest.PostgresURL(t)
	if u == "" {
		t.Skip(storetest.PostgresEnv + " is not set; CI sets it")
	}
	s, err := store.Open(ctx, store.Options{URL: u}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s, u
}

func loadDemo(t testing.TB, s *store.Store) {
	t.Helper()
	if _, err := demo.Load(ctx, s, time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
}

// build takes a backup of s into a new folder and returns both.
func build(t testing.TB, s *store.Store, opts Options) (string, *Manifest) {
	t.Helper()
	dir := t.TempDir()
	m, err := Build(ctx, s, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

func TestCreate(t *testing.T) {
	eachStore(t, func(t *testing.T, s *store.Store, dbURL string) {
		loadDemo(t, s)
		// A disk cannot be filled in a test: the full target is in memory
		// and refuses every Put as a full one would.
		good, full := dirTarget(t), newMemTarget()
		full.putErr = sdkbackup.ErrFull
		var last Progress
		var calls atomic.Int64
		cfg := []File{{Name: "production.yaml", Data: []byte("listen: :8000\ndatabase:\n  url: redacted\n")}}
		res, err := Create(ctx, s, Options{
			Kind: KindScheduled, AppVersion: "1.2.3", Host: "office.example.com", DatabaseURL: dbURL,
			Config: cfg, TempDir: t.TempDir(),
			Targets:  map[string]sdkbackup.Target{"local": good, "usb": full},
			Progress: func(p Progress) { calls.Add(1); last = p },
		})
		if err != nil {
			t.Fatal(err)
		}
		m := res.Manifest
		if len(res.Uploads) != 2 || res.Uploads[0].Target != "local" || res.Uploads[0].Err != nil ||
			res.Uploads[1].Target != "usb" || !errors.Is(res.Uploads[1].Err, sdkbackup.ErrFull) {
			t.Fatalf("uploads = %+v, want local ok and usb full", res.Uploads)
		}
		if !errors.Is(res.Err(), sdkbackup.ErrFull) || !strings.Contains(res.Err().Error(), "target usb") {
			t.Errorf("Result.Err() = %v, want target usb's ErrFull", res.Err())
		}
		if got := names(t, full); got != nil {
			t.Errorf("the full target holds %v, want nothing", got)
		}
		db := "db.sqlite.zst"
		if s.Dialect() == store.DialectPostgres {
			db = "db.pgdump.zst"
		}
		want := []string{m.ID + "/config.tar.zst", m.ID + "/" + db, m.ID + "/manifest.json"}
		if got := names(t, good); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("target holds %v, want %v", got, want)
		}
		if last.Step != StepUpload || last.Done != last.Total || calls.Load() < 5 {
			t.Errorf("last progress %+v after %d calls, want the upload finished", last, calls.Load())
		}
		if !strings.Contains(m.ID, "-office-") || m.Kind != KindScheduled || m.Dialect != s.Dialect() ||
			m.SchemaVersion < 5 || m.Verified.IsZero() || m.Rows["employees"] != demo.Employees || m.Rows["goose_db_version"] == 0 {
			t.Errorf("manifest = %+v", m)
		}

		l, err := List(ctx, good)
		if err != nil || len(l.Backups) != 1 || l.Backups[0].ID != m.ID || len(l.Skipped) != 0 {
			t.Fatalf("List = %+v, %v; want the one backup", l, err)
		}
		dir := t.TempDir()
		got, err := Fetch(ctx, good, m.ID, dir, VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != m.ID || got.Rows["events"] != m.Rows["events"] {
			t.Errorf("fetched manifest %+v, want %+v", got, m)
		}
		f, _ := got.File(RoleConfig)
		in, err := os.Open(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		a, err := ReadConfigArchive(in)
		if err != nil {
			t.Fatal(err)
		}
		if a.Meta.ID != m.ID || a.Meta.AppVersion != "1.2.3" || a.Meta.SchemaVersion != m.SchemaVersion ||
			len(a.Files) != 1 || a.Files[0].Name != "production.yaml" || !bytes.Equal(a.Files[0].Data, cfg[0].Data) {
			t.Errorf("config archive = %+v", a)
		}
	})
}

func TestCreateEveryTargetFails(t *testing.T) {
	s := storetest.SQLite(t)
	unmounted, dir := localTarget(t, "s3", Policy{})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	down := unmounted.Target
	tmp := t.TempDir()
	res, err := Create(ctx, s, Options{TempDir: tmp, Targets: map[string]sdkbackup.Target{"s3": down}})
	if !errors.Is(err, ErrNoTarget) || !errors.Is(err, sdkbackup.ErrUnavailable) || res == nil {
		t.Fatalf("Create = %v, want ErrNoTarget wrapping ErrUnavailable", err)
	}
	if _, err := Create(ctx, s, Options{TempDir: tmp}); !errors.Is(err, ErrNoTarget) {
		t.Errorf("Create without targets = %v, want ErrNoTarget", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("work folders left behind: %v", left)
	}
}

// TestSnapshotWhileWriting takes backups while writers keep inserting one
// row into each of two tables per transaction: every snapshot must hold as
// many rows in one as in the other, and writes must go on meanwhile.
func TestSnapshotWhileWriting(t *testing.T) {
	eachStore(t, func(t *testing.T, s *store.Store, dbURL string) {
		idCol := "id INTEGER PRIMARY KEY"
		if s.Dialect() == store.DialectPostgres {
			idCol = "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
		}
		for _, tbl := range []string{"bk_a", "bk_b"} {
			if err := s.RawExec(ctx, "CREATE TABLE "+tbl+" ("+idCol+", v TEXT NOT NULL)"); err != nil {
				t.Fatal(err)
			}
		}
		wctx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		var writes atomic.Int64
		errs := make(chan error, 4)
		for w := range 4 {
			wg.Go(func() {
				for wctx.Err() == nil {
					err := s.InTx(wctx, func(tx *store.Store) error {
						if err := tx.RawExec(wctx, "INSERT INTO bk_a (v) VALUES (?)", strings.Repeat("a", w+1)); err != nil {
							return err
						}
						return tx.RawExec(wctx, "INSERT INTO bk_b (v) VALUES (?)", strings.Repeat("b", w+1))
					})
					if err != nil && wctx.Err() == nil {
						errs <- err
						return
					}
					writes.Add(1)
				}
			})
		}
		for writes.Load() < 50 {
			time.Sleep(time.Millisecond)
		}
		var prev int64
		for i := range 3 {
			_, m := build(t, s, Options{DatabaseURL: dbURL})
			a, b := m.Rows["bk_a"], m.Rows["bk_b"]
			if a != b || a == 0 {
				t.Errorf("snapshot %d: bk_a %d rows, bk_b %d: want equal and not 0", i, a, b)
			}
			if a <= prev {
				t.Errorf("snapshot %d: %d rows, the one before %d: the writes stopped", i, a, prev)
			}
			prev = a
		}
		stop()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("writer: %v", err)
		}
		t.Logf("%d write transactions during 3 snapshots", writes.Load())
	})
}

func TestVerifyCorrupt(t *testing.T) {
	s := storetest.SQLite(t)
	base, m0 := build(t, s, Options{Config: []File{{Name: "a.yaml", Data: []byte("a: 1\n")}}})
	db, _ := m0.File(RoleDatabase)
	tests := []struct {
		name   string
		break_ func(t *testing.T, dir string, m *Manifest)
		want   []string // in the error, besides the id
	}{
		{"flipped byte", func(t *testing.T, dir string, m *Manifest) {
			flip(t, filepath.Join(dir, db.Name), db.Size/2)
		}, []string{"file " + db.Name, "sha256"}},
		{"flipped byte, manifest sha matching", func(t *testing.T, dir string, m *Manifest) {
			flip(t, filepath.Join(dir, db.Name), db.Size/2)
			m.Files[0].SHA256 = sha(t, filepath.Join(dir, db.Name))
		}, []string{"file " + db.Name, "decompress"}},
		{"truncated", func(t *testing.T, dir string, m *Manifest) {
			if err := os.Truncate(filepath.Join(dir, db.Name), db.Size-100); err != nil {
				t.Fatal(err)
			}
		}, []string{"file " + db.Name, "bytes, the manifest says"}},
		{"wrong manifest sha", func(t *testing.T, dir string, m *Manifest) {
			m.Files[1].SHA256 = strings.Repeat("0", 64)
		}, []string{"file config.tar.zst", "the manifest says " + strings.Repeat("0", 64)}},
		{"missing file", func(t *testing.T, dir string, m *Manifest) {
			os.Remove(filepath.Join(dir, "config.tar.zst"))
		}, []string{"file config.tar.zst", "no such file"}},
		{"row count", func(t *testing.T, dir string, m *Manifest) {
			m.Rows["employees"] = 7
		}, []string{"file " + db.Name, "table employees has 0 rows, the manifest says 7"}},
		{"table not in manifest", func(t *testing.T, dir string, m *Manifest) {
			delete(m.Rows, "events")
		}, []string{"table events (0 rows) is not in the manifest"}},
		{"schema version", func(t *testing.T, dir string, m *Manifest) {
			m.SchemaVersion = 99
		}, []string{"schema version", "the manifest says 99"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyDir(t, base)
			m := *m0
			m.Files = append([]ManifestFile(nil), m0.Files...)
			m.Rows = map[string]int64{}
			for k, v := range m0.Rows {
				m.Rows[k] = v
			}
			tt.break_(t, dir, &m)
			err := VerifyDir(ctx, dir, &m, VerifyOptions{})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("VerifyDir = %v, want ErrCorrupt", err)
			}
			for _, w := range append(tt.want, m.ID) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	t.Run("intact", func(t *testing.T) {
		if err := VerifyDir(ctx, copyDir(t, base), m0, VerifyOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestVerifyCorruptSQLitePage breaks the database itself, inside a valid
// compressed file: only the integrity check can see it.
func TestVerifyCorruptSQLitePage(t *testing.T) {
	s := storetest.SQLite(t)
	loadDemo(t, s)
	dir, m := build(t, s, Options{})
	f, _ := m.File(RoleDatabase)
	raw := filepath.Join(t.TempDir(), "db.sqlite")
	if _, _, err := decompressFile(ctx, codecZstd, filepath.Join(dir, f.Name), raw, f.RawSize); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	// Scribble over the middle of a page well inside the file.
	page := 4096 * (len(b) / 4096 / 2)
	for i := page + 100; i < page+400; i++ {
		b[i] ^= 0x5a
	}
	if err := os.WriteFile(raw, b, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, f.Name))
	nf, err := compressFile(ctx, codecZstd, raw, filepath.Join(dir, f.Name), nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Files[0].Size, m.Files[0].SHA256 = nf.Size, nf.SHA256
	err = VerifyDir(ctx, dir, m, VerifyOptions{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), f.Name) {
		t.Fatalf("VerifyDir = %v, want ErrCorrupt naming %s", err, f.Name)
	}
	t.Log(err)
}

func TestVerifyPostgresRowCount(t *testing.T) {
	s, u := postgresStore(t)
	if err := s.RawExec(ctx, "CREATE TABLE \"Odd \"\"name\"\"\" (v TEXT)"); err != nil {
		t.Fatal(err)
	}
	if err := s.RawExec(ctx, "INSERT INTO \"Odd \"\"name\"\"\" VALUES ('a\nb'), ('c')"); err != nil {
		t.Fatal(err)
	}
	dir, m := build(t, s, Options{DatabaseURL: u})
	if m.Rows[`Odd "name"`] != 2 {
		t.Fatalf("rows = %v", m.Rows)
	}
	m.Rows[`Odd "name"`] = 3
	err := VerifyDir(ctx, dir, m, VerifyOptions{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), `table Odd "name" has 2 rows, the manifest says 3`) {
		t.Fatalf("VerifyDir = %v, want the row count of Odd \"name\"", err)
	}
}

func TestConfigEncrypted(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.SQLite(t)
	secret := []File{{Name: "production.yaml", Data: []byte("database:\n  url: postgres://crewplan:hunter2@db/crewplan\n")}}
	target := dirTarget(t)
	res, err := Create(ctx, s, Options{Config: secret, Recipient: id.Recipient().String(), TempDir: t.TempDir(),
		Targets: map[string]sdkbackup.Target{"local": target}})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Manifest
	f, _ := m.File(RoleConfig)
	if f.Name != "config.tar.zst.age" || !f.Encrypted {
		t.Fatalf("config file %+v, want an encrypted one", f)
	}
	for _, name := range names(t, target) {
		rc, _ := target.Get(ctx, name)
		b := new(bytes.Buffer)
		b.ReadFrom(rc)
		if bytes.Contains(b.Bytes(), []byte("hunter2")) {
			t.Errorf("%s holds the secret in the clear", name)
		}
	}

	// Without the identity only the checksum can be checked; with it the
	// archive opens; with another it does not.
	if _, err := Fetch(ctx, target, m.ID, t.TempDir(), VerifyOptions{}); err != nil {
		t.Errorf("Fetch without identity: %v", err)
	}
	dir := t.TempDir()
	if _, err := Fetch(ctx, target, m.ID, dir, VerifyOptions{Identities: []age.Identity{id}}); err != nil {
		t.Fatalf("Fetch with identity: %v", err)
	}
	in, _ := os.ReadFile(filepath.Join(dir, f.Name))
	if _, err := ReadConfigArchive(bytes.NewReader(in)); !errors.Is(err, ErrEncrypted) {
		t.Errorf("ReadConfigArchive without identity = %v, want ErrEncrypted", err)
	}
	a, err := ReadConfigArchive(bytes.NewReader(in), id)
	if err != nil || len(a.Files) != 1 || !bytes.Equal(a.Files[0].Data, secret[0].Data) {
		t.Fatalf("ReadConfigArchive = %+v, %v", a, err)
	}
	other, _ := age.GenerateX25519Identity()
	_, err = Fetch(ctx, target, m.ID, t.TempDir(), VerifyOptions{Identities: []age.Identity{other}})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "config.tar.zst.age") {
		t.Errorf("Fetch with another identity = %v, want ErrCorrupt naming the archive", err)
	}

	if _, err := Build(ctx, s, t.TempDir(), Options{Recipient: "age1nope"}); err == nil || !strings.Contains(err.Error(), "age recipient") {
		t.Errorf("Build with a bad recipient = %v", err)
	}
}

func TestList(t *testing.T) {
	s := storetest.SQLite(t)
	target := dirTarget(t)
	res, err := Create(ctx, s, Options{TempDir: t.TempDir(), Targets: map[string]sdkbackup.Target{"t": target}})
	if err != nil {
		t.Fatal(err)
	}
	good := res.Manifest.ID
	put := func(name, data string) {
		if _, err := target.Put(ctx, name, strings.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	}
	// An unfinished backup, one with a broken manifest, one whose manifest
	// names another backup, one missing a file, and an object of something
	// else.
	put("20261205T000000Z-office-0001/db.sqlite.zst", "x")
	put("20261205T000000Z-office-0002/db.sqlite.zst", "x")
	put("20261205T000000Z-office-0002/manifest.json", "{")
	mb, _ := target.Get(ctx, ObjectName(good, ManifestName))
	mj := new(bytes.Buffer)
	mj.ReadFrom(mb)
	put("20261205T000000Z-office-0003/manifest.json", mj.String())
	missing := good[:len(good)-4] + "ffff"
	put(missing+"/manifest.json", strings.ReplaceAll(mj.String(), good, missing))
	put("notes/readme.txt", "hello")

	l, err := List(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Backups) != 1 || l.Backups[0].ID != good {
		t.Errorf("backups = %v, want only %s", l.Backups, good)
	}
	want := map[string]string{
		"20261205T000000Z-office-0001": "no manifest",
		"20261205T000000Z-office-0002": "bad backup manifest",
		"20261205T000000Z-office-0003": "names backup " + good,
		missing:                        "is missing",
	}
	if len(l.Skipped) != len(want) {
		t.Errorf("skipped = %v", l.Skipped)
	}
	for _, sk := range l.Skipped {
		if w, ok := want[sk.ID]; !ok || !strings.Contains(sk.Err.Error(), w) {
			t.Errorf("skipped %s: %v, want %q", sk.ID, sk.Err, w)
		}
	}
	if _, err := Fetch(ctx, target, "20261205T000000Z-office-0001", t.TempDir(), VerifyOptions{}); !errors.Is(err, sdkbackup.ErrNotFound) {
		t.Errorf("Fetch of an unfinished backup = %v, want ErrNotFound", err)
	}
}

func TestFindTool(t *testing.T) {
	_, err := findTool("pg_nonesuch")
	if !errors.Is(err, ErrToolMissing) || !strings.Contains(err.Error(), "pg_nonesuch") {
		t.Errorf("findTool = %v, want ErrToolMissing naming the program", err)
	}
}

func TestParseCopyRows(t *testing.T) {
	in := "SET x = 1;\n" +
		"COPY public.employees (id, name) FROM stdin;\n1\tAda\n2\tBo\\nb\n\\.\n\n" +
		"COPY s.\"Odd \"\"name\"\"\" (v) FROM stdin;\n\\.\n" +
		"COPY \"My Schema\".\"t.x\" (v) FROM stdin;\nz\n\\.\n"
	got, err := parseCopyRows(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"employees": 2, `Odd "name"`: 0, "t.x": 1}
	if err := compareRows(got, want); err != nil {
		t.Error(err)
	}
	if _, err := parseCopyRows(strings.NewReader("COPY a (v) FROM stdin;\n1\n")); err == nil {
		t.Error("an unended COPY parsed")
	}
}

func flip(t *testing.T, path string, at int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[at] ^= 0xff
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func sha(t *testing.T, path string) string {
	t.Helper()
	w, err := createHashed(filepath.Join(t.TempDir(), "x"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	_, sum, _ := w.close()
	return sum
}

func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}
