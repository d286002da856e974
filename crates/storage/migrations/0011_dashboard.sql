-- The supervisors' dashboard sums the revenue of the postings of a period.
CREATE INDEX ledger_postings_at ON ledger_postings (at_us);
