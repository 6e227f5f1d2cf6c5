// Package testinstance makes, checks and removes a test instance: the
// test profile's crewplan, running beside production on a copy of
// production's database, for trying a new crewplan version or ranking
// model before trusting it.
//
// Create copies production's database while production serves (with the
// backup package's snapshot), migrates the copy and records production's
// schema version and logical checksum in it. Verify checks that the two
// instances are apart and that production is as it was. Cleanup removes
// the test instance's database, logs and profile file.
package testinstance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/crewplan/crewplan/host/internal/backup"
	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/host/internal/store"
)

// ErrRunning means the test instance answers on its port, so its files
// cannot be replaced or removed under it.
var ErrRunning = errors.New("the test instance is running")

// ErrNoProduction means production's database does not exist.
var ErrNoProduction = errors.New("no production database")

// Pair is a test instance and the production it is a copy of.
type Pair struct {
	// Prod is production's configuration: the production profile read
	// from the test profile's folder (config.Config.Production).
	Prod *config.Config
	// Test is the test profile's configuration.
	Test *config.Config
	// Log receives what Create and Cleanup did (the test instance's log);
	// nil discards it.
	Log *slog.Logger
}

// New pairs the test profile's configuration with production's, read from
// the same folder, and refuses a test configuration that would touch
// production (config.Config.CheckIsolation) or push to the planning
// system.
func New(test *config.Config) (*Pair, error) {
	if test.Profile != config.ProfileTest {
		return nil, fmt.Errorf("a test instance runs the %s profile, not %s", config.ProfileTest, test.Profile)
	}
	if test.Sync.Enabled {
		return nil, errors.New("sync.enabled is on in the test profile: a test instance must never push to the planning system; turn it off")
	}
	prod, err := test.Production()
	if err != nil {
		return nil, fmt.Errorf("production's configuration: %w", err)
	}
	if err := test.CheckIsolation(prod); err != nil {
		return nil, fmt.Errorf("the test profile shares what is production's, so nothing was done:\n%w", err)
	}
	return &Pair{Prod: prod, Test: test}, nil
}

func (p *Pair) log() *slog.Logger {
	if p.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Log
}

// Created is what Create made.
type Created struct {
	// ProductionDB is production's database, its password hidden.
	ProductionDB string
	// TestDB is the test instance's database, its password hidden.
	TestDB string
	// Record is what the copy records of production.
	Record store.TestInstance
	// Schema is the copy's schema version after migrating.
	Schema int64
	// Models is how many ranking-model files were copied.
	Models int
	// Took is how long the copy took.
	Took time.Duration
}

// CreateOptions says how Create treats an existing test database.
type CreateOptions struct {
	// Replace replaces an existing test database that is a test
	// instance's copy (or empty); without it an existing one is refused.
	Replace bool
}

// Create copies production's database into the test instance's while
// production keeps serving, migrates the copy to this crewplan's schema,
// records production's schema version and checksum in it, and copies
// production's ranking-model files into the test instance's models
// folder. Nothing is left half-made: a failed copy leaves no test
// database.
func (p *Pair) Create(ctx context.Context, opts CreateOptions) (*Created, error) {
	start := time.Now()
	if err := p.notRunning(ctx, "create"); err != nil {
		return nil, err
	}
	prod, err := p.openProduction(ctx)
	if err != nil {
		return nil, err
	}
	defer prod.Close()
	st, err := prod.MigrationStatus(ctx)
	switch {
	case err != nil:
		return nil, fmt.Errorf("production's database: %w", err)
	case st.Current == 0:
		return nil, fmt.Errorf("%w: %s holds no crewplan data (schema version 0): start production once (crewplan serve) before copying it", ErrNoProduction, p.prodDB())
	case st.Current > st.Latest:
		return nil, fmt.Errorf("production's database is at schema version %d, newer than this crewplan's %d: use a crewplan at least as new as production's", st.Current, st.Latest)
	}
	if err := p.clearTestDB(ctx, opts.Replace); err != nil {
		return nil, err
	}
	if err := backup.Copy(ctx, prod, p.Prod.Database.URL, p.Test.Database.URL, p.Test.Backup.WorkDir); err != nil {
		return nil, fmt.Errorf("copy production's database: %w", err)
	}
	out := &Created{ProductionDB: p.prodDB(), TestDB: dbName(p.Test.Database)}
	err = p.finishCopy(ctx, out)
	if err != nil {
		// The copy is not a test instance yet: remove it rather than
		// leave it half-made.
		if rerr := p.dropTestDB(ctx); rerr != nil {
			err = errors.Join(err, fmt.Errorf("remove the unfinished copy: %w", rerr))
		}
		return nil, err
	}
	if out.Models, err = p.copyModels(ctx, prod); err != nil {
		return nil, err
	}
	out.Took = time.Since(start)
	p.log().Info("test instance created from production",
		slog.String("production_db", out.ProductionDB), slog.String("test_db", out.TestDB),
		slog.Int64("production_schema", out.Record.ProductionSchema), slog.Int64("schema", out.Schema),
		slog.String("production_checksum", out.Record.ProductionChecksum.All), slog.Int("models", out.Models),
		slog.Duration("took", out.Took))
	return out, nil
}

