//! The Single Window's pages. An agency's staff keep their documents (`/agency`: issue, amend,
//! suspend, reinstate, revoke), their requirements (`/agency/requirements`) and read the
//! declarations those requirements concern (`/agency/declarations`) and decide on the goods
//! referred to them (`/agency/referrals`); a trader reads the
//! documents issued to it with what is left of each (`/trader/permits`). Every form calls the
//! same use case as the JSON API (`app::single_window`); a refusal gives the form back with
//! what was typed and the problem next to its field.

pub mod agency;
pub mod declarations;
mod form;
pub mod permits;
pub mod referrals;
pub mod requirements;
