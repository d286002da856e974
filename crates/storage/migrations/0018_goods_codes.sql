-- The HS subheadings of a declaration's goods items, space-separated with a space at each end
-- (" 852713 070310 "), so a trader's list can be searched by commodity code. Declarations
-- filed before this column existed have none.
ALTER TABLE declarations ADD COLUMN hs_codes TEXT;
