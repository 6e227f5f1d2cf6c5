package backup

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/crewplan/crewplan/host/internal/store"
	_ "github.com/glebarez/go-sqlite" // registers "sqlite" for reading snapshot copies
)

// ErrToolMissing means a PostgreSQL client program the backup needs is not
// installed.
var ErrToolMissing = errors.New("program not found")

// snapshot is a copy of the database in the work folder, with what was
// read from it at the same moment.
type snapshot struct {
	path    string // the SQLite copy or the pg_dump archive
	name    string // its base name: "db.sqlite" or "db.pgdump"
	dialect string
	version int64
	rows    map[string]int64
}

// takeSnapshot copies the store's database into dir while the application
// keeps serving. dbURL is the PostgreSQL URL pg_dump connects with; SQLite
// ignores it.
func takeSnapshot(ctx context.Context, s *store.Store, dir, dbURL string) (*snapshot, error) {
	switch s.Dialect() {
	case store.DialectSQLite:
		snap := &snapshot{path: filepath.Join(dir, "db.sqlite"), name: "db.sqlite", dialect: store.DialectSQLite}
		// Its schema version and row counts are read by Build, with the
		// integrity check, while the copy compresses.
		if err := s.SnapshotSQLite(ctx, snap.path); err != nil {
			return nil, err
		}
		return snap, nil
	case store.DialectPostgres:
		if dbURL == "" {
			return nil, errors.New("snapshot postgres: no database URL for pg_dump (Options.DatabaseURL)")
		}
		pgDump, err := findTool("pg_dump")
		if err != nil {
			return nil, fmt.Errorf("snapshot postgres: %w", err)
		}
		snap := &snapshot{path: filepath.Join(dir, "db.pgdump"), name: "db.pgdump", dialect: store.DialectPostgres}
		err = s.SnapshotPostgres(ctx, func(ctx context.Context, ps store.PostgresSnapshot) error {
			snap.version, snap.rows = ps.Version, ps.Rows
			conn, env, err := libpqURL(dbURL)
			if err != nil {
				return err
			}
			// The archive is left uncompressed: zstd compresses it next.
			return run(ctx, env, nil, pgDump, "--format=custom", "--compress=0",
				"--snapshot="+ps.ID, "--schema="+quoteIdent(ps.Schema),
				"--file="+snap.path, "--dbname="+conn)
		})
		if err != nil {
			_ = os.Remove(snap.path)
			return nil, err
		}
		return snap, nil
	default:
		return nil, fmt.Errorf("snapshot: unknown dialect %q", s.Dialect())
	}
}

// dbStats is what a database copy holds: its schema version and the row
// count of every table.
type dbStats struct {
	version int64
	rows    map[string]int64
}

// inspectSQLite opens a SQLite copy read-only and reads its schema version
// and row counts; with integrity it first runs PRAGMA integrity_check,
// which must say "ok".
func inspectSQLite(ctx context.Context, path string, integrity bool) (dbStats, error) {
	var st dbStats
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		return st, err
	}
	defer db.Close()
	if integrity {
		rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
		if err != nil {
			return st, fmt.Errorf("integrity check: %w", err)
		}
		var problems []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				rows.Close()
				return st, fmt.Errorf("integrity check: %w", err)
			}
			problems = append(problems, line)
		}
		err = errors.Join(rows.Err(), rows.Close())
		if err != nil {
			return st, fmt.Errorf("integrity check: %w", err)
		}
		if len(problems) != 1 || problems[0] != "ok" {
			if len(problems) > 5 {
				problems = append(problems[:5], "...")
			}
			return st, fmt.Errorf("integrity check: %w: %s", ErrCorrupt, strings.Join(problems, "; "))
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema
		WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return st, fmt.Errorf("list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return st, fmt.Errorf("list tables: %w", err)
		}
		tables = append(tables, t)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return st, fmt.Errorf("list tables: %w", err)
	}
	st.rows = make(map[string]int64, len(tables))
	for _, t := range tables {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(t)).Scan(&n); err != nil {
			return st, fmt.Errorf("count %s: %w", t, err)
		}
		st.rows[t] = n
	}
	if _, ok := st.rows["goose_db_version"]; ok {
		err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&st.version)
		if err != nil {
			return st, fmt.Errorf("schema version: %w", err)
		}
	}
	return st, nil
}

func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// findTool finds a PostgreSQL client program on PATH or, as Debian installs
// them, in /usr/lib/postgresql/<version>/bin (the newest version first:
// pg_dump must be at least as new as the server).
func findTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return compareVersionDirs(b, a) })
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %s is not on PATH nor in /usr/lib/postgresql/*/bin; install the PostgreSQL client programs of the server's version (Debian: apt-get install postgresql-client-15)", ErrToolMissing, name)
}

// compareVersionDirs orders /usr/lib/postgresql/<n>/bin by n as a number.
func compareVersionDirs(a, b string) int {
	va, vb := filepath.Base(filepath.Dir(a)), filepath.Base(filepath.Dir(b))
	if len(va) != len(vb) {
		return len(va) - len(vb)
	}
	return strings.Compare(va, vb)
}

// libpqURL turns the store's database URL into one libpq accepts: the
// password moves to PGPASSWORD (so it is not on a command line), and
// search_path, which pgx takes as a parameter and libpq refuses, is dropped
// (pg_dump is told the schema instead).
func libpqURL(raw string) (string, []string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", nil, fmt.Errorf("database URL %s: %w", store.RedactURL(raw), err)
	}
	var env []string
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), env, nil
}

// run runs a program and returns an error holding the end of its standard
// error when it fails. stdout, when not nil, gets its standard output.
func run(ctx context.Context, env []string, stdout *bytes.Buffer, prog string, args ...string) error {
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if stdout != nil {
		cmd.Stdout = stdout
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(prog), err, lastLines(stderr.String(), 5))
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}

// pgRestore replaces the objects of the dump's schema in the database at
// dbURL with the dump's, in one transaction: the database is the old one
// or the restored one, never a mix.
func pgRestore(ctx context.Context, dump, dbURL string) error {
	prog, err := findTool("pg_restore")
	if err != nil {
		return err
	}
	conn, env, err := libpqURL(dbURL)
	if err != nil {
		return err
	}
	return run(ctx, env, nil, prog, "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
		"--no-owner", "--no-privileges", "--dbname="+conn, dump)
}
