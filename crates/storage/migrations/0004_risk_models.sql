-- The self-adjusting risk system: every trained model version (promoted or not) with its data
-- window and measures, the operator categories in force, and AEO authorisations.
CREATE TABLE risk_models (
    version BIGINT PRIMARY KEY,
    trained_at_us BIGINT NOT NULL,
    promoted BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL,
    reason TEXT NOT NULL,
    info TEXT NOT NULL,
    document TEXT NOT NULL
);

CREATE TABLE operator_categories (
    party TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    record TEXT NOT NULL,
    computed_at_us BIGINT NOT NULL
);

CREATE TABLE aeo_holders (
    party TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    added_at_us BIGINT NOT NULL
);

CREATE INDEX declarations_received ON declarations (received_at_us);
