//! One module per HTTP resource.

pub mod account;
pub mod dashboard;
pub mod declarations;
pub mod events;
pub mod inspections;
pub mod keys;
pub mod knowledge;
pub mod maturity;
pub mod notifications;
pub mod profiles;
pub mod risk;
pub mod survey;
pub mod system;
pub mod tariff;
pub mod time_release;
pub mod tokens;
pub mod work_queue;
