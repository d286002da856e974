-- Trader organisations and customs representatives: the capacities of each user within its
-- organisation (a user without a row has all of them: the organisation's own account), the
-- authorisations under which a representative (broker) files for a declarant, and the
-- representative of each declaration filed that way.
CREATE TABLE org_members (
    user_name TEXT PRIMARY KEY REFERENCES users (name),
    trader_id TEXT NOT NULL,
    capacities TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at_us BIGINT NOT NULL
);
CREATE INDEX org_members_trader ON org_members (trader_id);

CREATE TABLE authorisations (
    id TEXT PRIMARY KEY,
    representative TEXT NOT NULL,
    declarant TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_until DATE NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at_us BIGINT NOT NULL,
    revoked_by TEXT,
    revoked_at_us BIGINT
);
CREATE INDEX authorisations_representative ON authorisations (representative, declarant);
CREATE INDEX authorisations_declarant ON authorisations (declarant);

ALTER TABLE declarations ADD COLUMN representative TEXT;
CREATE INDEX declarations_representative ON declarations (representative, id) WHERE representative IS NOT NULL;
