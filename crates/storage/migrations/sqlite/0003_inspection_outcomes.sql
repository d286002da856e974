-- Outcomes of controls, one per controlled declaration: the labels of the risk engine.
CREATE TABLE inspection_outcomes (
    id INTEGER PRIMARY KEY,
    declaration_id TEXT NOT NULL UNIQUE,
    declarant TEXT NOT NULL,
    officer TEXT NOT NULL,
    released INTEGER NOT NULL,
    irregular INTEGER NOT NULL,
    irregularities TEXT NOT NULL,
    additional_duty_cents INTEGER NOT NULL,
    source TEXT NOT NULL,
    at_us INTEGER NOT NULL
);
