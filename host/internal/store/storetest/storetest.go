// Package storetest opens real databases for tests: a SQLite file in a
// temporary folder, and a private schema on the PostgreSQL server named by
// CREWPLAN_TEST_POSTGRES_URL when it is set (CI sets it).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/crewplan/crewplan/host/internal/store"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// PostgresEnv names the variable holding the test PostgreSQL server's URL.
const PostgresEnv = "CREWPLAN_TEST_POSTGRES_URL"

// SQLite opens a migrated SQLite store in t.TempDir and closes it when the
// test ends.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, store.Options{URL: filepath.Join(t.TempDir(), "crewplan.db")})
}

// Postgres opens a migrated store in a new schema of the test PostgreSQL
// server, dropped when the test ends. It returns nil when
// CREWPLAN_TEST_POSTGRES_URL is not set.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	u := PostgresURL(t)
	if u == "" {
		return nil
	}
	return open(t, store.Options{URL: u})
}

// PostgresURL creates a private schema on the test PostgreSQL server and
// returns a URL whose search_path selects it; "" when
// CREWPLAN_TEST_POSTGRES_URL is not set. The schema is dropped when the
// test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		return ""
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresEnv, err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if db, err := admin.DB(); err == nil {
			db.Close()
		}
	})
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	return pu.String()
}

func open(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, opts, nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// Each runs f as a subtest against SQLite and, when the test server is
// configured, PostgreSQL.
func Each(t *testing.T, f func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) {
		s := Postgres(t)
		if s == nil {
			t.Skip(PostgresEnv + " is not set; CI sets it")
		}
		f(t, s)
	})
}
