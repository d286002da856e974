-- People sign in with a user name and password (argon2 hash) and get a server-side session;
-- machines keep API tokens, which now have an id, an expiry and a revocation time. Failed
-- sign-ins are kept for rate limiting. Session ids and tokens are stored only as SHA-256.
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    trader_id TEXT,
    created_at_us BIGINT NOT NULL,
    disabled_at_us BIGINT
);

CREATE TABLE sessions (
    id_sha256 TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users (name),
    csrf TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    last_seen_us BIGINT NOT NULL,
    expires_at_us BIGINT NOT NULL,
    ended_at_us BIGINT
);
CREATE INDEX sessions_user ON sessions (user_name);

CREATE TABLE sign_in_failures (
    id BIGSERIAL PRIMARY KEY,
    user_name TEXT NOT NULL,
    address TEXT NOT NULL,
    at_us BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_user ON sign_in_failures (user_name, at_us);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at_us);

ALTER TABLE tokens ADD COLUMN id TEXT;
ALTER TABLE tokens ADD COLUMN issued_at_us BIGINT;
ALTER TABLE tokens ADD COLUMN expires_at_us BIGINT;
ALTER TABLE tokens ADD COLUMN revoked_at_us BIGINT;
UPDATE tokens SET id = substr(token_sha256, 1, 16);
CREATE UNIQUE INDEX tokens_id ON tokens (id);
