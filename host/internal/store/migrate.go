package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds the versioned schema, one folder per dialect. A new
// version adds a file with the same number to both folders.
//
//go:embed migrations
var migrations embed.FS

// ErrSchemaTooNew means the database was migrated by a newer crewplan.
var ErrSchemaTooNew = errors.New("database schema is newer than this crewplan")

// MigrationStatus is the schema version of the database and of this build.
type MigrationStatus struct {
	Current int64 `json:"current"`
	Latest  int64 `json:"latest"`
}

// UpToDate reports whether the database is at this build's schema.
func (m MigrationStatus) UpToDate() bool { return m.Current == m.Latest }

// Older reports whether the database holds data at an older schema than
// this build's: one that Migrate would change. A fresh database (version
// 0) is not older: it has nothing to lose.
func (m MigrationStatus) Older() bool { return m.Current > 0 && m.Current < m.Latest }

func (s *Store) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+s.dialect)
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", s.dialect, err)
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var opts []goose.ProviderOption
	dialect := goose.DialectSQLite3
	if s.dialect == DialectPostgres {
		dialect = goose.DialectPostgres
		// Hosts sharing one PostgreSQL database migrate one at a time: the
		// others retry every second for up to five minutes.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	// The provider is never closed: Close would close the store's writer.
	p, err := goose.NewProvider(dialect, sqlDB, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", s.dialect, err)
	}
	return p, nil
}

// Migrate brings the schema up to this build's version. It refuses a
// database whose schema is newer than this build knows.
func (s *Store) Migrate(ctx context.Context) (MigrationStatus, error) {
	p, err := s.provider()
	if err != nil {
		return MigrationStatus{}, err
	}
	st, err := s.status(ctx, p)
	if err != nil {
		return st, err
	}
	if st.Current > st.Latest {
		return st, fmt.Errorf("migrate: %w (database at version %d, this build knows %d)", ErrSchemaTooNew, st.Current, st.Latest)
	}
	if st.UpToDate() {
		return st, nil
	}
	if _, err := p.Up(ctx); err != nil {
		return st, fmt.Errorf("migrate %s database from version %d: %w", s.dialect, st.Current, err)
	}
	st, err = s.status(ctx, p)
	if err == nil {
		s.log.Info("database migrated", slog.String("dialect", s.dialect), slog.Int64("version", st.Current))
	}
	return st, err
}

// MigrateTo brings the schema up to version and no further, as an older
// crewplan would have left it. It is for tests and tools that need a
// database at an older schema; crewplan itself calls Migrate. It never
// migrates down.
func (s *Store) MigrateTo(ctx context.Context, version int64) (MigrationStatus, error) {
	p, err := s.provider()
	if err != nil {
		return MigrationStatus{}, err
	}
	st, err := s.status(ctx, p)
	if err != nil {
		return st, err
	}
	if version > st.Latest {
		return st, fmt.Errorf("migrate to version %d: this build knows up to %d", version, st.Latest)
	}
	if version > st.Current {
		if _, err := p.UpTo(ctx, version); err != nil {
			return st, fmt.Errorf("migrate %s database from version %d to %d: %w", s.dialect, st.Current, version, err)
		}
	}
	return s.status(ctx, p)
}

// MigrationStatus returns the schema version of the database and of this
// build.
func (s *Store) MigrationStatus(ctx context.Context) (MigrationStatus, error) {
	p, err := s.provider()
	if err != nil {
		return MigrationStatus{}, err
	}
	return s.status(ctx, p)
}

func (s *Store) status(ctx context.Context, p *goose.Provider) (MigrationStatus, error) {
	var st MigrationStatus
	for _, src := range p.ListSources() {
		st.Latest = max(st.Latest, src.Version)
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		// A database goose has never touched has no version table yet.
		if errors.Is(err, goose.ErrVersionNotFound) || s.noVersionTable(ctx) {
			return st, nil
		}
		return st, fmt.Errorf("read schema version: %w", err)
	}
	st.Current = cur
	return st, nil
}

func (s *Store) noVersionTable(ctx context.Context) bool {
	return !s.db.WithContext(ctx).Migrator().HasTable("goose_db_version")
}
