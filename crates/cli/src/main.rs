//! The `smartcustoms` binary: one program with subcommands for the platform (`serve`), brokers
//! (`check`, `keygen`, `submit`, `example`), operators (`admin`, `audit verify`, `migrate`,
//! `tariff import`, `prices import`, `ledger verify`), benchmarks (`bench`) and simulations
//! (`simulate risk`).

mod commands;
mod config;
mod demo;
mod demo_checkpoint;
mod journeys;
mod progress;

use clap::{Parser, Subcommand};

/// mimalloc: request handling allocates many short-lived buffers, and glibc malloc spent a
/// seventh of the pipeline's CPU in the benchmark profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use commands::{admin, audit, bench, check, example, keygen, money, risk, serve, simulate, submit};

/// smartcustoms: the information system of a Digital (Smart) Customs administration.
#[derive(Debug, Parser)]
#[command(name = "smartcustoms", version, about)]
struct Cli {
    /// How log lines are written to standard error: `text` (coloured on a terminal only) or
    /// `json` (one object per line, for log collectors).
    #[arg(long, global = true, value_enum, default_value_t = config::LogFormat::Text, env = "SMARTCUSTOMS_LOG_FORMAT")]
    log_format: config::LogFormat,
    /// Threads that run request handlers and other asynchronous work. Default: one fewer than
    /// the cores (at least one), so that the group commit's writer, the serial stage every
    /// filing passes, keeps a core of its own.
    #[arg(long, global = true, env = "SMARTCUSTOMS_WORKERS", value_parser = clap::value_parser!(u16).range(1..))]
    workers: Option<u16>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the platform (HTTP API); `--demo` seeds it and keeps simulated traffic flowing.
    Serve(serve::Args),
    /// Create the database schema (also done by `serve`).
    Migrate(config::DbArgs),
    /// Format-logical control of a declaration file, offline; exit 1 when there are errors.
    Check(check::Args),
    /// Make an Ed25519 key pair for signing declarations.
    Keygen(keygen::Args),
    /// Sign a declaration file and submit it to a server.
    Submit(submit::Args),
    /// Print examples (`example declaration`).
    Example(example::Args),
    /// Audit log tools (`audit verify`).
    Audit(audit::Args),
    /// Administration: offices, users, API tokens, risk profiles.
    Admin(admin::Args),
    /// The tariff (`tariff import FILE`).
    Tariff(money::TariffArgs),
    /// The price reference of the customs value check (`prices import FILE`).
    Prices(money::PricesArgs),
    /// The single personal account ledger (`ledger verify`).
    Ledger(money::LedgerArgs),
    /// The risk model and the risk system: evaluate, train, replay, effectiveness, categories.
    Risk(risk::Args),
    /// Benchmarks (`bench pipeline`, `bench ledger`).
    Bench(bench::Args),
    /// Simulated worlds (`simulate risk`: traders with hidden behaviours against the risk system;
    /// `simulate seals`: sealed journeys reporting through the MQTT broker).
    Simulate(simulate::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    config::init_tracing(cli.log_format);
    let workers = config::request_workers(cli.workers, std::thread::available_parallelism().map_or(1, |n| n.get()));
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(a) => serve::run(a).await,
            Command::Migrate(a) => config::open_store(&a.resolve()?).await.map(|_| 0),
            Command::Check(a) => check::run(a),
            Command::Keygen(a) => keygen::run(a),
            Command::Submit(a) => submit::run(a).await,
            Command::Example(a) => example::run(a),
            Command::Audit(a) => audit::run(a).await,
            Command::Admin(a) => admin::run(a).await,
            Command::Tariff(a) => money::tariff(a).await,
            Command::Prices(a) => money::prices(a).await,
            Command::Ledger(a) => money::ledger(a).await,
            Command::Risk(a) => risk::run(a).await,
            Command::Bench(a) => bench::run(a).await,
            Command::Simulate(a) => simulate::run(a).await,
        }
    });
    match result {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
