// Package store keeps crewplan's data: gorm over SQLite (one writer
// connection and a pool of readers) or PostgreSQL, chosen by the database
// URL, with versioned migrations that run on both.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Options says which database to open and how.
type Options struct {
	// URL is a SQLite file path (optionally prefixed "sqlite:" or "file:")
	// or a postgres:// or postgresql:// URL.
	URL string
	// MaxReaders is the size of the SQLite reader pool, or of the
	// PostgreSQL connection pool.
	MaxReaders int
	// BusyTimeout is how long a SQLite connection waits for a lock.
	BusyTimeout time.Duration
}

// Store is the database. Its methods are safe for concurrent use; InTx
// hands a Store bound to one transaction to a closure.
type Store struct {
	db      *gorm.DB // writes, and reads inside a transaction
	read    *gorm.DB // reads outside a transaction
	dialect string
	path    string // SQLite file, "" on PostgreSQL
	closers []*sql.DB
	log     *slog.Logger
	// opts and gcfg are what Open opened with, for ReplaceSQLite to
	// open the replaced file the same way.
	opts Options
	gcfg *gorm.Config
}

// Dialect names of the two supported databases.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// DriverOf returns the dialect a database URL selects.
func DriverOf(rawURL string) string {
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		return DialectPostgres
	}
	return DialectSQLite
}

// SQLitePath returns the file path of a SQLite database URL.
func SQLitePath(rawURL string) string {
	p := strings.TrimPrefix(rawURL, "sqlite:")
	p = strings.TrimPrefix(p, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

// Open opens the database opts.URL names. It does not migrate: call
// Migrate. For SQLite the file's folder is created when missing.
func Open(ctx context.Context, opts Options, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.MaxReaders < 1 {
		opts.MaxReaders = 4
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	gcfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		PrepareStmt:            false,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	s := &Store{log: log, opts: opts, gcfg: gcfg}
	switch DriverOf(opts.URL) {
	case DialectPostgres:
		s.dialect = DialectPostgres
		db, err := gorm.Open(postgres.Open(opts.URL), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres %s: %w", RedactURL(opts.URL), err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, fmt.Errorf("open postgres %s: %w", RedactURL(opts.URL), err)
		}
		sqlDB.SetMaxOpenConns(opts.MaxReaders + 1)
		sqlDB.SetMaxIdleConns(opts.MaxReaders + 1)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		s.db, s.read = db, db
		s.closers = []*sql.DB{sqlDB}
	default:
		s.dialect = DialectSQLite
		s.path = SQLitePath(opts.URL)
		if s.path == "" || s.path == ":memory:" {
			return nil, fmt.Errorf("open sqlite %q: give a file path (an in-memory database cannot be shared by the writer and the readers)", opts.URL)
		}
		if dir := filepath.Dir(s.path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("open sqlite %s: %w", s.path, err)
			}
		}
		if err := s.openSQLite(); err != nil {
			return nil, err
		}
	}
	if err := s.Ping(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// openSQLite opens the SQLite file's writer and readers.
func (s *Store) openSQLite() error {
	w, err := openSQLite(s.path, s.opts.BusyTimeout, false, s.gcfg)
	if err != nil {
		return err
	}
	wDB, _ := w.DB()
	wDB.SetMaxOpenConns(1)
	wDB.SetMaxIdleConns(1)
	wDB.SetConnMaxLifetime(0)
	r, err := openSQLite(s.path, s.opts.BusyTimeout, true, s.gcfg)
	if err != nil {
		_ = wDB.Close()
		return err
	}
	rDB, _ := r.DB()
	rDB.SetMaxOpenConns(s.opts.MaxReaders)
	rDB.SetMaxIdleConns(s.opts.MaxReaders)
	s.db, s.read = w, r
	s.closers = []*sql.DB{wDB, rDB}
	return nil
}

// sqliteDSN builds the DSN for the glebarez driver: busy_timeout first (so
// it applies while the other pragmas take their locks), WAL, foreign keys,
// synchronous NORMAL, and immediate transactions so a read-then-write
// transaction never fails with SQLITE_BUSY.
func sqliteDSN(path string, busy time.Duration, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	// url.Values sorts keys; _pragma comes before _txlock and the pragma
	// values keep their order.
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(path string, busy time.Duration, readOnly bool, gcfg *gorm.Config) (*gorm.DB, error) {
	db, err := gorm.Open(sqlite.Open(sqliteDSN(path, busy, readOnly)), gcfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// RedactURL returns a database URL with its password replaced, for logs and
// errors.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "redacted")
	}
	return u.String()
}

// Dialect returns DialectSQLite or DialectPostgres.
func (s *Store) Dialect() string { return s.dialect }

// Path returns the SQLite file of the store, "" on PostgreSQL.
func (s *Store) Path() string { return s.path }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
		return fmt.Errorf("ping %s database: %w", s.dialect, err)
	}
	if s.read != s.db {
		if err := s.db.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
			return fmt.Errorf("ping %s database: %w", s.dialect, err)
		}
	}
	return nil
}

// Close closes every connection.
func (s *Store) Close() error {
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c.Close())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// InTx runs fn in one write transaction and commits when fn returns nil;
// any error or panic rolls everything back. The Store fn receives reads and
// writes through the transaction.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	return s.db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		tx := *s
		tx.db, tx.read = g, g
		tx.closers = nil
		return fn(&tx)
	})
}

// w returns the writer bound to ctx.
func (s *Store) w(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// r returns a reader bound to ctx.
func (s *Store) r(ctx context.Context) *gorm.DB { return s.read.WithContext(ctx) }

// RawExec runs one SQL statement through the writer. It is for tests of the
// schema and for maintenance; the application uses the typed methods.
func (s *Store) RawExec(ctx context.Context, sql string, args ...any) error {
	return translate(s.w(ctx).Exec(sql, args...).Error, "exec")
}

// RawScan runs one SQL query through a reader and scans its rows into
// dest. Like RawExec, it is for tests and maintenance.
func (s *Store) RawScan(ctx context.Context, dest any, sql string, args ...any) error {
	return translate(s.r(ctx).Raw(sql, args...).Scan(dest).Error, "query")
}
