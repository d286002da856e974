//! `smartcustoms risk evaluate`: train the consignment risk model on one file of labelled
//! declarations and measure it on another.

use std::path::PathBuf;

use anyhow::Context as _;

use smartcustoms_model::{evaluate, kcs, TrainingSettings};

/// Arguments of `risk evaluate`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// Labelled declarations to train on.
    #[arg(long)]
    pub train: PathBuf,
    /// Labelled declarations to score.
    #[arg(long)]
    pub test: PathBuf,
    /// Column layout of the files (`kcs`: the Korea Customs Service data set).
    #[arg(long, default_value = "kcs")]
    pub format: String,
    /// Number of trees.
    #[arg(long, default_value_t = TrainingSettings::default().iterations)]
    pub iterations: usize,
    /// Depth of each tree.
    #[arg(long, default_value_t = TrainingSettings::default().max_depth)]
    pub max_depth: usize,
}

/// Runs `risk evaluate`.
pub fn run(a: EvaluateArgs) -> anyhow::Result<u8> {
    if a.format != "kcs" {
        anyhow::bail!("unknown --format {:?}: the supported layout is kcs", a.format);
    }
    let read = |path: &PathBuf| -> anyhow::Result<Vec<kcs::KcsRow>> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        kcs::parse(&text).with_context(|| path.display().to_string())
    };
    let (train, test) = (read(&a.train)?, read(&a.test)?);
    let settings = TrainingSettings { iterations: a.iterations, max_depth: a.max_depth, ..TrainingSettings::default() };
    let result = evaluate(&train, &test, settings)?;
    println!("{}", serde_json::to_string(&result)?);
    Ok(0)
}