// finishCopy checksums the fresh copy (what production held at the
// snapshot), migrates it, and records production's state in it.
func (p *Pair) finishCopy(ctx context.Context, out *Created) error {
	s, err := p.openTest(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		return fmt.Errorf("the copy: %w", err)
	}
	sum, err := s.Checksum(ctx)
	if err != nil {
		return fmt.Errorf("the copy: %w", err)
	}
	ms, err := s.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate the copy: %w", err)
	}
	out.Schema = ms.Current
	out.Record = store.TestInstance{ProductionDB: out.ProductionDB, ProductionSchema: st.Current,
		ProductionChecksum: sum, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	return s.RecordTestInstance(ctx, out.Record)
}

// copyModels copies the module file of every ranking model production's
// database names from production's models folder into the test
// instance's, so that the copy's active model loads there too. A file
// production lacks is skipped: production cannot load it either.
func (p *Pair) copyModels(ctx context.Context, prod *store.Store) (int, error) {
	models, err := prod.ListRankingModels(ctx)
	if err != nil {
		return 0, fmt.Errorf("production's ranking models: %w", err)
	}
	n := 0
	for _, m := range models {
		name := m.File
		if !filepath.IsLocal(name) {
			return n, fmt.Errorf("ranking model %d: its file %q is not inside the models folder", m.ID, name)
		}
		from := filepath.Join(p.Prod.Ranker.Dir, name)
		to := filepath.Join(p.Test.Ranker.Dir, name)
		if _, err := os.Stat(to); err == nil {
			n++
			continue
		}
		if _, err := os.Stat(from); errors.Is(err, os.ErrNotExist) {
			p.log().Warn("a ranking model's file is missing in production's models folder", slog.String("file", from))
			continue
		}
		if err := copyFile(from, to); err != nil {
			return n, fmt.Errorf("copy ranking model %d (%s %s): %w", m.ID, m.Name, m.Version, err)
		}
		n++
	}
	return n, nil
}

// copyFile copies a file through a temporary one in the destination
// folder, so that the destination is whole or absent.
func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(to), ".copy-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if serr := tmp.Sync(); err == nil {
		err = serr
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), to)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// prodDB returns production's database for messages: the SQLite file's
// absolute path, or the URL with its password hidden.
func (p *Pair) prodDB() string { return dbName(p.Prod.Database) }

func dbName(d config.DatabaseConfig) string {
	if d.Driver() == config.DriverSQLite {
		if abs, err := filepath.Abs(d.Path()); err == nil {
			return abs
		}
		return d.Path()
	}
	return store.RedactURL(d.URL)
}

// openProduction opens production's database, which must exist: a SQLite
// file is never created here.
func (p *Pair) openProduction(ctx context.Context) (*store.Store, error) {
	d := p.Prod.Database
	if d.Driver() == config.DriverSQLite {
		if _, err := os.Stat(d.Path()); errors.Is(err, os.ErrNotExist) {
			wd, _ := os.Getwd()
			return nil, fmt.Errorf("%w at %s (database.url %q of %v, relative to %s): run this where production runs (--home), or start production once first",
				ErrNoProduction, p.prodDB(), d.URL, p.Prod.Files(), wd)
		}
	}
	s, err := store.Open(ctx, store.Options{URL: d.URL, MaxReaders: 1, BusyTimeout: d.BusyTimeout}, nil)
	if err != nil {
		return nil, fmt.Errorf("production's database: %w", err)
	}
	return s, nil
}

