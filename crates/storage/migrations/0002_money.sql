-- Money: the duty calculation kept with each declaration, the single personal account as a
-- double-entry ledger, the versioned tariff and the price observations of the value check.
-- Amounts are whole cents of the national currency.

ALTER TABLE declarations ADD COLUMN duties TEXT;
ALTER TABLE declarations ADD COLUMN duties_cents BIGINT;
ALTER TABLE declarations ADD COLUMN pending TEXT;
ALTER TABLE bare_declarations ADD COLUMN duties TEXT;
ALTER TABLE bare_declarations ADD COLUMN duties_cents BIGINT;
ALTER TABLE bare_declarations ADD COLUMN pending TEXT;
CREATE INDEX declarations_awaiting ON declarations (declarant, received_at_us) WHERE state = 'awaiting_payment';

CREATE TABLE ledger_postings (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    trader TEXT NOT NULL,
    declaration_id TEXT,
    reference TEXT,
    at_us BIGINT NOT NULL,
    actor TEXT NOT NULL
);
-- A payment reference is used once per kind: a bank's repeated notification finds it.
CREATE UNIQUE INDEX ledger_postings_reference ON ledger_postings (kind, reference) WHERE reference IS NOT NULL;
CREATE INDEX ledger_postings_trader ON ledger_postings (trader, id);
CREATE INDEX ledger_postings_declaration ON ledger_postings (declaration_id) WHERE declaration_id IS NOT NULL;

CREATE TABLE ledger_lines (
    posting_id BIGINT NOT NULL REFERENCES ledger_postings (id),
    debit TEXT NOT NULL,
    credit TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0)
);
CREATE INDEX ledger_lines_posting ON ledger_lines (posting_id);

-- Balances are derived from the lines and kept here for the checks of the next posting; the
-- database refuses any balance below zero whatever the code does.
CREATE TABLE ledger_balances (
    account TEXT PRIMARY KEY,
    balance_cents BIGINT NOT NULL CHECK (balance_cents >= 0)
);

--@ postgres

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the ledger is append-only'; END;
$$;
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_lines_append_only BEFORE UPDATE OR DELETE ON ledger_lines
FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
--@ sqlite
CREATE TRIGGER ledger_postings_no_update BEFORE UPDATE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_lines_no_update BEFORE UPDATE ON ledger_lines
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_lines_no_delete BEFORE DELETE ON ledger_lines
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
--@ end

-- Tariff measures, country groups and exchange rates: every change is a new version of an
-- entry; the latest version of each entry is in force unless it is withdrawn.
CREATE TABLE tariff_entries (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    withdrawn BOOLEAN NOT NULL DEFAULT FALSE,
    author TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    PRIMARY KEY (kind, key, version)
);

CREATE TABLE price_observations (
    id BIGSERIAL PRIMARY KEY,
    hs6 TEXT NOT NULL,
    origin TEXT NOT NULL,
    value_per_kg TEXT,
    value_per_unit TEXT,
    source TEXT NOT NULL
);

-- Registered declarations whose item values have been added to the price observations.
CREATE TABLE price_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_declaration TEXT NOT NULL
);
INSERT INTO price_cursor (id, last_declaration) VALUES (1, '');
