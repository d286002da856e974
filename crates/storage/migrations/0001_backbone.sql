-- Declaration backbone: offices, principals, keys, risk profiles, declarations, numbering,
-- the hash-chained audit log, release documents and the notification outbox.
-- Times are microseconds since the Unix epoch (UTC) so that hashed values round-trip exactly.

CREATE TABLE offices (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE tokens (
    token_sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    trader_id TEXT
);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    trader_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at_us BIGINT NOT NULL
);
CREATE INDEX signing_keys_trader ON signing_keys (trader_id);

CREATE TABLE risk_profiles (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE declarations (
    id TEXT PRIMARY KEY,
    declarant TEXT NOT NULL,
    idempotency_key TEXT,
    office TEXT,
    state TEXT NOT NULL,
    lane TEXT,
    registration_number TEXT UNIQUE,
    received_at_us BIGINT NOT NULL,
    registered_at_us BIGINT,
    updated_at_us BIGINT NOT NULL,
    document BYTEA NOT NULL,
    document_sha256 TEXT NOT NULL,
    signature TEXT,
    decision TEXT NOT NULL
);
-- NULL keys are distinct in a unique index, so declarations without a key never collide.
CREATE UNIQUE INDEX declarations_idempotency ON declarations (declarant, idempotency_key);
CREATE INDEX declarations_declarant ON declarations (declarant, id);
CREATE INDEX declarations_state_lane ON declarations (state, lane);

-- The storage floor measured by `smartcustoms bench pipeline`: the same rows, no processing.
CREATE TABLE bare_declarations (
    id TEXT PRIMARY KEY,
    declarant TEXT NOT NULL,
    idempotency_key TEXT,
    office TEXT,
    state TEXT NOT NULL,
    lane TEXT,
    registration_number TEXT,
    received_at_us BIGINT NOT NULL,
    registered_at_us BIGINT,
    updated_at_us BIGINT NOT NULL,
    document BYTEA NOT NULL,
    document_sha256 TEXT NOT NULL,
    signature TEXT,
    decision TEXT NOT NULL
);
CREATE INDEX bare_declarations_declarant ON bare_declarations (declarant, id);
CREATE INDEX bare_declarations_state_lane ON bare_declarations (state, lane);

CREATE TABLE registration_sequences (
    office TEXT NOT NULL,
    day DATE NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (office, day)
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at_us BIGINT NOT NULL,
    declaration_id TEXT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_declaration ON audit_log (declaration_id, seq);

--@ postgres
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
--@ sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
--@ end

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE release_documents (
    number TEXT PRIMARY KEY,
    declaration_id TEXT NOT NULL UNIQUE,
    registration_number TEXT NOT NULL,
    released_at TEXT NOT NULL,
    location_of_goods TEXT NOT NULL,
    automatic BOOLEAN NOT NULL
);

CREATE TABLE notifications (
--@ postgres
    id BIGSERIAL PRIMARY KEY,
--@ sqlite
    id INTEGER PRIMARY KEY AUTOINCREMENT,
--@ end
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    delivered_at_us BIGINT
);
CREATE INDEX notifications_recipient ON notifications (recipient, id);
CREATE INDEX notifications_undelivered ON notifications (id) WHERE delivered_at_us IS NULL;
