-- A parcel keeps the lane its risk assessment gave (profiles, model, random control) and the
-- reasons for it, one per line.
ALTER TABLE parcels ADD COLUMN lane TEXT NOT NULL DEFAULT 'green';
ALTER TABLE parcels ADD COLUMN reasons TEXT NOT NULL DEFAULT '';

-- Each operator's data-quality counts, kept up to date as its parcels are recorded, so that
-- reading the score (for every file filed) does not count all its parcels.
CREATE TABLE parcel_quality (
    operator TEXT PRIMARY KEY,
    parcels BIGINT NOT NULL,
    vague BIGINT NOT NULL,
    implausible BIGINT NOT NULL,
    vat_misuse BIGINT NOT NULL
);
INSERT INTO parcel_quality (operator, parcels, vague, implausible, vat_misuse)
SELECT operator, COUNT(*),
       SUM(CASE WHEN flags LIKE '%vague_description%' THEN 1 ELSE 0 END),
       SUM(CASE WHEN flags LIKE '%implausible_value%' THEN 1 ELSE 0 END),
       SUM(CASE WHEN flags LIKE '%vat_misuse%' THEN 1 ELSE 0 END)
FROM parcels GROUP BY operator;
