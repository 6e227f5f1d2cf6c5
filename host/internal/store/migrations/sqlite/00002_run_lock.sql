-- +goose Up
-- run_lock holds at most one row: the process running the scheduler. On
-- SQLite the row is the lock (processes sharing the file take it in an
-- immediate transaction); its holder refreshes heartbeat_at while it runs,
-- and a row not refreshed for two minutes belongs to a dead process and is
-- taken over. token tells one holding from the next, so a late release or
-- heartbeat never touches another holder's lock.
CREATE TABLE run_lock (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    holder       TEXT NOT NULL CHECK (holder <> ''),
    token        TEXT NOT NULL CHECK (token <> ''),
    acquired_at  TIMESTAMP NOT NULL,
    heartbeat_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE run_lock;
