-- The smart checkpoint: each checkpoint's settings (slots, priority rules, decision tolerance),
-- the vehicles booked for it or queued at it with their latest decision, the equipment's events
-- (matched to a vehicle or not) and every decision taken on a vehicle, in order.
CREATE TABLE checkpoints (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    rules TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL
);

CREATE TABLE checkpoint_vehicles (
    id TEXT PRIMARY KEY,
    checkpoint TEXT NOT NULL REFERENCES checkpoints (code),
    plate TEXT NOT NULL,
    country TEXT,
    carrier TEXT,
    slot_us BIGINT,
    joined_at_us BIGINT,
    arrived_at_us BIGINT,
    called_at_us BIGINT,
    crossed_at_us BIGINT,
    state TEXT NOT NULL,
    facts TEXT NOT NULL,
    basis TEXT NOT NULL,
    pre_arrival TEXT,
    transit TEXT,
    class BIGINT NOT NULL,
    operations TEXT NOT NULL,
    decision TEXT NOT NULL,
    done TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL
);
CREATE INDEX checkpoint_vehicles_open ON checkpoint_vehicles (checkpoint, state, plate);
CREATE INDEX checkpoint_vehicles_slot ON checkpoint_vehicles (checkpoint, slot_us);
CREATE INDEX checkpoint_vehicles_crossed ON checkpoint_vehicles (checkpoint, crossed_at_us);
CREATE INDEX checkpoint_vehicles_carrier ON checkpoint_vehicles (carrier, created_at_us);

CREATE TABLE checkpoint_events (
    id TEXT PRIMARY KEY,
    checkpoint TEXT NOT NULL REFERENCES checkpoints (code),
    vehicle TEXT REFERENCES checkpoint_vehicles (id),
    kind TEXT NOT NULL,
    device TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    received_at_us BIGINT NOT NULL,
    body TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX checkpoint_events_vehicle ON checkpoint_events (vehicle, at_us);
CREATE INDEX checkpoint_events_unmatched ON checkpoint_events (checkpoint, received_at_us) WHERE vehicle IS NULL;

CREATE TABLE checkpoint_decisions (
    vehicle TEXT NOT NULL REFERENCES checkpoint_vehicles (id),
    n BIGINT NOT NULL,
    at_us BIGINT NOT NULL,
    trigger TEXT NOT NULL,
    operations TEXT NOT NULL,
    decision TEXT NOT NULL,
    PRIMARY KEY (vehicle, n)
);
