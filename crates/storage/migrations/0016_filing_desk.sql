-- The filing desk: declarations being prepared, kept as the form's fields, and the signing
-- keys people hold on the server, sealed under their passphrase (the public half is in
-- signing_keys like any declarant key).
CREATE TABLE drafts (
    id TEXT PRIMARY KEY,
    trader_id TEXT NOT NULL,
    author TEXT NOT NULL,
    title TEXT NOT NULL,
    fields TEXT NOT NULL,
    saved_at_us BIGINT NOT NULL
);
CREATE INDEX drafts_trader ON drafts (trader_id, saved_at_us);

CREATE TABLE personal_keys (
    user_name TEXT PRIMARY KEY REFERENCES users (name),
    kid TEXT NOT NULL REFERENCES signing_keys (kid),
    salt TEXT NOT NULL,
    nonce TEXT NOT NULL,
    sealed TEXT NOT NULL,
    created_at_us BIGINT NOT NULL
);
