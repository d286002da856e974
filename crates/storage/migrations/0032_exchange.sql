-- "Your export is my import" (E2): partner administrations and their keys, our own exchange
-- key, the partners' export messages as received, the imports that cite them and what differs,
-- and the outbox of our signed messages about released exports.
CREATE TABLE exchange_partners (
    country TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    endpoint TEXT,
    registered_by TEXT NOT NULL,
    registered_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL
);

-- A partner's keys: a replaced key is ended, never deleted, so its messages stay verifiable.
CREATE TABLE exchange_partner_keys (
    key_id TEXT PRIMARY KEY,
    country TEXT NOT NULL REFERENCES exchange_partners (country),
    public_key TEXT NOT NULL,
    valid_from_us BIGINT NOT NULL,
    ended_at_us BIGINT
);
CREATE INDEX exchange_partner_keys_country ON exchange_partner_keys (country);

-- Our administration's signing key, made once by the first process that needs it, so every
-- process of a deployment signs with the same key.
CREATE TABLE exchange_own_key (
    id BIGINT PRIMARY KEY,
    key_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    secret_key TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    CHECK (id = 1)
);

-- Partners' messages, each kept as the compact JWS received; one per partner and reference.
CREATE TABLE exchange_inbound (
    partner TEXT NOT NULL,
    reference TEXT NOT NULL,
    key_id TEXT NOT NULL,
    jws TEXT NOT NULL,
    payload TEXT NOT NULL,
    released_at_us BIGINT NOT NULL,
    received_at_us BIGINT NOT NULL,
    PRIMARY KEY (partner, reference)
);
CREATE INDEX exchange_inbound_reference ON exchange_inbound (reference);

-- Which declarations cite which partner reference (document N830 on an item).
CREATE TABLE exchange_citations (
    reference TEXT NOT NULL,
    declaration_id TEXT NOT NULL,
    cited_at_us BIGINT NOT NULL,
    PRIMARY KEY (reference, declaration_id)
);

-- Each declaration matched once with each partner message it cites, and every difference.
CREATE TABLE exchange_matches (
    declaration_id TEXT NOT NULL,
    partner TEXT NOT NULL,
    reference TEXT NOT NULL,
    mismatches BIGINT NOT NULL,
    matched_at_us BIGINT NOT NULL,
    PRIMARY KEY (declaration_id, partner, reference)
);
CREATE TABLE exchange_mismatches (
    declaration_id TEXT NOT NULL,
    partner TEXT NOT NULL,
    reference TEXT NOT NULL,
    n BIGINT NOT NULL,
    code TEXT NOT NULL,
    export_line BIGINT,
    import_item BIGINT,
    export_value TEXT,
    import_value TEXT,
    message TEXT NOT NULL,
    found_at_us BIGINT NOT NULL,
    PRIMARY KEY (declaration_id, partner, reference, n)
);

-- Our messages about released exports: one per declaration, delivered at least once.
CREATE TABLE exchange_outbox (
    id TEXT PRIMARY KEY,
    declaration_id TEXT NOT NULL UNIQUE,
    partner TEXT NOT NULL,
    reference TEXT NOT NULL,
    key_id TEXT NOT NULL,
    jws TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    last_error TEXT,
    -- A failed delivery is tried again from then, later after each failure.
    next_attempt_at_us BIGINT NOT NULL,
    delivered_at_us BIGINT
);
CREATE INDEX exchange_outbox_created ON exchange_outbox (created_at_us);

-- The release time up to which released exports were scanned. Exports released before the
-- exchange existed are not sent.
CREATE TABLE exchange_cursor (
    id BIGINT PRIMARY KEY,
    released_to_us BIGINT NOT NULL
);
INSERT INTO exchange_cursor (id, released_to_us)
    SELECT 1, COALESCE(MAX(released_at_us), 0) FROM declarations;
