package testinstance_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/crewplan/crewplan/host/internal/testinstance"
)

// BenchmarkCreate measures testinstance create on the demo store (copy,
// checksum, migrate, record, models) against its baseline in the same
// run: the bare snapshot (VACUUM INTO) of the same database.
func BenchmarkCreate(b *testing.B) {
	home(b, nil)
	pair, prod := newPair(b)
	b.Run("snapshot", func(b *testing.B) {
		dir := b.TempDir()
		for b.Loop() {
			if err := prod.SnapshotSQLite(ctx, filepath.Join(dir, "copy.db")); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			os.Remove(filepath.Join(dir, "copy.db"))
			b.StartTimer()
		}
	})
	b.Run("create", func(b *testing.B) {
		for b.Loop() {
			if _, err := pair.Create(ctx, testinstance.CreateOptions{Replace: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
