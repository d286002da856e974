-- When each declaration got its lane and when it was released, kept on its row (written by the
-- transaction that writes the audit entry) so that the release times of a period are read from
-- one index rather than from two audit lookups per declaration.
ALTER TABLE declarations ADD COLUMN lane_at_us BIGINT;
ALTER TABLE declarations ADD COLUMN released_at_us BIGINT;
UPDATE declarations SET
    lane_at_us = (SELECT MIN(a.at_us) FROM audit_log a WHERE a.declaration_id = declarations.id AND a.action = 'lane_assigned'),
    released_at_us = (SELECT MIN(a.at_us) FROM audit_log a WHERE a.declaration_id = declarations.id AND a.action = 'released')
WHERE registered_at_us IS NOT NULL;
DROP INDEX declarations_step_times;
CREATE INDEX declarations_step_times ON declarations
    (received_at_us, registered_at_us, lane, office, transport_mode, lane_at_us, released_at_us);
