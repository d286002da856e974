//! API tests: the real server on a random port against a fresh database, on SQLite and, when
//! `DATABASE_URL_PG` is set, on PostgreSQL. Process tests start the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod administration;
mod bad_input;
mod bench_checkpoint;
mod bench_parcels;
mod bench_permits;
mod bench_pipeline;
mod checkpoint;
mod cli;
mod connections;
mod console_pages;
mod declaration_page;
mod device_keys;
mod dispatch;
mod edge;
mod events;
mod exchange;
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

/// Runs `smartcustoms bench` with `args`, checks that it succeeded and returns the JSON line it
/// printed last.
pub fn bench_line(args: &[&str]) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_smartcustoms")).arg("bench").args(args).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let line = stdout.lines().last().unwrap_or_default();
    let result: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    assert!(out.status.success(), "{result}\n{stderr}");
    result
}
