package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"

	"gorm.io/gorm"
)

// ErrWrongDialect means a method for one database was called on a store of
// the other.
var ErrWrongDialect = errors.New("wrong database dialect")

// SnapshotSQLite writes a consistent copy of the SQLite database to path
// with VACUUM INTO, while the application keeps reading and writing. It
// runs on the writer connection (the readers are query-only, which VACUUM
// INTO refuses), so writes wait for it to finish. path must not exist.
func (s *Store) SnapshotSQLite(ctx context.Context, path string) error {
	if s.dialect != DialectSQLite {
		return fmt.Errorf("snapshot sqlite: %w: the store is %s", ErrWrongDialect, s.dialect)
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("snapshot sqlite to %s: %w", path, os.ErrExist)
	}
	if err := s.w(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("snapshot sqlite %s to %s: %w", s.path, path, err)
	}
	return nil
}

// PostgresSnapshot is what SnapshotPostgres read inside its transaction:
// the exported snapshot's id, the schema the store's tables live in, the
// schema version and the row count of every table, all as of the same
// moment.
type PostgresSnapshot struct {
	// ID is the value of pg_export_snapshot(), for pg_dump --snapshot.
	ID string
	// Schema is current_schema(): where the store's tables are.
	Schema string
	// Version is the schema version (goose_db_version), 0 when none.
	Version int64
	// Rows is the row count of every table in Schema.
	Rows map[string]int64
}

// SnapshotPostgres opens a read-only REPEATABLE READ transaction, exports
// its snapshot, reads the schema version and every table's row count, and
// calls fn while the transaction stays open, so that fn can run pg_dump
// --snapshot=ID and dump exactly what was counted.
func (s *Store) SnapshotPostgres(ctx context.Context, fn func(ctx context.Context, snap PostgresSnapshot) error) error {
	if s.dialect != DialectPostgres {
		return fmt.Errorf("snapshot postgres: %w: the store is %s", ErrWrongDialect, s.dialect)
	}
	opts := &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var snap PostgresSnapshot
		if err := tx.Raw("SELECT pg_export_snapshot()").Scan(&snap.ID).Error; err != nil {
			return fmt.Errorf("snapshot postgres: export snapshot: %w", err)
		}
		if err := tx.Raw("SELECT current_schema()").Scan(&snap.Schema).Error; err != nil {
			return fmt.Errorf("snapshot postgres: current schema: %w", err)
		}
		rows, err := tableCounts(tx, DialectPostgres)
		if err != nil {
			return fmt.Errorf("snapshot postgres: %w", err)
		}
		snap.Rows = rows
		if _, ok := snap.Rows["goose_db_version"]; ok {
			err := tx.Raw("SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&snap.Version).Error
			if err != nil {
				return fmt.Errorf("snapshot postgres: schema version: %w", err)
			}
		}
		return fn(ctx, snap)
	}, opts)
}

// TableCounts returns the row count of every table of the database (on
// PostgreSQL, of the store's schema), by name, as one transaction sees
// them.
func (s *Store) TableCounts(ctx context.Context) (map[string]int64, error) {
	var rows map[string]int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		rows, err = tableCounts(tx, s.dialect)
		return err
	})
	return rows, err
}

// tableCounts counts the rows of every table through tx.
func tableCounts(tx *gorm.DB, dialect string) (map[string]int64, error) {
	tables, err := listTables(tx, dialect)
	if err != nil {
		return nil, err
	}
	rows := make(map[string]int64, len(tables))
	for _, t := range tables {
		var n int64
		if err := tx.Raw("SELECT count(*) FROM " + quoteIdent(t)).Scan(&n).Error; err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		rows[t] = n
	}
	return rows, nil
}

// listTables returns the names of the tables of the database (on
// PostgreSQL, of the current schema), in order.
func listTables(tx *gorm.DB, dialect string) ([]string, error) {
	list := `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
	if dialect == DialectPostgres {
		list = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	var tables []string
	if err := tx.Raw(list).Scan(&tables).Error; err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return tables, nil
}

// quoteIdent quotes a PostgreSQL or SQLite identifier.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// DropTables drops every table of the database (on PostgreSQL, of the
// store's schema) in one transaction: for emptying a copy, never the
// database people work with.
func (s *Store) DropTables(ctx context.Context) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		tables, err := listTables(tx, s.dialect)
		if err != nil {
			return err
		}
		for _, t := range tables {
			drop := "DROP TABLE IF EXISTS " + quoteIdent(t)
			if s.dialect == DialectPostgres {
				drop += " CASCADE"
			}
			if err := tx.Exec(drop).Error; err != nil {
				return fmt.Errorf("drop %s: %w", t, err)
			}
		}
		return nil
	})
}
