-- Goods traceability: the batches opened when traced goods are released for free circulation,
-- each with its state as a snapshot (read in one row when a report is taken in), its history
-- of movements, who holds how much of it now (for a trader's holdings), and the released
-- declarations the release scan has read, with the scan's cursor.
CREATE TABLE traced_batches (
    number TEXT PRIMARY KEY,
    declaration_id TEXT NOT NULL,
    registration_number TEXT NOT NULL,
    item BIGINT NOT NULL,
    commodity_code TEXT NOT NULL,
    unit TEXT NOT NULL,
    initial_quantity TEXT NOT NULL,
    importer TEXT NOT NULL,
    released_at_us BIGINT NOT NULL,
    snapshot TEXT NOT NULL,
    closed BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at_us BIGINT NOT NULL
);
CREATE INDEX traced_batches_importer ON traced_batches (importer);
CREATE INDEX traced_batches_released ON traced_batches (released_at_us);

CREATE TABLE batch_movements (
    batch TEXT NOT NULL REFERENCES traced_batches (number),
    n BIGINT NOT NULL,
    at_us BIGINT NOT NULL,
    holder_before TEXT NOT NULL,
    holder_after TEXT,
    kind TEXT NOT NULL,
    quantity TEXT NOT NULL,
    document TEXT NOT NULL,
    actor TEXT NOT NULL,
    movement TEXT NOT NULL,
    PRIMARY KEY (batch, n)
);
CREATE INDEX batch_movements_before ON batch_movements (holder_before, batch);
CREATE INDEX batch_movements_after ON batch_movements (holder_after, batch);

-- Only balances above zero are kept, as in the batch's state.
CREATE TABLE batch_holdings (
    batch TEXT NOT NULL REFERENCES traced_batches (number),
    holder TEXT NOT NULL,
    quantity TEXT NOT NULL,
    PRIMARY KEY (batch, holder)
);
CREATE INDEX batch_holdings_holder ON batch_holdings (holder, batch);

-- Each released declaration is read once: its batches opened, or the problems that kept them
-- from opening.
CREATE TABLE traced_declarations (
    declaration_id TEXT PRIMARY KEY,
    batches BIGINT NOT NULL,
    problems TEXT,
    scanned_at_us BIGINT NOT NULL
);

-- The release time up to which the scan has read released declarations. The scan reads again
-- a margin before it, since a release stamped earlier may commit later; traced_declarations
-- keeps it from reading one twice.
CREATE TABLE traceability_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    released_to_us BIGINT NOT NULL
);
INSERT INTO traceability_cursor (id, released_to_us) VALUES (1, 0);
