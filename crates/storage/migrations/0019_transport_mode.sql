-- The mode of transport at the border as declared (UN/ECE Rec. 19 code), for time release by
-- transport mode. Declarations filed before this column existed have none.
ALTER TABLE declarations ADD COLUMN transport_mode TEXT;
