-- The checked declaration (after format-logical control) kept at registration, with its format:
-- the risk model learns from it, so a control rule added later cannot drop it from the history.
ALTER TABLE declarations ADD COLUMN checked TEXT;
