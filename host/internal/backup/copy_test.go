package backup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

// TestCopyRefuses: a copy never lands on a database that holds anything:
// an existing SQLite file, a PostgreSQL schema with tables (the copied
// database itself), or a schema pg_restore would not restore into.
func TestCopyRefuses(t *testing.T) {
	s := storetest.SQLite(t)
	existing := filepath.Join(t.TempDir(), "there.db")
	os.WriteFile(existing, []byte("keep"), 0o644)
	if err := Copy(ctx, s, s.Path(), existing, t.TempDir()); !errors.Is(err, os.ErrExist) {
		t.Errorf("copy onto an existing file = %v", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep" {
		t.Error("the existing file was changed")
	}
	if err := Copy(ctx, s, s.Path(), "postgres://nobody@127.0.0.1/none", t.TempDir()); err == nil || !strings.Contains(err.Error(), "dialects differ") {
		t.Errorf("copy across dialects = %v", err)
	}

	u := storetest.PostgresURL(t)
	if u == "" {
		t.Skip(storetest.PostgresEnv + " is not set; CI sets it")
	}
	pg, err := store.Open(ctx, store.Options{URL: u}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if _, err := pg.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := pg.Checksum(ctx)
	if err := Copy(ctx, pg, u, u, t.TempDir()); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("copy onto itself = %v, want ErrNotEmpty", err)
	}
	if err := Copy(ctx, pg, u, storetest.PostgresURL(t), t.TempDir()); err == nil || !strings.Contains(err.Error(), "schema") {
		t.Errorf("copy into another schema = %v", err)
	}
	if after, _ := pg.Checksum(ctx); after.All != before.All {
		t.Errorf("a refused copy changed the database: %v", before.Differs(after))
	}
}
