//! `smartcustoms risk …`: the consignment risk model and the risk system.

mod evaluate;
mod system;

use std::path::PathBuf;

use crate::config::DbArgs;

/// Arguments of `risk`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: RiskCommand,
}

/// Risk subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum RiskCommand {
    /// Train on FILE, score the test file, print precision/recall at 5 and 10 %, AUC and speeds.
    Evaluate(evaluate::EvaluateArgs),
    /// Retrain the platform's model on the recorded control outcomes; the candidate is kept
    /// and put in force only if it beats the active model on recent held-out outcomes.
    Train(system::TrainArgs),
    /// List the kept model versions with their windows, measures and promotion reasons.
    Models {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write the active model (or `--version N`) to a file.
    ExportModel {
        /// The file to write.
        file: PathBuf,
        /// A kept version instead of the active one.
        #[arg(long)]
        version: Option<i64>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Re-run the lane decisions of a past period with changed profiles, model or thresholds and
    /// report lanes and known irregularities caught, next to what was decided.
    Replay(system::ReplayArgs),
    /// How often each profile's hits were confirmed by controls; proposals to retire.
    Effectiveness {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Recompute operator categories now.
    Categorise {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Record control outcomes of registered declarations from a CSV file.
    ImportOutcomes(system::ImportArgs),
}

/// Runs `risk …`.
pub async fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        RiskCommand::Evaluate(a) => evaluate::run(a),
        RiskCommand::Train(a) => system::train(a).await,
        RiskCommand::Models { db } => system::models(db).await,
        RiskCommand::ExportModel { file, version, db } => system::export(db, version, file).await,
        RiskCommand::Replay(a) => system::replay(a).await,
        RiskCommand::Effectiveness { db } => system::effectiveness(db).await,
        RiskCommand::Categorise { db } => system::categorise(db).await,
        RiskCommand::ImportOutcomes(a) => system::import_outcomes(a).await,
    }
}
