-- +goose Up
-- The crewplan schema, version 1. This file is written for SQLite;
-- its twin in the other dialect's folder must stay in step with it.
-- Dates are TEXT in YYYY-MM-DD form (checked: a value must equal
-- date(value)), so the driver hands them over as text without trying to
-- parse them as times.

CREATE TABLE employees (
    id                     TEXT PRIMARY KEY CHECK (id <> '' AND length(id) <= 64),
    name                   TEXT NOT NULL CHECK (name <> ''),
    role                   TEXT NOT NULL CHECK (role IN ('club_supervisor', 'lead', 'specialist', 'juicer')),
    active                 BOOLEAN NOT NULL DEFAULT TRUE,
    terminated_on          TEXT CHECK (terminated_on IS date(terminated_on)),
    external_id            TEXT UNIQUE CHECK (external_id <> ''),
    adult_beverage_trained BOOLEAN NOT NULL DEFAULT FALSE,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);

-- weekly_availability holds the days of a weekly pattern that were given;
-- a missing day means available.
CREATE TABLE weekly_availability (
    employee_id TEXT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    weekday     SMALLINT NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    available   BOOLEAN NOT NULL,
    PRIMARY KEY (employee_id, weekday)
);

-- date_availability holds date-specific unavailability and overrides; an
-- override (available on that date) wins over an unavailability, which wins
-- over the weekly pattern.
CREATE TABLE date_availability (
    employee_id TEXT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    date        TEXT NOT NULL CHECK (date IS date(date)),
    kind        TEXT NOT NULL CHECK (kind IN ('unavailable', 'override')),
    reason      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (employee_id, date, kind)
);
CREATE INDEX date_availability_date ON date_availability (date);

CREATE TABLE time_off (
    id          INTEGER PRIMARY KEY,
    employee_id TEXT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    start_date  TEXT NOT NULL CHECK (start_date IS date(start_date)),
    end_date    TEXT NOT NULL CHECK (end_date IS date(end_date)),
    reason      TEXT NOT NULL DEFAULT '',
    CHECK (end_date >= start_date)
);
CREATE INDEX time_off_employee ON time_off (employee_id, start_date);

CREATE TABLE events (
    ref          INTEGER PRIMARY KEY CHECK (ref > 0),
    name         TEXT NOT NULL CHECK (name <> ''),
    type         TEXT NOT NULL CHECK (type IN ('core', 'supervisor', 'juicer', 'freeosk', 'digital', 'other')),
    kind         TEXT NOT NULL DEFAULT '' CHECK (kind IN ('', 'setup', 'refresh', 'teardown', 'production', 'survey')),
    start_date   TEXT NOT NULL CHECK (start_date IS date(start_date)),
    due_date     TEXT NOT NULL CHECK (due_date IS date(due_date)),
    duration_min INTEGER NOT NULL CHECK (duration_min BETWEEN 1 AND 1440),
    condition    TEXT NOT NULL DEFAULT 'unstaffed' CHECK (condition IN ('unstaffed', 'scheduled', 'submitted', 'canceled', 'expired')),
    parent_ref   BIGINT REFERENCES events (ref) ON DELETE SET NULL,
    store_id     TEXT NOT NULL DEFAULT '',
    location_id  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    CHECK (due_date >= start_date),
    CHECK (parent_ref IS NULL OR parent_ref <> ref)
);
-- Lists read a window of events by due date then ref: this index gives
-- that order without a sort and covers the columns a list shows, so the
-- hottest read never visits the table (a third faster on a month).
CREATE INDEX events_list ON events (due_date, ref, start_date, name, type, kind, duration_min, condition, parent_ref, store_id, location_id);
CREATE INDEX events_parent ON events (parent_ref);

CREATE TABLE scheduler_runs (
    id              INTEGER PRIMARY KEY,
    status          TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'superseded', 'approved', 'rejected')),
    triggered_by    TEXT NOT NULL CHECK (triggered_by IN ('manual', 'cron', 'single', 'simulate')),
    requested_by    TEXT NOT NULL DEFAULT '',
    host            TEXT NOT NULL DEFAULT '',
    run_now         TEXT NOT NULL DEFAULT '',
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    considered      INTEGER NOT NULL DEFAULT 0 CHECK (considered >= 0),
    placed          INTEGER NOT NULL DEFAULT 0 CHECK (placed >= 0),
    failed          INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
    bumps           INTEGER NOT NULL DEFAULT 0 CHECK (bumps >= 0),
    bound           INTEGER CHECK (bound >= 0),
    ranker          TEXT NOT NULL DEFAULT 'rules',
    fallbacks       INTEGER NOT NULL DEFAULT 0 CHECK (fallbacks >= 0),
    fallback_detail TEXT NOT NULL DEFAULT '{}',
    elapsed_ms      INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scheduler_runs_status ON scheduler_runs (status);

