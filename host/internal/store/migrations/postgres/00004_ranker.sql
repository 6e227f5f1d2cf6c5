-- +goose Up
-- shadow is a run's shadow-mode report, a JSON object: how a ranking model
-- that scored every placement without deciding compared with the ranking
-- that placed ({} when no model ran in shadow).
ALTER TABLE scheduler_runs ADD COLUMN shadow TEXT NOT NULL DEFAULT '{}';

-- ranker_shadow holds at most one row: the shadow mode set with
-- `crewplan ranker shadow on|off` (or the API), which wins over the
-- configuration's ranker.shadow. No row: the configuration decides. Its
-- twin in the other folder must stay in step with this file.
CREATE TABLE ranker_shadow (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    shadow     BOOLEAN NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE ranker_shadow;
ALTER TABLE scheduler_runs DROP COLUMN shadow;
