-- +goose Up
-- ranking_models is the model registry: one row per ranking model added,
-- its module kept as file (relative to the models directory, named by its
-- SHA-256). At most one model is active; none means the rule-based ranking
-- decides. activated_at is when a model last went live through an
-- activation; a rollback clears it on the model it leaves, so that the
-- activated_at order is the history the next rollback walks back. Its
-- twin in the postgres folder must stay in step with it.
CREATE TABLE ranking_models (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL CHECK (name <> ''),
    version      TEXT NOT NULL CHECK (version <> ''),
    sha256       TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    file         TEXT NOT NULL CHECK (file <> ''),
    created_at   TIMESTAMP NOT NULL,
    metrics      TEXT NOT NULL DEFAULT '{}',
    card         TEXT NOT NULL DEFAULT '{}',
    active       BOOLEAN NOT NULL DEFAULT FALSE,
    activated_at TIMESTAMP,
    CHECK (NOT active OR activated_at IS NOT NULL)
);
-- At most one active model.
CREATE UNIQUE INDEX ranking_models_one_active ON ranking_models (active) WHERE active;

-- +goose Down
DROP TABLE ranking_models;
