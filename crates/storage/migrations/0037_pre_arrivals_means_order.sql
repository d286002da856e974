-- The lookup every filing with a means of transport makes (the pre-arrival information
-- announcing it) orders by expected arrival and then id. With the id in the index the rows come
-- out of it in that order; without, SQLite sorted them in a temporary b-tree of its own, opened
-- and closed for every filing even when nothing was announced.
DROP INDEX pre_arrivals_means;
CREATE INDEX pre_arrivals_means ON pre_arrivals (means_id, expected_arrival_at_us, id);
