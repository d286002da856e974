//! API tests: the real server on a random port against a fresh database, on SQLite and, when
//! `DATABASE_URL_PG` is set, on PostgreSQL. Process tests start the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod administration;
mod bad_input;
mod bench_checkpoint;
mod bench_parcels;
mod bench_permits;
mod checkpoint;
mod cli;
mod connections;
mod console_pages;
mod declaration_page;
mod device_keys;
mod dispatch;
mod edge;
mod events;
mod filing;
mod filing_form;
mod knowledge;
mod money;
mod organisations;
mod parcels;
mod people;
mod processes;
mod profiles;
mod reference;
mod risk;
mod seals;
mod sessions;
mod single_window;
mod statistics;
mod stored;
mod traceability;
mod transit;
mod wco;
