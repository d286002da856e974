-- The knowledge base: answers to the WCO Smart Customs survey with their attached files, and
-- maturity self-assessments. Answers are kept whole (JSON of the validated form); what another
-- member may see of them is decided when they are read.
CREATE TABLE survey_answers (
    id BIGSERIAL PRIMARY KEY,
    submitter TEXT NOT NULL,
    submitted_at_us BIGINT NOT NULL,
    answer TEXT NOT NULL
);

CREATE TABLE survey_attachments (
    answer_id BIGINT NOT NULL REFERENCES survey_answers (id),
    n BIGINT NOT NULL CHECK (n BETWEEN 1 AND 3),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (answer_id, n)
);

CREATE TABLE maturity_assessments (
    id BIGSERIAL PRIMARY KEY,
    administration TEXT NOT NULL,
    author TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    assessment TEXT NOT NULL
);

-- Activity over the last days (the platform's own maturity profile) is counted by time.
CREATE INDEX audit_log_at ON audit_log (at_us);
