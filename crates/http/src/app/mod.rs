//! The application layer: the platform's use cases as functions of the application context
//! ([`AppState`](crate::state::AppState): store, group commit, reference snapshot, settings),
//! with typed inputs and typed errors and no knowledge of HTTP. HTTP handlers, pages, the CLI,
//! the demo, the benchmarks and the scheduled jobs are adapters over it: they extract, call one
//! use case and map its result. `.ci/run` checks that nothing here names the web framework,
//! HTTP types or the HTTP modules.

pub mod control;
pub mod declarations;
pub mod filing;
pub mod knowledge;
pub mod money;
pub mod prices;
pub mod risk;
pub mod tariff;
pub mod text;
