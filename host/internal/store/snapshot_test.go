package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

func TestSnapshot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		path := filepath.Join(t.TempDir(), "copy.db")
		var snap store.PostgresSnapshot
		pgErr := s.SnapshotPostgres(ctx, func(_ context.Context, ps store.PostgresSnapshot) error { snap = ps; return nil })
		sqErr := s.SnapshotSQLite(ctx, path)
		if s.Dialect() == store.DialectSQLite {
			if sqErr != nil {
				t.Fatal(sqErr)
			}
			if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
				t.Errorf("snapshot file: %v", err)
			}
			if err := s.SnapshotSQLite(ctx, path); !errors.Is(err, os.ErrExist) {
				t.Errorf("a second snapshot onto the file = %v, want ErrExist", err)
			}
			if !errors.Is(pgErr, store.ErrWrongDialect) {
				t.Errorf("SnapshotPostgres on SQLite = %v, want ErrWrongDialect", pgErr)
			}
			return
		}
		if pgErr != nil {
			t.Fatal(pgErr)
		}
		st, err := s.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if snap.ID == "" || snap.Schema == "" || snap.Version != st.Current || snap.Rows["goose_db_version"] == 0 {
			t.Errorf("snapshot = %+v, want an id, the schema and version %d", snap, st.Current)
		}
		if _, ok := snap.Rows["employees"]; !ok {
			t.Errorf("rows = %v, want every table", snap.Rows)
		}
		if !errors.Is(sqErr, store.ErrWrongDialect) {
			t.Errorf("SnapshotSQLite on PostgreSQL = %v, want ErrWrongDialect", sqErr)
		}
	})
}
