-- Single Window (E1): other government agencies, the documents they require, the documents
-- they issue, and the quantities declarations reserve and draw on those documents.
CREATE TABLE agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- The declaration fields the agency may read (its competence), comma-separated.
    fields TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL
);

-- Which goods need which document: rows are added and closed (valid_to), never rewritten.
CREATE TABLE sw_requirements (
    id BIGINT PRIMARY KEY,
    agency TEXT NOT NULL REFERENCES agencies (code),
    document_kind TEXT NOT NULL,
    hs_prefix TEXT NOT NULL,
    origins TEXT NOT NULL,
    procedures TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL
);

-- Permits, licences and certificates. The database itself refuses a quantity reserved and
-- drawn beyond what was granted.
CREATE TABLE permits (
    number TEXT PRIMARY KEY,
    agency TEXT NOT NULL REFERENCES agencies (code),
    kind TEXT NOT NULL,
    holder TEXT NOT NULL,
    hs_prefixes TEXT NOT NULL,
    unit TEXT NOT NULL,
    quantity_milli BIGINT NOT NULL,
    reserved_milli BIGINT NOT NULL,
    drawn_milli BIGINT NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CHECK (quantity_milli > 0 AND reserved_milli >= 0 AND drawn_milli >= 0),
    CHECK (reserved_milli + drawn_milli <= quantity_milli)
);
CREATE INDEX permits_holder ON permits (holder);
CREATE INDEX permits_agency ON permits (agency);

-- What each item of a declaration took from a document: reserved at registration, drawn at
-- release, restored on refusal or withdrawal.
CREATE TABLE permit_draws (
    declaration_id TEXT NOT NULL,
    item BIGINT NOT NULL,
    permit TEXT NOT NULL REFERENCES permits (number),
    quantity_milli BIGINT NOT NULL,
    state TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    PRIMARY KEY (declaration_id, item, permit)
);
CREATE INDEX permit_draws_permit ON permit_draws (permit);

-- The declarations whose goods an agency's requirements concern: what the agency may read.
CREATE TABLE agency_declarations (
    agency TEXT NOT NULL,
    declaration_id TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    PRIMARY KEY (agency, declaration_id)
);
CREATE INDEX agency_declarations_declaration ON agency_declarations (declaration_id);
