package store_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

// wantLocked checks that err is ErrRunLocked naming holder.
func wantLocked(t *testing.T, err error, holder string) {
	t.Helper()
	if !errors.Is(err, store.ErrRunLocked) || !strings.Contains(err.Error(), "held by "+holder+" since ") {
		t.Fatalf("err = %v, want ErrRunLocked held by %s", err, holder)
	}
}

// TestRunLockExcludesOtherHosts opens two stores on one database, as two
// hosts (or two processes on one machine) would: while one holds the run
// lock the other cannot take it, until it is released.
func TestRunLockExcludesOtherHosts(t *testing.T) {
	eachURL(t, func(t *testing.T, a *store.Store, url string) {
		b := openStore(t, url)
		if _, held, err := b.RunLockHolder(ctx); err != nil || held {
			t.Fatalf("holder of a new database: held %v, %v", held, err)
		}
		releaseA, err := a.AcquireRunLock(ctx, "host-a")
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.AcquireRunLock(ctx, "host-b")
		wantLocked(t, err, "host-a")
		if !strings.Contains(err.Error(), "acquire run lock for host-b") {
			t.Errorf("err = %v, want it to name the operation", err)
		}
		// One lock per database, not per handle: a second run on host-a
		// waits too.
		_, err = a.AcquireRunLock(ctx, "host-a, second run")
		wantLocked(t, err, "host-a")
		info, held, err := b.RunLockHolder(ctx)
		if err != nil || !held || info.Holder != "host-a" || time.Since(info.Since) > time.Minute || time.Since(info.Since) < -time.Second {
			t.Errorf("holder = %+v, held %v, %v", info, held, err)
		}

		releaseA()
		releaseA() // a second release does nothing
		if _, held, err := b.RunLockHolder(ctx); err != nil || held {
			t.Errorf("after release: held %v, %v", held, err)
		}
		releaseB, err := b.AcquireRunLock(ctx, "host-b")
		if err != nil {
			t.Fatalf("acquire after release: %v", err)
		}
		_, err = a.AcquireRunLock(ctx, "host-a")
		wantLocked(t, err, "host-b")
		releaseB()
		releaseA, err = a.AcquireRunLock(ctx, "host-a")
		if err != nil {
			t.Fatal(err)
		}
		releaseA()
	})
}

func TestRunLockNeedsHolder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, err := s.AcquireRunLock(ctx, "")
		wantFields(t, err, "holder")
	})
}

// TestRunLockSeparateSchemas checks that two crewplan instances in
// different schemas of one PostgreSQL database do not exclude each other
// (as the tests of parallel packages do).
func TestRunLockSeparateSchemas(t *testing.T) {
	a, b := storetest.Postgres(t), storetest.Postgres(t)
	if a == nil {
		t.Skip(storetest.PostgresEnv + " is not set; CI sets it")
	}
	releaseA, err := a.AcquireRunLock(ctx, "instance-a")
	if err != nil {
		t.Fatal(err)
	}
	defer releaseA()
	releaseB, err := b.AcquireRunLock(ctx, "instance-b")
	if err != nil {
		t.Fatalf("a lock in another schema: %v", err)
	}
	releaseB()
}

// TestRunLockStaleTakeover: on SQLite a lock whose heartbeat is older than
// two minutes belongs to a dead process and is taken over; a fresh one is
// not. The holder that lost its lock cannot release its successor's.
func TestRunLockStaleTakeover(t *testing.T) {
	s := storetest.SQLite(t)
	t0 := time.Now().UTC()
	err := s.RawExec(ctx, "INSERT INTO run_lock (id, holder, token, acquired_at, heartbeat_at) VALUES (1, 'host-x', 'tok', ?, ?)",
		t0.Add(-10*time.Minute), t0.Add(-30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.AcquireRunLock(ctx, "host-a")
	wantLocked(t, err, "host-x")

	if err := s.RawExec(ctx, "UPDATE run_lock SET heartbeat_at = ?", t0.Add(-3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, held, err := s.RunLockHolder(ctx); err != nil || held {
		t.Errorf("a stale lock: held %v, %v; want free", held, err)
	}
	releaseA, err := s.AcquireRunLock(ctx, "host-a")
	if err != nil {
		t.Fatalf("take over a stale lock: %v", err)
	}
	if info, held, _ := s.RunLockHolder(ctx); !held || info.Holder != "host-a" {
		t.Errorf("holder after the takeover = %+v, %v", info, held)
	}

	// host-a stalls past the stale timeout and host-b takes over; host-a's
	// late release leaves host-b's lock alone.
	b := openStore(t, s.Path())
	if err := s.RawExec(ctx, "UPDATE run_lock SET heartbeat_at = ?", t0.Add(-5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	releaseB, err := b.AcquireRunLock(ctx, "host-b")
	if err != nil {
		t.Fatal(err)
	}
	releaseA()
	if info, held, _ := s.RunLockHolder(ctx); !held || info.Holder != "host-b" {
		t.Errorf("holder after the old holder's release = %+v, %v; want host-b", info, held)
	}
	releaseB()
	if _, held, _ := s.RunLockHolder(ctx); held {
		t.Error("lock held after its release")
	}
}

// TestRunLockDiesWithItsHolder takes the lock in a child process and kills
// it with SIGKILL. On PostgreSQL the lock ends with the session; on SQLite
// it stays until its heartbeat is stale, and is then taken over.
func TestRunLockDiesWithItsHolder(t *testing.T) {
	eachURL(t, func(t *testing.T, s *store.Store, url string) {
		cmd, out := startChild(t, "hold-run-lock", url)
		if !out.Scan() || out.Text() != "locked" {
			t.Fatalf("child: %q, %v", out.Text(), out.Err())
		}
		_, err := s.AcquireRunLock(ctx, "host-a")
		wantLocked(t, err, "child")
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()

		if s.Dialect() == store.DialectSQLite {
			// Nobody can tell a dead process from a slow one until the
			// heartbeat is stale.
			_, err := s.AcquireRunLock(ctx, "host-a")
			wantLocked(t, err, "child")
			if err := s.RawExec(ctx, "UPDATE run_lock SET heartbeat_at = ?", time.Now().UTC().Add(-3*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		// PostgreSQL ends the session when the killed client's socket
		// closes: at once, but asynchronously.
		deadline := time.Now().Add(5 * time.Second)
		for {
			release, err := s.AcquireRunLock(ctx, "host-a")
			if err == nil {
				release()
				break
			}
			if !errors.Is(err, store.ErrRunLocked) || time.Now().After(deadline) {
				t.Fatalf("acquire after the holder was killed: %v", err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// holdRunLockChild takes the run lock on the database childDBEnv names as
// "child", says "locked" and waits to be killed.
func holdRunLockChild() int {
	s, err := store.Open(ctx, store.Options{URL: os.Getenv(childDBEnv)}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := s.AcquireRunLock(ctx, "child"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	time.Sleep(time.Hour)
	return 0
}
