-- +goose Up
-- run_lock holds at most one row: the process running the scheduler. On
-- PostgreSQL the lock itself is a session advisory lock, which ends with
-- its holder's session; the row only says who holds it and since when, for
-- messages. Its twin in the sqlite folder is the lock there.
CREATE TABLE run_lock (
    id           SMALLINT PRIMARY KEY CHECK (id = 1),
    holder       TEXT NOT NULL CHECK (holder <> ''),
    token        TEXT NOT NULL CHECK (token <> ''),
    acquired_at  TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE run_lock;
