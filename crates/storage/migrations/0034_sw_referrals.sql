-- A requirement may refer goods whose document is missing or has not enough left to its agency
-- instead of refusing them; the declaration is then registered and waits for the agency's
-- decision on each referred item. A decision is made once.
ALTER TABLE sw_requirements ADD COLUMN on_missing TEXT NOT NULL DEFAULT 'refuse';

CREATE TABLE sw_referrals (
    declaration_id TEXT NOT NULL,
    item BIGINT NOT NULL,
    kind TEXT NOT NULL,
    agency TEXT NOT NULL,
    requirement BIGINT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    state TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    decided_by TEXT,
    decided_at_us BIGINT,
    note TEXT,
    PRIMARY KEY (declaration_id, item, kind),
    CHECK (state IN ('pending', 'allowed', 'refused'))
);
CREATE INDEX sw_referrals_agency ON sw_referrals (agency, state, at_us);
