//! Transit (capability D1): the electronic transit declaration and its checks (`TRN_…`), the
//! movement reference number, the movement's state machine, the guarantee that secures the
//! duties at stake, and pre-arrival information with its preliminary decision and comparison
//! with the later filing. `docs/transit.md` describes them.
//!
//! Pure domain logic like the rest of core: functions take the document, "now", the rates and
//! balances, and return decisions; the store applies them (one transaction per step).

mod check;
pub mod declaration;
pub mod guarantee;
pub mod movement;
mod mrn;
pub mod pre_arrival;
pub mod pre_arrival_risk;
mod rules;

pub use check::{
    check, Checked, TransitContext, MAX_CORRIDOR_M, MAX_ITEMS, MAX_SEALS, MAX_TIME_LIMIT_DAYS, MIN_CORRIDOR_M,
};
pub use declaration::{resend, FilingKey, LocalReference, Resend, TransitDeclaration, TransitDoc};
pub use mrn::{check_character, office_country, Mrn, MRN_LEN};
pub use rules::rules;
