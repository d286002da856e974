-- Release times read, for each declaration of a period, when it got its lane and when it was
-- released: this index answers both from the index alone, without reading the audit entries.
CREATE INDEX audit_log_declaration_action ON audit_log (declaration_id, action, at_us);
