//! Domain core of smartcustoms: the declaration model, format-logical control, electronic
//! signatures, registration conditions, risk profiles and lanes, the declaration workflow and
//! the hash-chained audit log.
//!
//! This crate does no I/O: no files, no network, no clock, no database. Functions take data
//! (including "now") and return decisions. It must not depend on tokio, sqlx or axum; CI checks
//! this with `cargo tree -p smartcustoms-core`.

pub mod access;
pub mod audit;
pub mod checkpoint;
pub mod codes;
pub mod declaration;
pub mod dispatch;
pub mod flc;
pub mod ids;
pub mod inspection;
pub mod knowledge;
pub mod ledger;
pub mod parcels;
pub mod permits;
pub mod registration;
pub mod release;
pub mod requests;
pub mod risk;
pub mod sealed_key;
pub mod seals;
pub mod signature;
pub mod simulate;
pub mod tariff;
pub mod timestamp;
pub mod traceability;
pub mod transit;
pub mod valuation;
pub mod wcodm;
pub mod workflow;
