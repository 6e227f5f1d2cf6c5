package testinstance_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/host/internal/demo"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/testinstance"
)

var ctx = context.Background()

// home makes a temporary install: the repository's configs with free
// ports for production and the test instance (edit changes the files
// first), and changes into it, so that the configuration's relative
// places land there.
func home(t testing.TB, edit func(name, body string) string) (prodPort, testPort int) {
	t.Helper()
	dir := t.TempDir()
	prodPort, testPort = freePort(t), freePort(t)
	for _, name := range []string{"base.yaml", "production.yaml", "test.yaml"} {
		b, err := os.ReadFile(filepath.Join("../../../configs", name))
		if err != nil {
			t.Fatal(err)
		}
		body := strings.Replace(string(b), "port: 8000", fmt.Sprintf("port: %d", prodPort), 1)
		body = strings.Replace(body, "port: 8001", fmt.Sprintf("port: %d", testPort), 1)
		if edit != nil {
			body = edit(name, body)
		}
		if err := os.MkdirAll(filepath.Join(dir, "configs"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "configs", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return prodPort, testPort
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// loadTest loads the test profile from ./configs with environ.
func loadTest(t testing.TB, environ ...string) *config.Config {
	t.Helper()
	cfg, err := config.Load(config.LoadOptions{Dir: "configs", Profile: config.ProfileTest, Environ: environ})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// newPair pairs ./configs' test profile with production, whose database
// it fills with the demo store and returns open.
func newPair(t testing.TB) (*testinstance.Pair, *store.Store) {
	t.Helper()
	pair, err := testinstance.New(loadTest(t))
	if err != nil {
		t.Fatal(err)
	}
	return pair, production(t, pair)
}

// production fills production's database (per its profile) with the demo
// store and returns it open.
func production(t testing.TB, pair *testinstance.Pair) *store.Store {
	t.Helper()
	s, err := store.Open(ctx, store.Options{URL: pair.Prod.Database.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, s, time.Date(2026, 12, 7, 8, 0, 0, 0, time.Local)); err != nil {
		t.Fatal(err)
	}
	// A registered model's file, and production's log.
	module := []byte("\x00asm a ranking model")
	sum := fmt.Sprintf("%x", sha256.Sum256(module))
	m := &store.RankingModel{Name: "demo", Version: "1", SHA256: sum, File: sum + ".wasm", Metrics: "{}", Card: "{}"}
	if err := s.AddRankingModel(ctx, m); err != nil {
		t.Fatal(err)
	}
	for path, data := range map[string][]byte{filepath.Join(pair.Prod.Ranker.Dir, m.File): module, pair.Prod.Log.File: []byte("log\n")} {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// server answers /readyz on port like a crewplan instance: with the test
// header when test. The returned func stops it.
func server(t *testing.T, port int, test bool) func() {
	t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if test {
			w.Header().Set(config.TestInstanceHeader, "test")
		}
		w.Write([]byte(`{"status":"ready"}`))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return func() { srv.Close() }
}

func checks(cs []testinstance.Check) map[string]testinstance.Check {
	out := map[string]testinstance.Check{}
	for _, c := range cs {
		out[c.What] = c
	}
	return out
}

// TestCreateVerifyCleanup: a copy of production's demo store records
// production's checksum; verify passes with both instances answering and
// fails when production changes; create and cleanup refuse while the test
// instance runs.
func TestCreateVerifyCleanup(t *testing.T) {
	prodPort, testPort := home(t, nil)
	pair, prod := newPair(t)
	before, err := prod.Checksum(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pair.Create(ctx, testinstance.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Record.ProductionChecksum.All != before.All || c.Models != 1 {
		t.Errorf("created %+v: want production's checksum and its 1 model", c)
	}
	if _, err := pair.Create(ctx, testinstance.CreateOptions{}); err == nil || !strings.Contains(err.Error(), "--replace") {
		t.Errorf("a second create = %v, want refused naming --replace", err)
	}
	copied, err := store.Open(ctx, store.Options{URL: pair.Test.Database.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := copied.MigrationStatus(ctx)
	rec, ok, err := copied.TestInstance(ctx)
	copied.Close()
	if err != nil || !ok || !st.UpToDate() || rec.ProductionChecksum.All != before.All {
		t.Fatalf("the copy: status %+v, record %+v %v %v", st, rec, ok, err)
	}

	got := checks(pair.Verify(ctx))
	if got["production answers"].OK || got["test instance answers"].OK || !strings.Contains(got["test instance answers"].Detail, "crewplan serve --profile test") {
		t.Errorf("verify with nothing running: %v", got)
	}
	server(t, prodPort, false)
	server(t, testPort, true)
	os.WriteFile(pair.Test.Log.File, []byte("log\n"), 0o644) // the test instance logs
	cs := pair.Verify(ctx)
	if n := testinstance.Failed(cs); n != 0 {
		t.Errorf("verify: %d failed: %v", n, cs)
	}
	if len(cs) != 6 {
		t.Errorf("verify made %d checks, want 6: %v", len(cs), cs)
	}
	if err := prod.CreateEmployee(ctx, "test", &store.Employee{ID: "LATE", Name: "Late", Role: store.RoleLead, Active: true}); err != nil {
		t.Fatal(err)
	}
	got = checks(pair.Verify(ctx))
	if c := got["production unchanged"]; c.OK || !strings.Contains(c.Detail, "employees") {
		t.Errorf("verify after production changed: %v", c)
	}
	if _, err := pair.Create(ctx, testinstance.CreateOptions{Replace: true}); !errors.Is(err, testinstance.ErrRunning) {
		t.Errorf("create while the test instance runs = %v", err)
	}
	if _, err := pair.Cleanup(ctx, testinstance.CleanupOptions{DB: true, Logs: true}); !errors.Is(err, testinstance.ErrRunning) {
		t.Errorf("cleanup while the test instance runs = %v", err)
	}
	if _, err := os.Stat(pair.Test.Database.Path()); err != nil {
		t.Errorf("a refused cleanup removed the database: %v", err)
	}
}

// TestCreateWhileProductionWrites: a copy taken while production writes
// is one consistent moment: the copy holds exactly the rows whose
// checksum it records.
func TestCreateWhileProductionWrites(t *testing.T) {
	home(t, nil)
	pair, prod := newPair(t)
	stop := make(chan struct{})
	done := make(chan error)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			e := &store.Employee{ID: fmt.Sprintf("W%04d", i), Name: "Writer", Role: store.RoleSpecialist, Active: true}
			if err := prod.CreateEmployee(ctx, "test", e); err != nil {
				done <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	c, err := pair.Create(ctx, testinstance.CreateOptions{})
	close(stop)
	if werr := <-done; werr != nil {
		t.Fatal(werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	copied, err := store.Open(ctx, store.Options{URL: pair.Test.Database.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	sum, err := copied.Checksum(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The copy differs from what it recorded only by the record itself.
	if d := c.Record.ProductionChecksum.Differs(sum); len(d) != 1 || d[0] != "test_instance" {
		t.Errorf("the copy differs from production's recorded checksum in %v, want only test_instance", d)
	}
}

// TestCleanup removes the test instance's database, models, log and
// profile file, and nothing of production's, even when the test
// profile's folders hold production's files.
func TestCleanup(t *testing.T) {
	home(t, nil)
	pair, _ := newPair(t)
	if _, err := pair.Create(ctx, testinstance.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(pair.Test.Log.File, []byte("log\n"), 0o644)
	removed, err := pair.Cleanup(ctx, testinstance.CleanupOptions{DB: true, Logs: true, Config: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 4 {
		t.Errorf("removed %v, want the database, models folder, log and profile", removed)
	}
	for _, gone := range []string{pair.Test.Database.Path(), pair.Test.Ranker.Dir, pair.Test.Log.File, "configs/test.yaml"} {
		if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there", gone)
		}
	}
	for _, kept := range []string{pair.Prod.Database.Path(), pair.Prod.Ranker.Dir, "configs/production.yaml", "configs/base.yaml"} {
		if _, err := os.Stat(kept); err != nil {
			t.Errorf("production's %s: %v", kept, err)
		}
	}

	// A test profile whose models folder holds production's database.
	if path, err := testinstance.WriteProfile("configs"); err != nil || path == "" {
		t.Fatalf("WriteProfile = %q, %v", path, err)
	}
	bad, err := testinstance.New(loadTest(t, "CREWPLAN_RANKER__DIR=data"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Cleanup(ctx, testinstance.CleanupOptions{DB: true})
	if err == nil || !strings.Contains(err.Error(), "it holds production's") {
		t.Errorf("cleanup of a folder holding production's database = %v", err)
	}
	if _, err := os.Stat(pair.Prod.Database.Path()); err != nil {
		t.Errorf("production's database: %v", err)
	}
}

// TestWriteProfile: without a test.yaml, create's profile is production's
// places with _test added, the next port and sync off, and it is apart
// from production.
func TestWriteProfile(t *testing.T) {
	prodPort, _ := home(t, nil)
	os.Remove("configs/test.yaml")
	path, err := testinstance.WriteProfile("configs")
	if err != nil || path != filepath.Join("configs", "test.yaml") {
		t.Fatalf("WriteProfile = %q, %v", path, err)
	}
	cfg := loadTest(t)
	if cfg.Server.Port != prodPort+1 || cfg.Database.URL != "data/crewplan_test.db" || cfg.Log.File != "logs/crewplan_test.log" ||
		cfg.Ranker.Dir != "data/models_test" || cfg.Backup.WorkDir != "data/backup-work_test" || cfg.Sync.Enabled || cfg.UI.Banner == "" {
		t.Errorf("written profile: %+v", cfg)
	}
	if !strings.Contains(cfg.Backup.Targets["local"], "data/backups_test") {
		t.Errorf("backup target: %s", cfg.Backup.Targets["local"])
	}
	if _, err := testinstance.New(cfg); err != nil {
		t.Errorf("the written profile is not apart from production: %v", err)
	}
	if path, err := testinstance.WriteProfile("configs"); path != "" || err != nil {
		t.Errorf("WriteProfile with a test.yaml there = %q, %v; want it left alone", path, err)
	}
}

// TestMisuse: a test profile that shares production's database or port is
// refused; create without a production database says so.
func TestMisuse(t *testing.T) {
	home(t, nil)
	for _, tt := range []struct{ env, want string }{
		{"CREWPLAN_DATABASE__URL=data/crewplan.db", "database.url"},
		{"CREWPLAN_SERVER__PORT=" + fmt.Sprint(loadProd(t).Server.Port), "server.port"},
	} {
		_, err := testinstance.New(loadTest(t, tt.env))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "production's") {
			t.Errorf("%s: %v", tt.env, err)
		}
	}
	pair, err := testinstance.New(loadTest(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = pair.Create(ctx, testinstance.CreateOptions{})
	if !errors.Is(err, testinstance.ErrNoProduction) || !strings.Contains(err.Error(), "crewplan.db") {
		t.Errorf("create without production = %v", err)
	}
	for _, f := range []string{"data/crewplan.db", "data/crewplan_test.db"} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused create left %s", f)
		}
	}
}

func loadProd(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load(config.LoadOptions{Dir: "configs", Profile: config.ProfileProduction, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestPostgres: production and the test instance in two databases of the
// PostgreSQL server: the copy goes through pg_dump and pg_restore, verify
// finds production unchanged, cleanup empties only the test database.
func TestPostgres(t *testing.T) {
	base := os.Getenv("CREWPLAN_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("CREWPLAN_TEST_POSTGRES_URL is not set; CI sets it")
	}
	prodURL, testURL := newDatabase(t, base), newDatabase(t, base)
	prodPort, testPort := home(t, func(name, body string) string {
		body = strings.Replace(body, "url: data/crewplan.db", "url: "+prodURL, 1)
		return strings.Replace(body, "url: data/crewplan_test.db", "url: "+testURL, 1)
	})
	pair, prod := newPair(t)
	before, err := prod.Checksum(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pair.Create(ctx, testinstance.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Record.ProductionChecksum.All != before.All {
		t.Errorf("recorded checksum differs from production's in %v", before.Differs(c.Record.ProductionChecksum))
	}
	if _, err := pair.Create(ctx, testinstance.CreateOptions{}); err == nil || !strings.Contains(err.Error(), "--replace") {
		t.Errorf("a second create = %v", err)
	}
	if _, err := pair.Create(ctx, testinstance.CreateOptions{Replace: true}); err != nil {
		t.Errorf("create --replace: %v", err)
	}
	server(t, prodPort, false)
	stopTest := server(t, testPort, true)
	os.WriteFile(pair.Test.Log.File, []byte("log\n"), 0o644)
	if cs := pair.Verify(ctx); testinstance.Failed(cs) != 0 {
		t.Errorf("verify: %v", cs)
	}
	stopTest()
	if _, err := pair.Cleanup(ctx, testinstance.CleanupOptions{DB: true}); err != nil {
		t.Fatal(err)
	}
	left, err := store.Open(ctx, store.Options{URL: testURL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer left.Close()
	if counts, err := left.TableCounts(ctx); err != nil || len(counts) != 0 {
		t.Errorf("the test database after cleanup holds %v (%v)", counts, err)
	}
	if after, err := prod.Checksum(ctx); err != nil || after.All != before.All {
		t.Errorf("production after cleanup: %v %v", before.Differs(after), err)
	}
}

// newDatabase creates a database on the server of base, dropped when the
// test ends, and returns its URL.
func newDatabase(t *testing.T, base string) string {
	t.Helper()
	admin, err := store.Open(ctx, store.Options{URL: base, MaxReaders: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("ti_%d_%d", os.Getpid(), time.Now().UnixNano())
	if err := admin.RawExec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.RawExec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
