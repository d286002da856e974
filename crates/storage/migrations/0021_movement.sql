-- Movement of goods: transit movements with their MRN, guarantee and state, each movement's
-- timeline, the seals on it, guarantee certificates, the MRN serials, the reports of the
-- navigation seals with the incidents they showed, and pre-arrival information.
CREATE TABLE transits (
    id TEXT PRIMARY KEY,
    mrn TEXT NOT NULL UNIQUE,
    filer TEXT NOT NULL,
    local_reference TEXT NOT NULL,
    declarant TEXT NOT NULL,
    office_of_departure TEXT NOT NULL,
    office_of_destination TEXT NOT NULL,
    state TEXT NOT NULL,
    guarantee_kind TEXT NOT NULL,
    guarantee_reference TEXT,
    guarantee_hold TEXT NOT NULL,
    stake_duty_cents BIGINT NOT NULL,
    stake_vat_cents BIGINT NOT NULL,
    stake TEXT NOT NULL,
    refusal TEXT,
    discrepancies BOOLEAN NOT NULL DEFAULT FALSE,
    time_limit_at_us BIGINT NOT NULL,
    route TEXT NOT NULL,
    seals TEXT NOT NULL,
    document BYTEA NOT NULL,
    signature TEXT,
    filed_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    UNIQUE (filer, local_reference)
);
CREATE INDEX transits_filer ON transits (filer, filed_at_us);
CREATE INDEX transits_state ON transits (state, time_limit_at_us);

CREATE TABLE transit_seals (
    seal_id TEXT NOT NULL,
    transit_id TEXT NOT NULL REFERENCES transits (id),
    PRIMARY KEY (seal_id, transit_id)
);

CREATE TABLE transit_events (
    transit_id TEXT NOT NULL REFERENCES transits (id),
    n BIGINT NOT NULL,
    at_us BIGINT NOT NULL,
    event TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    actor TEXT NOT NULL,
    details TEXT NOT NULL,
    PRIMARY KEY (transit_id, n)
);

-- The access code is kept only as its digest; the balance never leaves 0 to the limit.
CREATE TABLE guarantee_certificates (
    reference TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    digest TEXT NOT NULL,
    limit_cents BIGINT NOT NULL,
    balance_cents BIGINT NOT NULL CHECK (balance_cents >= 0 AND balance_cents <= limit_cents),
    issued_by TEXT NOT NULL,
    issued_at_us BIGINT NOT NULL
);

CREATE TABLE mrn_serials (
    country TEXT NOT NULL,
    year BIGINT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (country, year)
);

-- Every report a seal sent on a movement, once per sequence number, with the monitor's verdict.
CREATE TABLE seal_reports (
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
    verdict TEXT NOT NULL,
    PRIMARY KEY (transit_id, seal_id, seq)
);
CREATE INDEX seal_reports_received ON seal_reports (transit_id, received_at_us);

-- The incidents of a seal's journey (alerts), raised once, amended and ended in place.
CREATE TABLE seal_incidents (
    transit_id TEXT NOT NULL,
    seal_id TEXT NOT NULL,
    number BIGINT NOT NULL,
    kind TEXT NOT NULL,
    opened_at_us BIGINT NOT NULL,
    opened_by BIGINT,
    closed_at_us BIGINT,
    closed_by BIGINT,
    disproved BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at_us BIGINT NOT NULL,
    PRIMARY KEY (transit_id, seal_id, number)
);
CREATE INDEX seal_incidents_open ON seal_incidents (kind, transit_id) WHERE closed_at_us IS NULL;

CREATE TABLE pre_arrivals (
    id TEXT PRIMARY KEY,
    filer TEXT NOT NULL,
    reference TEXT NOT NULL,
    office_of_entry TEXT NOT NULL,
    transport_document TEXT NOT NULL,
    means_id TEXT NOT NULL,
    expected_arrival_at_us BIGINT NOT NULL,
    decision TEXT NOT NULL,
    control TEXT NOT NULL,
    document BYTEA NOT NULL,
    signature TEXT,
    filed_at_us BIGINT NOT NULL,
    UNIQUE (filer, reference)
);
CREATE INDEX pre_arrivals_document ON pre_arrivals (transport_document);
CREATE INDEX pre_arrivals_means ON pre_arrivals (means_id, expected_arrival_at_us);
