//! The application layer: the platform's use cases as functions of the application context
//! ([`AppState`](crate::state::AppState): store, group commit, reference snapshot, settings),
//! with typed inputs and typed errors and no knowledge of HTTP. HTTP handlers, pages, the CLI,
//! the demo, the benchmarks and the scheduled jobs are adapters over it: they extract, call one
//! use case and map its result. `.ci/run` checks that nothing here names the web framework,
//! HTTP types or the HTTP modules.

pub mod announced;
pub mod checkpoint;
pub mod checkpoint_events;
pub mod control;
pub mod dashboard;
pub mod declarations;
pub mod desk;
pub mod device_keys;
pub mod dispatch;
pub mod exchange;
pub mod exchange_outbox;
pub mod filing;
pub mod knowledge;
pub mod memo;
pub mod money;
pub mod organisation;
pub mod parcels;
pub mod pre_arrival;
pub mod prices;
pub mod profiles;
pub mod referrals;
pub mod requests;
pub mod risk;
pub mod seals;
pub mod signatures;
pub mod single_window;
pub mod staff;
pub mod tariff;
pub mod text;
pub mod time_release;
pub mod together;
pub mod traceability;
pub mod transit;
pub mod work_queue;

use smartcustoms_core::access::{Principal, Role};

/// The caller's role may not do what it tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the role {role} may not {action}")]
pub struct Forbidden {
    /// The caller's role.
    pub role: &'static str,
    /// What it tried.
    pub action: &'static str,
}

/// The caller, when its role is one of `roles`; `action` names what it tried.
pub fn require<'a>(principal: &'a Principal, roles: &[Role], action: &'static str) -> Result<&'a Principal, Forbidden> {
    match roles.contains(&principal.role) {
        true => Ok(principal),
        false => Err(Forbidden { role: principal.role.as_str(), action }),
    }
}
