-- Officers take the declarations under control oldest first.
CREATE INDEX declarations_state_updated ON declarations (state, updated_at_us);
