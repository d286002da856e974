-- Seals' reports are first written in the order they arrive (`seal_log`), which touches only
-- the newest pages of one table and one index however many seals report at once; the seal's
-- monitor later places them, several of one seal at a time, into `seal_reports`, kept by
-- movement, seal and sequence number, and the placed rows leave the log. Written straight
-- into `seal_reports`, every report of a large fleet lands on a page of its own, and SQLite
-- writes each such page whole at every commit.
CREATE TABLE seal_log (
    transit_id TEXT NOT NULL,
    seal_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    device_at_us BIGINT NOT NULL,
    received_at_us BIGINT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    battery DOUBLE PRECISION NOT NULL,
    state TEXT NOT NULL,
    events TEXT NOT NULL,
    verdict TEXT NOT NULL
);
CREATE INDEX seal_log_received ON seal_log (received_at_us);

-- Rebuilding a seal's monitor reads its reports by the key and sorts them; the index by
-- arrival cost a second randomly placed page per report.
DROP INDEX seal_reports_received;
