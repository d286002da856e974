-- A file of parcels keeps how many of its parcels were released and how many held when it was
-- filed, so the operator's list of files shows them without reading every parcel.
ALTER TABLE parcel_batches ADD COLUMN released BIGINT NOT NULL DEFAULT 0;
ALTER TABLE parcel_batches ADD COLUMN held BIGINT NOT NULL DEFAULT 0;
