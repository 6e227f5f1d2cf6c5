package store_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

// TestChecksum: the same rows give the same checksum, a copy's too; a
// changed row changes its table's checksum only; the test-instance record
// reads back as written.
func TestChecksum(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		a, err := s.Checksum(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.All) != 64 || a.Tables["employees"] == "" || a.Tables["goose_db_version"] == "" {
			t.Fatalf("checksum = %+v", a)
		}
		if b, err := s.Checksum(ctx); err != nil || b.All != a.All || len(a.Differs(b)) != 0 {
			t.Errorf("checksum twice: %v %v", b, err)
		}
		if s.Dialect() == store.DialectSQLite {
			path := filepath.Join(t.TempDir(), "copy.db")
			if err := s.SnapshotSQLite(ctx, path); err != nil {
				t.Fatal(err)
			}
			c, err := store.Open(ctx, store.Options{URL: path}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if sum, err := c.Checksum(ctx); err != nil || sum.All != a.All {
				t.Errorf("the copy's checksum differs: %v (%v)", a.Differs(sum), err)
			}
		}
		if err := s.RawExec(ctx, "UPDATE employees SET name = name || 'x' WHERE id = (SELECT min(id) FROM employees)"); err != nil {
			t.Fatal(err)
		}
		b, err := s.Checksum(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Differs(b); !slices.Equal(got, []string{"employees"}) || b.All == a.All {
			t.Errorf("after changing one employee, differs = %v", got)
		}

		if _, ok, err := s.TestInstance(ctx); ok || err != nil {
			t.Errorf("a database without a record: %v %v", ok, err)
		}
		want := store.TestInstance{ProductionDB: "data/crewplan.db", ProductionSchema: 6, ProductionChecksum: a, CreatedAt: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
		for range 2 { // the second replaces the first
			if err := s.RecordTestInstance(ctx, want); err != nil {
				t.Fatal(err)
			}
		}
		got, ok, err := s.TestInstance(ctx)
		if err != nil || !ok || got.ProductionDB != want.ProductionDB || got.ProductionSchema != 6 ||
			got.ProductionChecksum.All != a.All || len(got.ProductionChecksum.Differs(a)) != 0 || !got.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("TestInstance = %+v, %v, %v", got, ok, err)
		}
	})
}