// openTest opens the test instance's database.
func (p *Pair) openTest(ctx context.Context) (*store.Store, error) {
	d := p.Test.Database
	s, err := store.Open(ctx, store.Options{URL: d.URL, MaxReaders: 1, BusyTimeout: d.BusyTimeout}, nil)
	if err != nil {
		return nil, fmt.Errorf("the test instance's database: %w", err)
	}
	return s, nil
}

// testDBExists reports whether the test instance's database exists: the
// SQLite file, or any table in the PostgreSQL database's schema.
func (p *Pair) testDBExists(ctx context.Context) (bool, error) {
	d := p.Test.Database
	if d.Driver() == config.DriverSQLite {
		_, err := os.Stat(d.Path())
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		return err == nil, err
	}
	s, err := p.openTest(ctx)
	if err != nil {
		return false, err
	}
	defer s.Close()
	counts, err := s.TableCounts(ctx)
	return len(counts) > 0, err
}

// isCopy reports whether the existing test database is a test instance's
// copy (it holds the record Create writes) or holds no table.
func (p *Pair) isCopy(ctx context.Context) (bool, error) {
	s, err := p.openTest(ctx)
	if err != nil {
		return false, err
	}
	defer s.Close()
	counts, err := s.TableCounts(ctx)
	if err != nil || len(counts) == 0 {
		return err == nil, err
	}
	if _, ok := counts["test_instance"]; !ok {
		return false, nil
	}
	_, ok, err := s.TestInstance(ctx)
	return ok, err
}

// clearTestDB makes room for a new copy: none may exist, or with replace,
// an existing copy is dropped.
func (p *Pair) clearTestDB(ctx context.Context, replace bool) error {
	exists, err := p.testDBExists(ctx)
	if err != nil || !exists {
		return err
	}
	name := dbName(p.Test.Database)
	if !replace {
		return fmt.Errorf("the test instance's database %s already exists: run `crewplan testinstance create --replace` to copy production again, or `crewplan testinstance cleanup --db` first", name)
	}
	copy, err := p.isCopy(ctx)
	if err != nil {
		return err
	}
	if !copy {
		return fmt.Errorf("the test instance's database %s holds data that is not a test instance's copy (no record of `testinstance create`), so it is not replaced: check database.url of the test profile", name)
	}
	return p.dropTestDB(ctx)
}

// dropTestDB removes the test instance's database: the SQLite file with
// its journal files, or on PostgreSQL every table of its schema.
func (p *Pair) dropTestDB(ctx context.Context) error {
	d := p.Test.Database
	if d.Driver() == config.DriverSQLite {
		var errs []error
		for _, suffix := range []string{"", "-wal", "-shm", "-journal", store.RestoreSuffix} {
			if err := os.Remove(d.Path() + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	s, err := p.openTest(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.DropTables(ctx)
}

// notRunning refuses when the test instance answers on its port.
func (p *Pair) notRunning(ctx context.Context, what string) error {
	if r := probe(ctx, p.Test.Server); r.err == nil {
		return fmt.Errorf("%w on %s: stop it before `testinstance %s`", ErrRunning, r.url, what)
	}
	return nil
}

// answer is what a server said to GET /readyz.
type answer struct {
	url      string
	status   int
	instance string // the X-Crewplan-Instance header
	err      error
}

// probe asks the server cfg describes for /readyz, on the loopback
// address when it listens on every address.
func probe(ctx context.Context, cfg config.ServerConfig) answer {
	host := cfg.Host
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	a := answer{url: "http://" + net.JoinHostPort(host, fmt.Sprint(cfg.Port))}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.url+"/readyz", nil)
	if err != nil {
		a.err = err
		return a
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.err = err
		return a
	}
	resp.Body.Close()
	a.status, a.instance = resp.StatusCode, resp.Header.Get(config.TestInstanceHeader)
	return a
}
