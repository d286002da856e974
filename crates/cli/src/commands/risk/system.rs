//! The risk system on a database: `risk train`, `risk models`, `risk replay`,
//! `risk effectiveness`, `risk categorise` and `risk import-outcomes`.

use std::path::PathBuf;

use anyhow::{anyhow, Context as _};
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;

use smartcustoms_core::inspection::{InspectionOutcome, Irregularity};
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::risk::{self, Category, Profile};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_http::app::risk::{self as risk_engine, ReplaySettings};
use smartcustoms_model::{RetrainSettings, TrainedModel};
use smartcustoms_storage::{ImportResult, ImportedOutcome, Store};

use crate::config::{self, DbArgs};

/// Capacity and training flags of `risk train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Share of declarations the model sends to the red lane.
    #[arg(long, default_value_t = RetrainSettings::default().red_share)]
    pub red_share: f64,
    /// Share of declarations the model sends to the yellow or red lane.
    #[arg(long, default_value_t = RetrainSettings::default().yellow_share)]
    pub yellow_share: f64,
    /// Share of the most recent controlled declarations held out to compare models.
    #[arg(long, default_value_t = RetrainSettings::default().held_out_share)]
    pub held_out: f64,
}

/// Arguments of `risk replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// First day of the period (filing date, UTC).
    #[arg(long)]
    pub from: NaiveDate,
    /// Last day of the period, included.
    #[arg(long)]
    pub to: NaiveDate,
    /// Add or replace a profile (a file with one profile text); repeatable.
    #[arg(long = "profile")]
    pub profiles: Vec<PathBuf>,
    /// Leave out the profile with this code; repeatable.
    #[arg(long = "without-profile")]
    pub without: Vec<String>,
    /// Score with this kept model version instead of the active one.
    #[arg(long, conflicts_with_all = ["model_file", "no_model"])]
    pub model_version: Option<i64>,
    /// Score with the model in this file (as `risk export-model` writes it).
    #[arg(long, conflicts_with = "no_model")]
    pub model_file: Option<PathBuf>,
    /// Replay without a model.
    #[arg(long)]
    pub no_model: bool,
    /// Share of declarations the model sends to red (thresholds set from the period's scores).
    #[arg(long)]
    pub red_share: Option<f64>,
    /// Share of declarations the model sends to yellow or red.
    #[arg(long)]
    pub yellow_share: Option<f64>,
    /// Share of random controls.
    #[arg(long, default_value_t = 0.01)]
    pub random_share: f64,
}

/// Arguments of `risk import-outcomes`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// CSV with a header: `declaration_id,irregularities,additional_duty`; irregularities are
    /// kinds separated by `;` (empty: nothing found), the additional duty a decimal amount.
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

fn share(name: &str, value: f64) -> anyhow::Result<f64> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(anyhow!("--{name} is a share between 0 and 1, not {value}"))
    }
}

/// Runs `risk train`: prints the report as one JSON line.
pub async fn train(a: TrainArgs) -> anyhow::Result<u8> {
    let settings = RetrainSettings {
        red_share: share("red-share", a.red_share)?,
        yellow_share: share("yellow-share", a.yellow_share)?,
        held_out_share: share("held-out", a.held_out)?,
        ..RetrainSettings::default()
    };
    let store = config::open_store(&a.db.resolve()?).await?;
    let current = match risk_engine::active_model(store.as_ref()).await {
        Ok(m) => m,
        Err(e) => {
            eprintln!("the active model cannot be loaded ({e}); the candidate is compared with none");
            None
        }
    };
    let (report, _) = risk_engine::train(store.as_ref(), current, settings, Utc::now()).await?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(0)
}

/// Runs `risk models`: one JSON line per kept version, newest first.
pub async fn models(db: DbArgs) -> anyhow::Result<u8> {
    let store = config::open_store(&db.resolve()?).await?;
    for m in store.risk_models().await? {
        println!("{}", serde_json::to_string(&m)?);
    }
    Ok(0)
}

