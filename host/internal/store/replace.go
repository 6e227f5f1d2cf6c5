package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
)

// ReplaceStep names a point of ReplaceSQLite, for its hook.
type ReplaceStep string

// The points of ReplaceSQLite a hook is called at.
const (
	// ReplaceClosed: the store's connections are closed and the old
	// file's write-ahead log is folded into it; the old file is whole.
	ReplaceClosed ReplaceStep = "closed"
	// ReplaceRenamed: the new file is in place, not opened yet.
	ReplaceRenamed ReplaceStep = "renamed"
)

// RestoreSuffix is added to the database's file name for a file being
// put in its place (see ReplaceSQLite); one left by a process that died
// is not a database anyone uses, and CleanRestoreLeftovers removes it.
const RestoreSuffix = ".restoring"

// ReplaceSQLite puts the SQLite file at from in the place of the store's
// database and opens the store on it again. from must be in the same
// folder as the database (so that the swap is one rename) and should be a
// complete database without a write-ahead log of its own (VACUUM INTO
// makes one). The caller makes sure nothing uses the store meanwhile.
//
// The database is always the old file or the new one, never a mix, even
// when the process dies at any point: the store's connections are closed,
// the old file's write-ahead log is checkpointed into it and removed (so
// no old log is ever applied to the new file), then one rename swaps the
// files and the folder is synced. hook, when set, is called at each
// ReplaceStep (tests kill the process there).
func (s *Store) ReplaceSQLite(ctx context.Context, from string, hook func(ReplaceStep)) error {
	if s.dialect != DialectSQLite {
		return errors.New("replace database: not a SQLite store")
	}
	if filepath.Dir(filepath.Clean(from)) != filepath.Dir(filepath.Clean(s.path)) {
		return fmt.Errorf("replace database: %s is not in the folder of %s", from, s.path)
	}
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("replace database: %w", err)
	}
	if err := s.Close(); err != nil {
		return fmt.Errorf("replace database: close %s: %w", s.path, err)
	}
	if err := foldWAL(ctx, s.path, s.gcfg); err != nil {
		return fmt.Errorf("replace database: %w (the old database stays in place; reopen it)", err)
	}
	if hook != nil {
		hook(ReplaceClosed)
	}
	if err := os.Rename(from, s.path); err != nil {
		return fmt.Errorf("replace database: %w (the old database stays in place)", err)
	}
	if err := syncDir(filepath.Dir(s.path)); err != nil {
		return fmt.Errorf("replace database: %w", err)
	}
	if hook != nil {
		hook(ReplaceRenamed)
	}
	if err := s.openSQLite(); err != nil {
		return fmt.Errorf("replace database: reopen: %w", err)
	}
	return s.Ping(ctx)
}

// Reopen opens a closed SQLite store's connections again: after a
// ReplaceSQLite that failed before its rename, say.
func (s *Store) Reopen(ctx context.Context) error {
	if s.dialect != DialectSQLite {
		return errors.New("reopen: not a SQLite store")
	}
	if err := s.openSQLite(); err != nil {
		return err
	}
	return s.Ping(ctx)
}

// foldWAL checkpoints the write-ahead log of the SQLite file at path into
// it and removes the log and its index, so that the file alone is the
// database.
func foldWAL(ctx context.Context, path string, gcfg *gorm.Config) error {
	if st, err := os.Stat(path + "-wal"); err == nil && st.Size() > 0 {
		db, err := gorm.Open(sqlite.Open("file:"+path+"?_pragma=busy_timeout(5000)"), gcfg)
		if err != nil {
			return fmt.Errorf("open %s to checkpoint it: %w", path, err)
		}
		sqlDB, _ := db.DB()
		err = checkpoint(ctx, sqlDB)
		if cerr := sqlDB.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("checkpoint %s: %w", path, err)
		}
	}
	for _, f := range []string{path + "-wal", path + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// checkpoint folds the whole write-ahead log into the database and
// empties it; it fails when a reader kept part of it.
func checkpoint(ctx context.Context, db *sql.DB) error {
	var busy, logged, done int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &done); err != nil {
		return err
	}
	if busy != 0 || logged != done {
		return fmt.Errorf("the write-ahead log is still in use (%d of %d pages folded)", done, logged)
	}
	return nil
}

// syncDir flushes a folder's entries (a rename in it) to the disk. On
// Windows, where a folder cannot be opened for it, the rename is left to
// the file system.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// CleanRestoreLeftovers removes the file a restore was putting in place
// of the SQLite database at path when its process died before the swap.
func CleanRestoreLeftovers(path string) error {
	err := os.Remove(path + RestoreSuffix)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
