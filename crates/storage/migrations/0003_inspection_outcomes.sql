-- Outcomes of controls, one per controlled declaration: the labels of the risk engine.
CREATE TABLE inspection_outcomes (
    id BIGSERIAL PRIMARY KEY,
    declaration_id TEXT NOT NULL UNIQUE,
    declarant TEXT NOT NULL,
    officer TEXT NOT NULL,
    released BOOLEAN NOT NULL,
    irregular BOOLEAN NOT NULL,
    irregularities TEXT NOT NULL,
    additional_duty_cents BIGINT NOT NULL,
    source TEXT NOT NULL,
    at_us BIGINT NOT NULL
);
