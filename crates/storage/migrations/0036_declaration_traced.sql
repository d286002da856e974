-- Whether an accepted declaration opens batches of traced goods at its release (it releases
-- goods for free circulation and has a traced item), kept on the row so that the traceability
-- scan reads through an index only the releases that open batches instead of every release.
-- Of the declarations recorded before, those the scan has not read yet are marked, so that it
-- reads them as it would have. Refused declarations have none.
ALTER TABLE declarations ADD COLUMN traced BOOLEAN;
UPDATE declarations SET traced = TRUE
    WHERE checked IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM traced_declarations t WHERE t.declaration_id = declarations.id);
CREATE INDEX declarations_traced_releases ON declarations (released_at_us, id) WHERE traced;
