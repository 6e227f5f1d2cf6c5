package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"
)

// ErrRunLocked means another host or process holds the run lock: a
// scheduler run is in progress there.
var ErrRunLocked = errors.New("a scheduler run is already in progress")

// The run lock's timing on SQLite: the holder refreshes its heartbeat every
// runLockHeartbeat; a lock whose heartbeat is older than runLockStale
// belongs to a process that died, and the next AcquireRunLock takes it
// over.
const (
	runLockHeartbeat = 20 * time.Second
	runLockStale     = 2 * time.Minute
)

// runLockClass is the first key of the PostgreSQL advisory lock ("crew");
// the second is a hash of the schema, so that crewplan instances in
// different schemas of one database do not exclude each other.
const runLockClass = 0x63726577

// RunLockInfo says who holds the run lock and since when.
type RunLockInfo struct {
	Holder string    `json:"holder"`
	Since  time.Time `json:"since"`
}

// runLockRow is the one row of run_lock. On SQLite it is the lock; on
// PostgreSQL, where the lock is an advisory lock, it only says who holds
// it.
type runLockRow struct {
	ID          int64 `gorm:"primaryKey;autoIncrement:false"`
	Holder      string
	Token       string
	AcquiredAt  time.Time
	HeartbeatAt time.Time
}

// TableName is the table of runLockRow.
func (runLockRow) TableName() string { return "run_lock" }

