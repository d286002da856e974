//! `smartcustoms risk …`: the consignment risk model and the risk system.

mod evaluate;

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
}

/// Runs `risk …`.
pub fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        RiskCommand::Evaluate(a) => evaluate::run(a),
    }
}
