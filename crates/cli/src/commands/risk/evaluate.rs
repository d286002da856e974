//! `smartcustoms risk evaluate`: train the consignment risk model on one file of labelled
//! declarations and measure it on another.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;

use smartcustoms_model::evaluate::Evaluation;
use smartcustoms_model::kcs::{self, KcsRow};
use smartcustoms_model::plot::{self, ChartFormat, Curve};
use smartcustoms_model::{evaluate, TrainingSettings};

/// Rejected lines printed, per file; the rest are counted.
const REJECTED_SHOWN: usize = 20;

/// Arguments of `risk evaluate`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// Labelled declarations to train on.
    #[arg(long)]
    pub train: PathBuf,
    /// Labelled declarations of a later period that only decide when to stop adding trees
    /// (early stopping); their features see the training period's history, like the test's.
    #[arg(long)]
    pub valid: Option<PathBuf>,
    /// Labelled declarations to score.
    #[arg(long)]
    pub test: PathBuf,
    /// Column layout of the files (`kcs`: the Korea Customs Service data set).
    #[arg(long, default_value = "kcs")]
    pub format: String,
    /// Writes the chart of precision among the riskiest 1 … 20 % here (`.svg` or `.png`).
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Number of trees (at most, with --valid).
    #[arg(long, default_value_t = TrainingSettings::default().iterations)]
    pub iterations: usize,
    /// Depth of each tree.
    #[arg(long, default_value_t = TrainingSettings::default().max_depth)]
    pub max_depth: usize,
    /// With --valid: stop after this many trees without improvement on the valid rows.
    #[arg(long, default_value_t = TrainingSettings::default().early_stopping_rounds)]
    pub early_stopping_rounds: usize,
}

/// The printed line: the evaluation and what was set aside on reading.
#[derive(Debug, Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    evaluation: &'a Evaluation,
    /// Lines of the three files that could not be read.
    rejected_rows: usize,
}

/// Runs `risk evaluate`.
pub fn run(a: EvaluateArgs) -> anyhow::Result<u8> {
    if a.format != "kcs" {
        anyhow::bail!("unknown --format {:?}: the supported layout is kcs", a.format);
    }
    // A wrong chart name fails now, not after training.
    let chart = match &a.plot {
        Some(path) => {
            let format = ChartFormat::of(path)
                .with_context(|| format!("--plot {}: the chart is written as .svg or .png", path.display()))?;
            Some((path, format))
        }
        None => None,
    };
    let mut rejected = 0;
    let mut read = |path: &Path| -> anyhow::Result<Vec<KcsRow>> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file = kcs::parse(&text).with_context(|| path.display().to_string())?;
        for e in file.rejected.iter().take(REJECTED_SHOWN) {
            eprintln!("{}: {e} (skipped)", path.display());
        }
        if file.rejected.len() > REJECTED_SHOWN {
            eprintln!("{}: {} more lines skipped", path.display(), file.rejected.len() - REJECTED_SHOWN);
        }
        rejected += file.rejected.len();
        Ok(file.rows)
    };
    let train = read(&a.train)?;
    let valid = a.valid.as_deref().map(&mut read).transpose()?;
    let test = read(&a.test)?;
    let settings = TrainingSettings {
        iterations: a.iterations,
        max_depth: a.max_depth,
        early_stopping_rounds: a.early_stopping_rounds,
        ..TrainingSettings::default()
    };
    let result = evaluate(kcs::schema(), &train, valid.as_deref(), &test, settings)?;
    if let Some((path, format)) = chart {
        let curves = [Curve { name: "smartcustoms risk model", precision: &result.metrics.precision_curve }];
        let bytes = plot::precision_at_n(format, &curves, Some(result.base_rate))?;
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    println!("{}", serde_json::to_string(&Report { evaluation: &result, rejected_rows: rejected })?);
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net Mass,Item Price,Fraud,Critical Fraud";

    /// A KCS file of `n` items from `month`, one in five irregular (the expensive ones per kg),
    /// with one unreadable line.
    fn file(dir: &Path, name: &str, month: u32, n: usize) -> PathBuf {
        let mut text = format!("{HEADER}\n");
        for i in 0..n {
            let fraud = u8::from(i % 5 == 0);
            let mass = 10 + i % 7;
            let price = if fraud == 1 { 1000 } else { 100 } * mass + i;
            let day = 1 + i % 28;
            text += &format!(
                "{i},2020-{month:02}-{day:02},30,B,11,21,11,10,D{},I,S,,440890,BE,BE,8.0,A,G,{mass},{price},{fraud},0\n",
                i % 13
            );
        }
        text += "broken,line\n";
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        path
    }

    fn args(dir: &Path, plot: Option<&str>) -> EvaluateArgs {
        EvaluateArgs {
            train: file(dir, "train.csv", 1, 300),
            valid: Some(file(dir, "valid.csv", 2, 100)),
            test: file(dir, "test.csv", 3, 100),
            format: "kcs".into(),
            plot: plot.map(|p| dir.join(p)),
            iterations: 20,
            max_depth: 3,
            early_stopping_rounds: 5,
        }
    }

    #[test]
    fn the_chart_is_written_as_svg_or_png_by_its_extension() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for (name, signature) in [("chart.svg", &b"<svg"[..]), ("chart.png", &b"\x89PNG"[..])] {
            match run(args(dir.path(), Some(name))) {
                Ok(0) => {}
                Err(e) if e.to_string().contains("no TrueType font") => return eprintln!("skipped: {e}"),
                other => panic!("{other:?}"),
            }
            let bytes = std::fs::read(dir.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(bytes.starts_with(signature), "{name}");
        }
    }

    #[test]
    fn a_chart_name_of_another_kind_is_refused_before_training() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let Err(e) = run(args(dir.path(), Some("chart.pdf"))) else { panic!("a .pdf chart was accepted") };
        assert!(e.to_string().contains(".svg or .png"), "{e}");
        assert!(!dir.path().join("chart.pdf").exists());
    }
}
