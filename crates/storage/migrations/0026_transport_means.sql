-- The means of transport a goods declaration names (for a road vehicle its number plate, in the
-- plate's normal form), so that a checkpoint finds the declarations of the vehicle in front of
-- it. Declarations filed before this column existed name none.
ALTER TABLE declarations ADD COLUMN transport_means TEXT;
CREATE INDEX declarations_transport_means ON declarations (transport_means, received_at_us)
    WHERE transport_means IS NOT NULL;
