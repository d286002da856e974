-- E-commerce parcels (E3): low-value consignments filed in bulk by operators. One row per
-- parcel accepted (released or held), unique per operator and transaction id; one row per
-- bulk file with its counts and the parcels it refused.
CREATE TABLE parcel_batches (
    id TEXT PRIMARY KEY,
    operator TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    lines BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    duty_cents BIGINT NOT NULL,
    vat_cents BIGINT NOT NULL,
    refusals TEXT NOT NULL,
    received_at_us BIGINT NOT NULL
);
CREATE INDEX parcel_batches_operator ON parcel_batches (operator, received_at_us);

CREATE TABLE parcels (
    id TEXT PRIMARY KEY,
    operator TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    seller_key TEXT NOT NULL,
    buyer_key TEXT NOT NULL,
    hs6 TEXT NOT NULL,
    origin TEXT NOT NULL,
    value_eur_cents BIGINT NOT NULL,
    duty_cents BIGINT NOT NULL,
    vat_cents BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    flags TEXT NOT NULL,
    document TEXT NOT NULL,
    received_at_us BIGINT NOT NULL,
    UNIQUE (operator, transaction_id)
);
CREATE INDEX parcels_pair ON parcels (buyer_key, seller_key, received_at_us);
CREATE INDEX parcels_batch ON parcels (batch_id);

-- VAT scheme registrations (IOSS-like numbers) and the seller each belongs to.
CREATE TABLE vat_registrations (
    number TEXT PRIMARY KEY,
    seller TEXT NOT NULL,
    seller_key TEXT NOT NULL,
    country TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at_us BIGINT NOT NULL
);
