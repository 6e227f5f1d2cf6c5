-- +goose Up
-- What Store.WorkedVersion reads before every run with a ranking model:
-- the latest change and the count before a day of the history tables,
-- answered from these indexes instead of a scan of each table. Its twin in
-- the other folder must stay in step with this file.
CREATE INDEX attendance_records_date ON attendance_records (date);
CREATE INDEX attendance_records_recorded ON attendance_records (recorded_at);
CREATE INDEX posted_schedules_created ON posted_schedules (created_at);
CREATE INDEX events_updated ON events (updated_at);

-- +goose Down
DROP INDEX events_updated;
DROP INDEX posted_schedules_created;
DROP INDEX attendance_records_recorded;
DROP INDEX attendance_records_date;
