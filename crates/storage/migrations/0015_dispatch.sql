-- Electronic declaration centres, their inspectors, the dispatch rules (versioned) and the
-- dispatch of each case under control with its reasons.
CREATE TABLE centres (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    office TEXT
);

CREATE TABLE inspectors (
    user_name TEXT PRIMARY KEY,
    centre TEXT NOT NULL REFERENCES centres (code),
    competences TEXT NOT NULL,
    leave_from_us BIGINT,
    leave_until_us BIGINT
);

CREATE TABLE dispatch_rules (
    version BIGINT PRIMARY KEY,
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at_us BIGINT NOT NULL
);

CREATE TABLE dispatches (
    declaration_id TEXT PRIMARY KEY,
    centre TEXT NOT NULL,
    inspector TEXT,
    reasons TEXT NOT NULL,
    at_us BIGINT NOT NULL
);
CREATE INDEX dispatches_inspector ON dispatches (inspector);
