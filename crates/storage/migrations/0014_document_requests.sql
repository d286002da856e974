-- Officers' requests for documents on a declaration under control, and the declarant's
-- answers with their files. A request's id is the audit sequence number of the entry that
-- asked.
CREATE TABLE document_requests (
    id BIGINT PRIMARY KEY,
    declaration_id TEXT NOT NULL,
    asked_by TEXT NOT NULL,
    question TEXT NOT NULL,
    due_at_us BIGINT NOT NULL,
    asked_at_us BIGINT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at_us BIGINT
);
CREATE INDEX document_requests_declaration ON document_requests (declaration_id, id);

CREATE TABLE request_files (
    request_id BIGINT NOT NULL REFERENCES document_requests (id),
    n BIGINT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (request_id, n)
);
