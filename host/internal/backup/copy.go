package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/crewplan/crewplan/host/internal/store"
)

// ErrNotEmpty means the database a copy was to go into already holds
// tables.
var ErrNotEmpty = errors.New("the database is not empty")

// Copy copies the database of s into the database toURL names, with the
// snapshot a backup takes: consistent, while the application keeps serving
// from s. fromURL is s's URL (pg_dump connects with it); the PostgreSQL
// dump waits in workDir.
//
// A SQLite copy goes to a file that must not exist; it appears there whole
// (VACUUM INTO writes a complete new database, synced before it is renamed
// into place) or not at all. A PostgreSQL copy goes into a database of the same
// dialect whose current schema has the store's schema's name (pg_restore
// restores into the schema the dump names) and holds no table: so a copy
// can never land on the database it is taken from, nor on anything else
// that holds data.
func Copy(ctx context.Context, s *store.Store, fromURL, toURL, workDir string) error {
	if store.DriverOf(toURL) != s.Dialect() {
		return fmt.Errorf("copy a %s database into %s: the dialects differ", s.Dialect(), store.RedactURL(toURL))
	}
	if s.Dialect() == store.DialectSQLite {
		return copySQLite(ctx, s, store.SQLitePath(toURL))
	}
	return copyPostgres(ctx, s, fromURL, toURL, workDir)
}

func copySQLite(ctx context.Context, s *store.Store, to string) error {
	if _, err := os.Lstat(to); err == nil {
		return fmt.Errorf("copy the database to %s: %w", to, os.ErrExist)
	}
	dir := filepath.Dir(to)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".copy-")
	if err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	defer os.RemoveAll(tmp)
	snap, err := takeSnapshot(ctx, s, tmp, "")
	if err != nil {
		return err
	}
	if err := syncFile(snap.path); err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	if _, err := os.Lstat(to); err == nil {
		return fmt.Errorf("copy the database to %s: %w", to, os.ErrExist)
	}
	if err := os.Rename(snap.path, to); err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	return nil
}

func copyPostgres(ctx context.Context, s *store.Store, fromURL, toURL, workDir string) error {
	to, err := store.Open(ctx, store.Options{URL: toURL, MaxReaders: 1}, nil)
	if err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	defer to.Close()
	var schema, fromSchema string
	if err := to.RawScan(ctx, &schema, "SELECT current_schema()"); err != nil {
		return fmt.Errorf("copy the database: %s: %w", store.RedactURL(toURL), err)
	}
	if err := s.RawScan(ctx, &fromSchema, "SELECT current_schema()"); err != nil {
		return fmt.Errorf("copy the database: %s: %w", store.RedactURL(fromURL), err)
	}
	if schema != fromSchema {
		return fmt.Errorf("copy the database into %s: its schema is %q, the copied database's is %q, and pg_restore restores into the schema the copy names: give both the same schema (search_path)",
			store.RedactURL(toURL), schema, fromSchema)
	}
	counts, err := to.TableCounts(ctx)
	if err != nil {
		return fmt.Errorf("copy the database: %s: %w", store.RedactURL(toURL), err)
	}
	if len(counts) > 0 {
		return fmt.Errorf("copy the database into %s: %w: schema %s holds %d tables; a copy goes only into an empty database",
			store.RedactURL(toURL), ErrNotEmpty, schema, len(counts))
	}
	if err := os.MkdirAll(workDir, 0o750); err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	tmp, err := os.MkdirTemp(workDir, "copy-")
	if err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	defer os.RemoveAll(tmp)
	snap, err := takeSnapshot(ctx, s, tmp, fromURL)
	if err != nil {
		return err
	}
	if err := pgRestore(ctx, snap.path, toURL); err != nil {
		return fmt.Errorf("copy the database into %s: %w", store.RedactURL(toURL), err)
	}
	rows, err := to.TableCounts(ctx)
	if err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	if err := compareRows(rows, snap.rows); err != nil {
		return fmt.Errorf("copy the database: the copy does not match: %w", err)
	}
	return nil
}
