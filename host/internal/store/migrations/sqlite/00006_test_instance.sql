-- +goose Up
-- test_instance holds at most one row, and only in a test instance's
-- database: what `crewplan testinstance create` copied it from. That is
-- production's database (its URL, password hidden), production's schema
-- version and logical checksum (store.Checksum as JSON) at the moment of
-- the copy, for `crewplan testinstance verify` to check that production
-- is unchanged. Its twin in the other folder must stay in step with this
-- file.
CREATE TABLE test_instance (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    production_db       TEXT NOT NULL,
    production_schema   BIGINT NOT NULL,
    production_checksum TEXT NOT NULL,
    created_at          TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE test_instance;