/// Runs `risk export-model`: writes the active model (or a version) to a file.
pub async fn export(db: DbArgs, version: Option<i64>, file: PathBuf) -> anyhow::Result<u8> {
    let store = config::open_store(&db.resolve()?).await?;
    let document = model_document(store.as_ref(), version).await?;
    std::fs::write(&file, document).with_context(|| format!("writing {}", file.display()))?;
    Ok(0)
}

async fn model_document(store: &dyn Store, version: Option<i64>) -> anyhow::Result<String> {
    match version {
        None => store.active_risk_model().await?.map(|m| m.document).ok_or_else(|| anyhow!("no model is active")),
        Some(v) => store.risk_model_document(v.into()).await?.ok_or_else(|| anyhow!("no model version {v}")),
    }
}

/// Runs `risk replay`: prints the report as one JSON line.
pub async fn replay(a: ReplayArgs) -> anyhow::Result<u8> {
    if a.to < a.from {
        anyhow::bail!("--to {} is before --from {}", a.to, a.from);
    }
    let random_share = share("random-share", a.random_share)?;
    let red_share = a.red_share.map(|s| share("red-share", s)).transpose()?;
    let yellow_share = a.yellow_share.map(|s| share("yellow-share", s)).transpose()?;
    let store = config::open_store(&a.db.resolve()?).await?;
    let mut profiles: Vec<Profile> = Vec::new();
    for r in store.current_profiles().await? {
        profiles.push(
            risk::parse_profile(&r.source, r.version as u32).map_err(|e| anyhow!("stored profile {}: {e}", r.code))?,
        );
    }
    for file in &a.profiles {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let p = risk::parse_profile(&text, 0).map_err(|e| anyhow!("{}: {e}", file.display()))?;
        profiles.retain(|q| q.code != p.code);
        profiles.push(p);
    }
    for code in &a.without {
        if !profiles.iter().any(|p| &p.code == code) {
            anyhow::bail!("--without-profile {code}: no such profile in force");
        }
        profiles.retain(|p| &p.code != code);
    }
    let model = if a.no_model {
        None
    } else if let Some(file) = &a.model_file {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        Some(TrainedModel::from_json(&text).map_err(|e| anyhow!("{}: {e}", file.display()))?)
    } else {
        match model_document(store.as_ref(), a.model_version).await {
            Ok(text) => Some(TrainedModel::from_json(&text)?),
            Err(_) if a.model_version.is_none() => None,
            Err(e) => return Err(e),
        }
    };
    let from = Timestamp::start_of(a.from);
    let to = a.to.checked_add_days(chrono::Days::new(1)).map_or(Timestamp::from_micros(i64::MAX), Timestamp::start_of);
    let days = (Timestamp::now() - from).num_days() + 1;
    let loaded = risk_engine::load(store.as_ref(), Utc::now(), days.max(1)).await?;
    if !loaded.skipped.is_empty() {
        eprintln!("left out of the replay: {:?}", loaded.skipped);
    }
    let cases: Vec<_> =
        loaded.cases.into_iter().filter(|c| c.stored.received_at_us >= from && c.stored.received_at_us < to).collect();
    let settings = ReplaySettings { profiles: &profiles, model: model.as_ref(), red_share, yellow_share, random_share };
    let report = tokio::task::block_in_place(|| risk_engine::replay(&cases, &settings));
    println!("{}", serde_json::to_string(&report)?);
    Ok(0)
}

/// Runs `risk effectiveness`: one JSON line per profile, best hit rate first.
pub async fn effectiveness(db: DbArgs) -> anyhow::Result<u8> {
    let store = config::open_store(&db.resolve()?).await?;
    let from = Timestamp::now() - chrono::Duration::days(risk_engine::WINDOW_DAYS);
    for e in risk_engine::effectiveness(&store.risk_cases(from, risk_engine::MAX_CASES).await?) {
        println!("{}", serde_json::to_string(&e)?);
    }
    Ok(0)
}

