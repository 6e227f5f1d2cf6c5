-- +goose Up
-- shadow is a run's shadow-mode report, a JSON object: how a ranking model
-- that scored every placement without deciding compared with the ranking
-- that placed ({} when no model ran in shadow). Its twin in the other
-- folder must stay in step with it.
ALTER TABLE scheduler_runs ADD COLUMN shadow TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE scheduler_runs DROP COLUMN shadow;
