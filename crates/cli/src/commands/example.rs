//! `smartcustoms example declaration`: a valid, realistic declaration to start from.

use smartcustoms_core::declaration::DeclarationDoc;

use smartcustoms_core::simulate::{self, World};

/// Arguments of `example`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to print.
    #[arg(value_enum)]
    pub what: What,
    /// Seed of the random choices (same seed, same declaration).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Declarant id to put on it.
    #[arg(long, default_value = "DE1000000000001")]
    pub declarant: String,
}

/// Kinds of example.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum What {
    /// An import goods declaration dated today.
    Declaration,
}

/// The example declaration for a declarant.
pub fn declaration(seed: u64, declarant: &str) -> DeclarationDoc {
    let world = World::demo(1);
    let mut party = world.declarants[0].clone();
    party.id = declarant.to_string();
    let today = chrono::Utc::now().date_naive();
    world.declaration(&mut simulate::rng(seed), &party, today, 3)
}

/// Prints the example as pretty JSON.
pub fn run(args: Args) -> anyhow::Result<u8> {
    match args.what {
        What::Declaration => println!("{}", serde_json::to_string_pretty(&declaration(args.seed, &args.declarant))?),
    }
    Ok(0)
}
