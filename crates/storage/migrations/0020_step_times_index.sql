-- Release times read, for each declaration of a period, when it got its lane and when it was
-- released: this index answers both from the index alone, without reading the audit entries.
CREATE INDEX audit_log_declaration_action ON audit_log (declaration_id, action, at_us);
-- The declarations of a period with what the release times and the dashboard group them by,
-- read from the index alone rather than from rows that carry the whole document.
CREATE INDEX declarations_step_times ON declarations (received_at_us, registered_at_us, lane, office, transport_mode, id);
