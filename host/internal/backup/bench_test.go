package backup

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/demo"
	"github.com/crewplan/crewplan/host/internal/store"
)

// The benchmarks' databases are made once per test binary, in fixtureDir,
// which TestMain removes.
var (
	fixtureDir    string
	fixtureOnce   sync.Once
	fixtureErr    error
	fixtureStores []benchDB
)

type benchDB struct {
	name string
	s    *store.Store
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range fixtureStores {
		f.s.Close()
	}
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// benchDBs returns the demo database and a generated one of about 100 MiB
// (a long audit log), both SQLite.
func benchDBs(b *testing.B) []benchDB {
	b.Helper()
	fixtureOnce.Do(func() {
		fixtureDir, fixtureErr = os.MkdirTemp("", "crewplan-backup-bench-")
		if fixtureErr != nil {
			return
		}
		open := func(name string) (*store.Store, error) {
			s, err := store.Open(ctx, store.Options{URL: filepath.Join(fixtureDir, name+".db")}, nil)
			if err != nil {
				return nil, err
			}
			fixtureStores = append(fixtureStores, benchDB{name, s})
			_, err = s.Migrate(ctx)
			return s, err
		}
		s, err := open("demo")
		if err == nil {
			_, err = demo.Load(ctx, s, time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
		}
		if err != nil {
			fixtureErr = err
			return
		}
		if s, err = open("100MiB"); err == nil {
			err = fillAuditLog(s, 100<<20)
		}
		fixtureErr = err
	})
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	return fixtureStores
}

// fillAuditLog appends audit entries of a realistic shape until the
// database file holds size bytes.
func fillAuditLog(s *store.Store, size int64) error {
	const batch = 50000
	for i := 0; ; i += batch {
		err := s.RawExec(ctx, `INSERT INTO audit_log (at, actor, action, entity, entity_id, reason, details)
			WITH RECURSIVE c(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM c WHERE i < ?)
			SELECT datetime('2025-01-01', '+' || (i * 37 % 31536000) || ' seconds'),
				'user' || (i % 40),
				CASE i % 4 WHEN 0 THEN 'schedule.approve' WHEN 1 THEN 'event.update' WHEN 2 THEN 'employee.update' ELSE 'attendance.record' END,
				'event', CAST(abs(random()) % 100000 AS TEXT),
				CASE WHEN i % 7 = 0 THEN 'swap asked for by the employee' ELSE '' END,
				printf('{"before":{"start":"2026-%02d-%02dT%02d:00","employee":%d,"note":"%s"},"after":{"start":"2026-%02d-%02dT%02d:00","employee":%d,"note":"%s"}}',
					1 + i % 12, 1 + i % 28, 6 + i % 12, abs(random()) % 500, lower(hex(randomblob(6))),
					1 + i % 12, 1 + (i + 3) % 28, 6 + (i + 2) % 12, abs(random()) % 500, lower(hex(randomblob(6))))
			FROM c`, i, i+batch-1)
		if err != nil {
			return err
		}
		if err := s.RawExec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return err
		}
		fi, err := os.Stat(s.Path())
		if err != nil {
			return err
		}
		if fi.Size() >= size {
			return nil
		}
	}
}

// BenchmarkSnapshotCompressVerify times a whole backup into a folder
// (VACUUM INTO, zstd, config archive, verification with integrity check
// and row counts, manifest) and, when the sqlite3 shell is installed, the
// same work done the common way: sqlite3's .backup, gzip, gunzip and
// PRAGMA integrity_check (without row counts).
func BenchmarkSnapshotCompressVerify(b *testing.B) {
	for _, db := range benchDBs(b) {
		b.Run(db.name+"/crewplan-zstd", func(b *testing.B) {
			var size int64
			for b.Loop() {
				dir, err := os.MkdirTemp(fixtureDir, "run-")
				if err != nil {
					b.Fatal(err)
				}
				m, err := Build(ctx, db.s, dir, Options{Config: []File{{Name: "base.yaml", Data: []byte("listen: :8000\n")}}})
				if err != nil {
					b.Fatal(err)
				}
				f, _ := m.File(RoleDatabase)
				size = f.Size
				os.RemoveAll(dir)
			}
			b.ReportMetric(float64(size)/(1<<20), "MiB-stored")
		})
		b.Run(db.name+"/sqlite3-backup-gzip", func(b *testing.B) {
			if _, err := exec.LookPath("sqlite3"); err != nil {
				b.Skip("the sqlite3 shell is not installed (apt-get install -y sqlite3)")
			}
			if _, err := exec.LookPath("gzip"); err != nil {
				b.Skip("gzip is not installed")
			}
			var size int64
			for b.Loop() {
				dir, err := os.MkdirTemp(fixtureDir, "run-")
				if err != nil {
					b.Fatal(err)
				}
				copyPath := filepath.Join(dir, "copy.db")
				sh(b, "sqlite3", db.s.Path(), ".backup '"+copyPath+"'")
				sh(b, "gzip", copyPath)
				fi, err := os.Stat(copyPath + ".gz")
				if err != nil {
					b.Fatal(err)
				}
				size = fi.Size()
				sh(b, "gunzip", "-k", copyPath+".gz")
				if out := sh(b, "sqlite3", copyPath, "PRAGMA integrity_check"); out != "ok" {
					b.Fatalf("integrity_check: %s", out)
				}
				os.RemoveAll(dir)
			}
			b.ReportMetric(float64(size)/(1<<20), "MiB-stored")
		})
	}
}

func sh(b *testing.B, prog string, args ...string) string {
	b.Helper()
	out, err := exec.Command(prog, args...).CombinedOutput()
	if err != nil {
		b.Fatalf("%s %s: %v: %s", prog, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// BenchmarkCompress compares zstd (what backups use) with gzip on a
// snapshot of each database: throughput over the raw bytes, and the ratio
// raw/stored.
func BenchmarkCompress(b *testing.B) {
	for _, db := range benchDBs(b) {
		raw := filepath.Join(fixtureDir, db.name+"-snapshot.db")
		if _, err := os.Stat(raw); err != nil {
			if err := db.s.SnapshotSQLite(ctx, raw); err != nil {
				b.Fatal(err)
			}
		}
		for _, c := range []codec{codecZstd, codecGzip} {
			packed := filepath.Join(fixtureDir, fmt.Sprintf("%s-snapshot.db.%s", db.name, c))
			b.Run(db.name+"/"+c.String()+"/compress", func(b *testing.B) {
				var f ManifestFile
				for b.Loop() {
					os.Remove(packed)
					var err error
					if f, err = compressFile(ctx, c, raw, packed, nil); err != nil {
						b.Fatal(err)
					}
				}
				b.SetBytes(f.RawSize)
				b.ReportMetric(float64(f.RawSize)/float64(f.Size), "ratio")
			})
			b.Run(db.name+"/"+c.String()+"/decompress", func(b *testing.B) {
				fi, err := os.Stat(raw)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := os.Stat(packed); err != nil {
					b.Skip("run with the compress benchmark")
				}
				out := packed + ".out"
				for b.Loop() {
					os.Remove(out)
					if _, _, err := decompressFile(ctx, c, packed, out, fi.Size()); err != nil {
						b.Fatal(err)
					}
				}
				os.Remove(out)
				b.SetBytes(fi.Size())
			})
		}
	}
}
