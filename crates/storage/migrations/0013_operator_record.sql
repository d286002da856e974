-- An operator's record on the declaration page: the controls of its declarations.
CREATE INDEX inspection_outcomes_declarant ON inspection_outcomes (declarant);
