//! `smartcustoms bench risk`: how fast the platform's model trains on recorded outcomes and
//! scores declarations online with their explanations. Also the model `bench pipeline --model`
//! puts in force.

use std::sync::Arc;
use std::time::Instant;

use rand::Rng;
use rust_decimal::Decimal;

use smartcustoms_core::ids::ModelVersion;
use smartcustoms_core::registration::{self, Decision, Filing};
use smartcustoms_core::risk::{RiskContext, Scorer};
use smartcustoms_core::simulate::{self, World};
use smartcustoms_core::tariff::{self, Tariff};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::valuation::PriceReference;
use smartcustoms_core::{declaration::Declaration, flc, risk::Facts};
use smartcustoms_model::{retrain, Case, RetrainSettings, TrainedModel};

use super::{round1, round3, RiskArgs};

/// Simulated declarations decided by the real pipeline (tariff, value check), with the hidden
/// truth of the demo: two traders in eight undervalue half of their declarations.
pub fn simulated(n: usize, seed: u64) -> anyhow::Result<Vec<(Declaration, Facts, bool)>> {
    let world = World::demo(40);
    let tariff = Tariff::from_file(tariff::demo()).map_err(|e| anyhow::anyhow!("demo tariff: {}", e.join("; ")))?;
    let prices = PriceReference::default();
    let mut rng = simulate::rng(seed);
    let today = chrono::Utc::now().date_naive();
    let context = flc::Context { today, offices: Default::default() };
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let who = k % world.declarants.len();
        let date = today - chrono::Duration::days(((n - k) * 90 / n.max(1)) as i64);
        let mut doc = world.declaration(&mut rng, &world.declarants[who], date, 5);
        let undervalued = who % 8 == 2 && rng.gen_bool(0.5);
        if undervalued {
            for item in doc.items.iter_mut().flatten() {
                item.price = item.price.map(|p| (p * Decimal::new(35, 2)).round_dp(2).max(Decimal::ONE));
            }
            if let Some(invoice) = doc.invoice.as_mut() {
                invoice.total = Some(doc.items.iter().flatten().filter_map(|i| i.price).sum());
            }
        }
        let decision = registration::decide(Filing {
            doc: &doc,
            flc: &context,
            signature: Ok(()),
            profiles: &[],
            tariff: &tariff,
            prices: &prices,
            risk: RiskContext::default(),
            date,
            pre_arrival: None,
            partner_exports: &[],
        });
        if let Decision::Accepted(a) = decision {
            out.push((a.declaration, a.facts, undervalued || rng.gen_bool(0.02)));
        }
    }
    Ok(out)
}

/// Trains a model on `n` simulated controlled declarations; returns it with the seconds taken.
pub fn simulated_model(n: usize, seed: u64) -> anyhow::Result<(TrainedModel, f64)> {
    let cases: Vec<Case> =
        simulated(n, seed)?.iter().map(|(d, f, irregular)| Case::of(d, f, Some(*irregular))).collect();
    let started = Instant::now();
    let trained = retrain(&cases, None, RetrainSettings::default(), ModelVersion::FIRST, Timestamp::now())?;
    Ok((trained.candidate, started.elapsed().as_secs_f64()))
}

/// Runs `bench risk` and prints one JSON line.
pub async fn run(a: RiskArgs) -> anyhow::Result<u8> {
    let (model, train_seconds) = tokio::task::block_in_place(|| simulated_model(a.outcomes, 1))?;
    let scored = tokio::task::block_in_place(|| simulated(a.declarations, 2))?;
    let items: usize = scored.iter().map(|(d, _, _)| d.items.len()).sum();
    let model = Arc::new(model);

    let cases: Vec<Case> = scored.iter().map(|(d, f, _)| Case::of(d, f, None)).collect();
    let started = Instant::now();
    let mut checksum = 0.0;
    for c in &cases {
        checksum += model.score_case(&c.rows).map_or(0.0, |s| s.1);
    }
    let batch_items_per_s = items as f64 / started.elapsed().as_secs_f64();

    // Online: one declaration at a time, with its explanation, on every core.
    let started = Instant::now();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = scored.len().div_ceil(threads).max(1);
    let explained: usize = std::thread::scope(|s| {
        let handles: Vec<_> = scored
            .chunks(chunk)
            .map(|part| {
                let model = model.clone();
                s.spawn(move || {
                    part.iter()
                        .filter(|(d, f, _)| model.score(d, f).is_some_and(|m| !m.contributions.is_empty()))
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let online_per_s = scored.len() as f64 / started.elapsed().as_secs_f64();
    let line = serde_json::json!({
        "outcomes": a.outcomes,
        "train_seconds": round3(train_seconds),
        "held_out_auc": model.info.metrics.as_ref().map(|m| m.auc),
        "declarations": scored.len(),
        "items": items,
        "batch_items_per_s": round1(batch_items_per_s),
        "online_declarations_per_s": round1(online_per_s),
        "explained": explained,
        "threads": threads,
        "mean_score": round3(checksum / cases.len().max(1) as f64),
    });
    println!("{line}");
    Ok(0)
}
