-- A declaration filed in another format than our JSON (a WCO Data Model DEC message in XML) is
-- stored as the JSON it maps to, which every check reads; the message as received, which its
-- signature covers, is kept beside it.
CREATE TABLE declaration_originals (
    declaration_id TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BYTEA NOT NULL
);
