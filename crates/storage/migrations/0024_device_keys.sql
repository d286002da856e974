-- The public keys of devices (navigation seals, checkpoint equipment) whose messages are
-- signed: one key in force per device; registering another replaces it.
CREATE TABLE device_keys (
    device TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at_us BIGINT NOT NULL
);
