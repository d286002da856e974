-- Whether an accepted declaration is an import or an export (`IM`, `EX`), kept on the row so
-- that the exchange finds released exports through an index instead of reading the checked
-- declaration of every release. Refused declarations have none.
ALTER TABLE declarations ADD COLUMN kind TEXT;
UPDATE declarations SET kind = CASE WHEN checked LIKE '%"kind":"EX"%' THEN 'EX' ELSE 'IM' END
    WHERE checked IS NOT NULL;
CREATE INDEX declarations_exports_released ON declarations (released_at_us) WHERE kind = 'EX';