CREATE TABLE posted_schedules (
    id           INTEGER PRIMARY KEY,
    event_ref    BIGINT NOT NULL UNIQUE REFERENCES events (ref) ON DELETE CASCADE,
    employee_id  TEXT NOT NULL REFERENCES employees (id) ON DELETE RESTRICT,
    date         TEXT NOT NULL CHECK (date IS date(date)),
    start_minute SMALLINT NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    external_id  TEXT,
    source       TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'run', 'import', 'sync')),
    run_id       BIGINT REFERENCES scheduler_runs (id) ON DELETE SET NULL,
    posted_by    TEXT NOT NULL DEFAULT '',
    override_reason TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX posted_schedules_date ON posted_schedules (date);
CREATE INDEX posted_schedules_employee ON posted_schedules (employee_id, date);

-- pending_schedules are a run's proposals; bumps_posted_id is the posted
-- schedule a proposal would replace, applied only on approval.
CREATE TABLE pending_schedules (
    id               INTEGER PRIMARY KEY,
    run_id           BIGINT NOT NULL REFERENCES scheduler_runs (id) ON DELETE CASCADE,
    event_ref        BIGINT NOT NULL REFERENCES events (ref) ON DELETE CASCADE,
    employee_id      TEXT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    date             TEXT NOT NULL CHECK (date IS date(date)),
    start_minute     SMALLINT NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    bumps_posted_id  BIGINT REFERENCES posted_schedules (id) ON DELETE SET NULL,
    bumped_event_ref BIGINT,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'failed', 'superseded')),
    error            TEXT NOT NULL DEFAULT '',
    edited_by        TEXT NOT NULL DEFAULT '',
    override_reason  TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    UNIQUE (run_id, event_ref)
);
CREATE INDEX pending_schedules_run ON pending_schedules (run_id, status);
CREATE INDEX pending_schedules_date ON pending_schedules (date);

-- run_failures are the events a run could not place, with a reason a person
-- can act on.
CREATE TABLE run_failures (
    run_id    BIGINT NOT NULL REFERENCES scheduler_runs (id) ON DELETE CASCADE,
    event_ref BIGINT NOT NULL REFERENCES events (ref) ON DELETE CASCADE,
    reason    TEXT NOT NULL CHECK (reason <> ''),
    PRIMARY KEY (run_id, event_ref)
);

CREATE TABLE rotations (
    type        TEXT NOT NULL CHECK (type IN ('juicer', 'primary_lead')),
    weekday     SMALLINT NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    employee_id TEXT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    PRIMARY KEY (type, weekday)
);

CREATE TABLE rotation_exceptions (
    date        TEXT NOT NULL CHECK (date IS date(date)),
    type        TEXT NOT NULL CHECK (type IN ('juicer', 'primary_lead')),
    employee_id TEXT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (date, type)
);

CREATE TABLE company_holidays (
    date TEXT PRIMARY KEY CHECK (date IS date(date)),
    name TEXT NOT NULL CHECK (name <> '')
);

CREATE TABLE locked_days (
    date      TEXT PRIMARY KEY CHECK (date IS date(date)),
    reason    TEXT NOT NULL CHECK (reason <> ''),
    locked_by TEXT NOT NULL CHECK (locked_by <> ''),
    locked_at TIMESTAMP NOT NULL
);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY CHECK (key IN ('time_slots', 'scheduler')),
    value      TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE attendance_records (
    id           INTEGER PRIMARY KEY,
    event_ref    BIGINT NOT NULL REFERENCES events (ref) ON DELETE CASCADE,
    employee_id  TEXT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    date         TEXT NOT NULL CHECK (date IS date(date)),
    status       TEXT NOT NULL CHECK (status IN ('on_time', 'late', 'called_in', 'no_call_no_show', 'excused')),
    minutes_late INTEGER NOT NULL DEFAULT 0 CHECK (minutes_late >= 0),
    note         TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL DEFAULT '',
    recorded_at  TIMESTAMP NOT NULL,
    UNIQUE (event_ref, employee_id)
);
CREATE INDEX attendance_records_employee ON attendance_records (employee_id, date);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE CHECK (username <> ''),
    display_name  TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'scheduler', 'viewer')),
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL
);

-- sessions keep the SHA-256 of the session token, never the token.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TIMESTAMP NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL DEFAULT '',
    reason    TEXT NOT NULL DEFAULT '',
    details   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE attendance_records;
DROP TABLE settings;
DROP TABLE locked_days;
DROP TABLE company_holidays;
DROP TABLE rotation_exceptions;
DROP TABLE rotations;
DROP TABLE run_failures;
DROP TABLE pending_schedules;
DROP TABLE posted_schedules;
DROP TABLE scheduler_runs;
DROP TABLE events;
DROP TABLE time_off;
DROP TABLE date_availability;
DROP TABLE weekly_availability;
DROP TABLE employees;