/// Runs `risk categorise`: recomputes and prints the number of operators per category.
pub async fn categorise(db: DbArgs) -> anyhow::Result<u8> {
    let store = config::open_store(&db.resolve()?).await?;
    let all = risk_engine::recategorise(store.as_ref(), Utc::now()).await?;
    let count = |c: Category| all.iter().filter(|x| x.category == c).count();
    println!(
        "{}",
        serde_json::json!({ "operators": all.len(), "low": count(Category::Low), "medium": count(Category::Medium), "high": count(Category::High) })
    );
    Ok(0)
}

/// One line of an outcomes file, or why it cannot be read.
pub fn parse_outcome_line(line: &str) -> Result<(String, InspectionOutcome), String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [id, kinds, duty] = fields[..] else {
        return Err(format!("{} fields; a line is declaration_id,irregularities,additional_duty", fields.len()));
    };
    if id.is_empty() {
        return Err("no declaration id".into());
    }
    let irregularities = kinds
        .split(';')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| {
            serde_json::from_value::<Irregularity>(serde_json::Value::String(k.to_string()))
                .map_err(|_| format!("unknown irregularity {k:?}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let duty: Decimal = if duty.is_empty() {
        Decimal::ZERO
    } else {
        duty.parse().map_err(|_| format!("additional duty {duty:?} is not an amount"))?
    };
    let additional_duty = Amount::from_decimal(duty).map_err(|e| format!("additional duty {duty}: {e}"))?;
    let outcome = InspectionOutcome { irregularities, additional_duty };
    outcome.check(true)?;
    Ok((id.to_string(), outcome))
}

/// Runs `risk import-outcomes`: bad lines are reported with their numbers and skipped; the
/// rest is recorded. Prints the counts as one JSON line.
pub async fn import_outcomes(a: ImportArgs) -> anyhow::Result<u8> {
    let text = std::fs::read_to_string(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, h)| h.trim().to_string()).unwrap_or_default();
    if header != "declaration_id,irregularities,additional_duty" {
        anyhow::bail!(
            "{}: line 1: the header must be declaration_id,irregularities,additional_duty, not {header:?}",
            a.file.display()
        );
    }
    let store = config::open_store(&a.db.resolve()?).await?;
    let source = format!("import:{}", a.file.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default());
    let (mut rejected, mut counts) = (0u64, std::collections::BTreeMap::<String, u64>::new());
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let (id, outcome) = match parse_outcome_line(line) {
            Ok(parsed) => parsed,
            Err(e) => {
                eprintln!("{}:{}: {e}", a.file.display(), i + 1);
                rejected += 1;
                continue;
            }
        };
        let result = store
            .import_outcome(&ImportedOutcome {
                declaration_id: id.clone(),
                outcome,
                source: source.clone(),
                at_us: Timestamp::now(),
            })
            .await?;
        if result != ImportResult::Recorded {
            eprintln!(
                "{}:{}: declaration {id}: {}",
                a.file.display(),
                i + 1,
                serde_json::to_value(result)?.as_str().unwrap_or("")
            );
        }
        *counts.entry(serde_json::to_value(result)?.as_str().unwrap_or("").to_string()).or_default() += 1;
    }
    println!("{}", serde_json::json!({ "counts": counts, "rejected_lines": rejected }));
    Ok(u8::from(rejected > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_lines_are_read_or_refused_with_the_reason() {
        let Ok((id, o)) = parse_outcome_line("0190-abc, undervaluation;origin ,120.50") else { panic!("a good line") };
        assert_eq!(id, "0190-abc");
        assert_eq!(o.irregularities, vec![Irregularity::Undervaluation, Irregularity::Origin]);
        assert_eq!(o.additional_duty.cents(), 12050);
        assert!(parse_outcome_line("x,,").is_ok_and(|(_, o)| !o.is_irregular()));
        let refused = |line: &str| match parse_outcome_line(line) {
            Ok(_) => panic!("{line:?} was read"),
            Err(e) => e,
        };
        assert!(refused("x,smuggling,1").contains("unknown irregularity \"smuggling\""));
        assert!(refused("x,,ten").contains("not an amount"));
        assert!(refused("x,,5").contains("additional duty"), "{}", refused("x,,5"));
        assert!(refused("x,origin").contains("2 fields"));
        assert!(refused(",origin,1").contains("no declaration id"));
    }
}
