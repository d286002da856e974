-- Scheduled and background work runs once per deployment, whatever the number of server
-- processes: a process claims a job through its lease row (a conditional update, so two
-- processes never both win) and records each run.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    lease_until_us BIGINT NOT NULL,
    last_started_us BIGINT NOT NULL
);

CREATE TABLE job_runs (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    holder TEXT NOT NULL,
    started_at_us BIGINT NOT NULL,
    finished_at_us BIGINT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX job_runs_name ON job_runs (name, started_at_us);
