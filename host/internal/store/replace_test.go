package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

// holidays returns the names of the store's company holidays.
func holidays(t *testing.T, st *store.Store) []string {
	t.Helper()
	var names []string
	if err := st.RawScan(context.Background(), &names, "SELECT name FROM company_holidays ORDER BY date"); err != nil {
		t.Fatal(err)
	}
	return names
}

// TestReplaceSQLite: the store's file is replaced by another database in
// place, and the store reads and writes the new one; the old file's
// write-ahead log, full of writes, is folded into it first and never
// meets the new file.
func TestReplaceSQLite(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	for i := range 200 {
		if err := st.RawExec(ctx, "INSERT INTO company_holidays (date, name) VALUES (?, ?)", fmt.Sprintf("2026-%02d-%02d", 1+i/28, 1+i%28), fmt.Sprintf("old %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(st.Path() + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the old database has no write-ahead log to fold: %v", err)
	}
	other := storetest.SQLite(t)
	if err := other.RawExec(ctx, "INSERT INTO company_holidays (date, name) VALUES ('2027-01-01', 'new year')"); err != nil {
		t.Fatal(err)
	}
	next := st.Path() + store.RestoreSuffix
	if err := other.RawExec(ctx, "VACUUM INTO ?", next); err != nil {
		t.Fatal(err)
	}
	var steps []store.ReplaceStep
	if err := st.ReplaceSQLite(ctx, next, func(s store.ReplaceStep) { steps = append(steps, s) }); err != nil {
		t.Fatal(err)
	}
	if got := holidays(t, st); len(got) != 1 || got[0] != "new year" {
		t.Fatalf("after the swap the store reads %v", got)
	}
	if len(steps) != 2 || steps[0] != store.ReplaceClosed || steps[1] != store.ReplaceRenamed {
		t.Errorf("steps %v", steps)
	}
	if _, err := os.Stat(next); !os.IsNotExist(err) {
		t.Errorf("%s is still there: %v", next, err)
	}
	if err := st.RawExec(ctx, "INSERT INTO company_holidays (date, name) VALUES ('2027-12-25', 'xmas')"); err != nil {
		t.Fatalf("the store does not write after the swap: %v", err)
	}
	if got := holidays(t, st); len(got) != 2 {
		t.Errorf("after a write: %v", got)
	}
}

func TestReplaceSQLiteRefuses(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	if err := st.ReplaceSQLite(ctx, filepath.Join(t.TempDir(), "elsewhere.db"), nil); err == nil {
		t.Error("a file from another folder was swapped in")
	}
	if err := st.ReplaceSQLite(ctx, st.Path()+store.RestoreSuffix, nil); err == nil {
		t.Error("a missing file was swapped in")
	}
	if err := st.Ping(ctx); err != nil {
		t.Errorf("the store is not usable after a refused swap: %v", err)
	}
}