// AcquireRunLock takes the lock that lets one scheduler run happen at a
// time across every host and process sharing the database; holder names
// the taker in messages (a host name and process, say). It returns
// ErrRunLocked, saying who holds it and since when, when it is taken. The
// caller must call release when the run ends; release never fails (it
// logs).
//
// On PostgreSQL the lock is a session advisory lock on a connection kept
// for it, so a crashed host's lock ends with its session. On SQLite it is
// the one row of run_lock, which the holder refreshes every 20 seconds; a
// lock not refreshed for 2 minutes is taken over. Call it on the Store
// Open returned, not inside InTx.
func (s *Store) AcquireRunLock(ctx context.Context, holder string) (release func(), err error) {
	if holder == "" {
		return nil, fmt.Errorf("acquire run lock: %w", &ValidationError{Fields: []FieldError{{Field: "holder", Message: "is required"}}})
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	if s.dialect == DialectPostgres {
		release, err = s.acquirePostgresRunLock(ctx, holder, token)
	} else {
		release, err = s.acquireSQLiteRunLock(ctx, holder, token)
	}
	if err != nil {
		return nil, fmt.Errorf("acquire run lock for %s: %w", holder, err)
	}
	s.log.Info("run lock acquired", slog.String("holder", holder))
	return release, nil
}

// RunLockHolder returns who holds the run lock; held is false when nobody
// does (on SQLite, a stale lock counts as free).
func (s *Store) RunLockHolder(ctx context.Context) (info RunLockInfo, held bool, err error) {
	var rows []runLockRow
	if err := s.r(ctx).Where("id = 1").Limit(1).Find(&rows).Error; err != nil {
		return RunLockInfo{}, false, translate(err, "read run lock")
	}
	if s.dialect == DialectPostgres {
		var schema string
		if err := s.r(ctx).Raw("SELECT coalesce(current_schema(), '')").Scan(&schema).Error; err != nil {
			return RunLockInfo{}, false, translate(err, "read run lock")
		}
		var n int64
		err := s.r(ctx).Raw(`SELECT count(*) FROM pg_locks
			WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid::bigint = ? AND objid::bigint = ?
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
			runLockClass, runLockKey(schema)).Scan(&n).Error
		if err != nil {
			return RunLockInfo{}, false, translate(err, "read run lock")
		}
		if n == 0 {
			return RunLockInfo{}, false, nil
		}
		if len(rows) == 0 {
			// Taken an instant ago: the holder has not written its name yet.
			return RunLockInfo{Holder: unknownHolder, Since: time.Now().UTC()}, true, nil
		}
		return RunLockInfo{Holder: rows[0].Holder, Since: rows[0].AcquiredAt.UTC()}, true, nil
	}
	if len(rows) == 0 || time.Since(rows[0].HeartbeatAt) >= runLockStale {
		return RunLockInfo{}, false, nil
	}
	return RunLockInfo{Holder: rows[0].Holder, Since: rows[0].AcquiredAt.UTC()}, true, nil
}

// unknownHolder names a holder that has not written its name yet.
const unknownHolder = "another host"

// errRunLocked is ErrRunLocked with who holds the lock.
func errRunLocked(info RunLockInfo) error {
	return fmt.Errorf("%w: held by %s since %s", ErrRunLocked, info.Holder, info.Since.UTC().Format(time.RFC3339))
}

// acquireSQLiteRunLock takes the run_lock row in one immediate
// transaction, so processes sharing the file take turns: it succeeds when
// the row is absent or stale.
func (s *Store) acquireSQLiteRunLock(ctx context.Context, holder, token string) (func(), error) {
	err := s.InTx(ctx, func(tx *Store) error {
		var cur []runLockRow
		if err := tx.w(ctx).Where("id = 1").Limit(1).Find(&cur).Error; err != nil {
			return translate(err, "read run lock")
		}
		now := time.Now().UTC()
		if len(cur) == 1 {
			if age := now.Sub(cur[0].HeartbeatAt); age < runLockStale {
				return errRunLocked(RunLockInfo{Holder: cur[0].Holder, Since: cur[0].AcquiredAt})
			}
			s.log.Warn("taking over a stale run lock", slog.String("holder", cur[0].Holder),
				slog.Time("since", cur[0].AcquiredAt), slog.Time("heartbeat", cur[0].HeartbeatAt))
			if err := tx.w(ctx).Where("id = 1").Delete(&runLockRow{}).Error; err != nil {
				return translate(err, "take over run lock")
			}
		}
		row := runLockRow{ID: 1, Holder: holder, Token: token, AcquiredAt: now, HeartbeatAt: now}
		return translate(tx.w(ctx).Create(&row).Error, "write run lock")
	})
	if err != nil {
		return nil, err
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go s.heartbeatRunLock(holder, token, stop, done)
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			<-done
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := s.w(ctx).Where("id = 1 AND token = ?", token).Delete(&runLockRow{}).Error; err != nil {
				s.log.Error("release run lock", slog.String("holder", holder), slog.Any("error", err))
				return
			}
			s.log.Info("run lock released", slog.String("holder", holder))
		})
	}, nil
}

// heartbeatRunLock refreshes the SQLite run lock until stop is closed. It
// gives up when the lock was taken over (the process stalled for longer
// than runLockStale).
func (s *Store) heartbeatRunLock(holder, token string, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(runLockHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), runLockHeartbeat)
		res := s.w(ctx).Model(&runLockRow{}).Where("id = 1 AND token = ?", token).Update("heartbeat_at", time.Now().UTC())
		cancel()
		switch {
		case res.Error != nil:
			s.log.Warn("refresh run lock", slog.String("holder", holder), slog.Any("error", res.Error))
		case res.RowsAffected == 0:
			s.log.Error("run lock lost: another process took it over as stale", slog.String("holder", holder))
			return
		}
	}
}

// runLockKey is the second key of the advisory lock: a hash of the schema.
func runLockKey(schema string) int64 {
	h := fnv.New32a()
	h.Write([]byte(schema))
	return int64(h.Sum32() & 0x7fffffff)
}

// acquirePostgresRunLock takes the advisory lock on a connection of its
// own, kept until release, and records the holder in run_lock.
func (s *Store) acquirePostgresRunLock(ctx context.Context, holder, token string) (func(), error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, translate(err, "connect for the run lock")
	}
	var schema string
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(current_schema(), '')").Scan(&schema); err != nil {
		_ = conn.Close()
		return nil, translate(err, "read schema")
	}
	key := runLockKey(schema)
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", runLockClass, key).Scan(&ok); err != nil {
		discardConn(conn)
		return nil, translate(err, "take advisory lock")
	}
	if !ok {
		_ = conn.Close()
		info, held, err := s.RunLockHolder(ctx)
		// A holder that took the lock an instant ago writes its name
		// right after: wait a moment for it rather than say "another host".
		for i := 0; i < 20 && err == nil && held && info.Holder == unknownHolder; i++ {
			time.Sleep(5 * time.Millisecond)
			info, held, err = s.RunLockHolder(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("%w (and reading who holds it: %v)", ErrRunLocked, err)
		}
		if !held {
			// Released between the try and the look.
			info = RunLockInfo{Holder: unknownHolder, Since: time.Now().UTC()}
		}
		return nil, errRunLocked(info)
	}
	now := time.Now().UTC()
	_, err = conn.ExecContext(ctx, `INSERT INTO run_lock (id, holder, token, acquired_at, heartbeat_at) VALUES (1, $1, $2, $3, $3)
		ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, token = EXCLUDED.token,
		acquired_at = EXCLUDED.acquired_at, heartbeat_at = EXCLUDED.heartbeat_at`, holder, token, now)
	if err != nil {
		// Closing the session drops the advisory lock.
		discardConn(conn)
		return nil, translate(err, "write run lock")
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := conn.ExecContext(ctx, "DELETE FROM run_lock WHERE id = 1 AND token = $1", token); err != nil {
				s.log.Warn("clear run lock holder", slog.String("holder", holder), slog.Any("error", err))
			}
			if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1, $2)", runLockClass, key); err != nil {
				s.log.Warn("release run lock (closing its session instead)", slog.String("holder", holder), slog.Any("error", err))
			}
			discardConn(conn)
			s.log.Info("run lock released", slog.String("holder", holder))
		})
	}, nil
}

// discardConn closes a connection for good instead of returning it to the
// pool: its session, and any advisory lock it still holds, end.
func discardConn(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}
