//! The weekly loop: file the week's declarations through registration exactly as the server
//! decides them, control what the lanes select up to capacity, record what the controls find,
//! recompute operator categories and the price reference, retrain, and report.

use std::collections::HashMap;

use chrono::NaiveDate;
use rand::seq::index;
use rayon::prelude::*;
use rust_decimal::Decimal;

use smartcustoms_core::declaration::Declaration;
use smartcustoms_core::flc;
use smartcustoms_core::registration::{self, Accepted, Decision, Filing};
use smartcustoms_core::risk::{
    self, categorise, demo_profiles, parse_profile, Categories, Facts, ItemFacts, Lane, ModelScore, OperatorRecord,
    Profile, RiskContext, Scorer,
};
use smartcustoms_core::simulate;
use smartcustoms_core::tariff::{self, Tariff};
use smartcustoms_core::valuation::{Observation, PriceReference, Source};

use super::consignment::Consignment;
use super::report::{share, RingWeek, Selection, Summary, WeekReport};
use super::traders::Population;
use crate::platform::ItemRow;
use crate::trained::{retrain, Case, RetrainSettings, TrainedModel};

/// The first day of the first simulated week (a Monday).
pub const START: (i32, u32, u32) = (2026, 3, 2);
/// Fewest declarations a week: below this the ring and the newcomers are too few to measure.
pub const MIN_DECLARATIONS_PER_WEEK: usize = 100;

/// How a run goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Weeks to simulate.
    pub weeks: u32,
    /// Declarations filed each week.
    pub declarations_per_week: usize,
    /// Share of declarations the officers can control, above 0 and at most 1.
    pub inspection_rate: f64,
    /// Share of declarations that would be released without an officer that go to a random
    /// control instead.
    pub random_share: f64,
    /// Seed of everything random in the run.
    pub seed: u64,
    /// Share of the capacity kept for declarations the analysts' profiles send to control
    /// (yellow or red); what they leave goes to the model's choice.
    pub profile_share: f64,
    /// The week the ring changes route; by default the week after half the run.
    pub ring_switch_week: Option<u32>,
    /// Trees of each retrained model.
    pub trees: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            weeks: 16,
            declarations_per_week: 2_000,
            inspection_rate: 0.05,
            random_share: 0.01,
            profile_share: 0.3,
            seed: 1,
            ring_switch_week: None,
            trees: RetrainSettings::default().training.iterations,
        }
    }
}

/// Why a run cannot start or finish.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    /// No weeks to simulate.
    #[error("the number of weeks must be at least 1")]
    NoWeeks,
    /// The inspection rate is not a share of declarations.
    #[error("the inspection rate must be above 0 and at most 1, not {0}")]
    InspectionRate(f64),
    /// The random share is not a share of declarations.
    #[error("the random share of controls must be at least 0 and below 1, not {0}")]
    RandomShare(f64),
    /// The profiles' share of the capacity is not a share.
    #[error("the profiles' share of the capacity must be from 0 to 1, not {0}")]
    ProfileShare(f64),
    /// Too few declarations to simulate the world.
    #[error("at least {MIN_DECLARATIONS_PER_WEEK} declarations a week are needed, not {0}")]
    TooFewDeclarations(usize),
    /// The ring cannot change route in that week.
    #[error("the ring changes route in a week from 2 to {weeks}, not {week}")]
    SwitchWeek {
        /// The week asked for.
        week: u32,
        /// Weeks in the run.
        weeks: u32,
    },
    /// A retrained model needs at least one tree.
    #[error("a model needs at least one tree")]
    NoTrees,
    /// The demo tariff or profiles do not load (a broken build).
    #[error("the demo data does not load: {0}")]
    DemoData(String),
    /// The chart could not be drawn or written.
    #[error("the chart cannot be drawn: {0}")]
    Chart(String),
}

impl Settings {
    /// Checks the settings; every problem is reported before anything runs.
    pub fn check(&self) -> Result<(), SimulationError> {
        if self.weeks == 0 {
            return Err(SimulationError::NoWeeks);
        }
        if !(self.inspection_rate > 0.0 && self.inspection_rate <= 1.0) {
            return Err(SimulationError::InspectionRate(self.inspection_rate));
        }
        if !(self.random_share >= 0.0 && self.random_share < 1.0) {
            return Err(SimulationError::RandomShare(self.random_share));
        }
        if !(0.0..=1.0).contains(&self.profile_share) {
            return Err(SimulationError::ProfileShare(self.profile_share));
        }
        if self.declarations_per_week < MIN_DECLARATIONS_PER_WEEK {
            return Err(SimulationError::TooFewDeclarations(self.declarations_per_week));
        }
        if let Some(week) = self.ring_switch_week.filter(|w| *w < 2 || *w > self.weeks) {
            return Err(SimulationError::SwitchWeek { week, weeks: self.weeks });
        }
        if self.trees == 0 {
            return Err(SimulationError::NoTrees);
        }
        Ok(())
    }

    /// The week the ring changes route.
    pub fn switch_week(&self) -> u32 {
        self.ring_switch_week.unwrap_or(self.weeks / 2 + 1)
    }
}

/// The weeks of a run and its summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// One report a week.
    pub weeks: Vec<WeekReport>,
    /// The run against the goals.
    pub summary: Summary,
}

/// The reference data the server decides with: the demo tariff, the demo profiles and the
/// administration's offices.
struct Rules {
    tariff: Tariff,
    profiles: Vec<Profile>,
    offices: std::sync::Arc<[smartcustoms_core::ids::OfficeCode]>,
}

impl Rules {
    fn demo() -> Result<Rules, SimulationError> {
        let tariff = Tariff::from_file(tariff::demo()).map_err(|p| SimulationError::DemoData(p.join("; ")))?;
        let profiles = demo_profiles()
            .into_iter()
            .map(|text| parse_profile(text, 1).map_err(|e| SimulationError::DemoData(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rules { tariff, profiles, offices: smartcustoms_core::simulate::demo_offices() })
    }
}

/// The model as the lanes use it: the score and the lane of its capacity thresholds. The
/// server also explains each score (exact Shapley values for the declarations it sends to an
/// officer, a faster attribution for the others); explanations change no lane, so the
/// simulation leaves them out.
struct Ranking<'a>(&'a TrainedModel);

impl Scorer for Ranking<'_> {
    fn score(&self, declaration: &Declaration, facts: &Facts) -> Option<ModelScore> {
        let rows = ItemRow::of(declaration, facts, false);
        let (index, score) = self.0.score_case(&rows)?;
        Some(ModelScore {
            model_version: self.0.info.version,
            score: (score * 1_000_000.0).round() / 1_000_000.0,
            item: rows[index].item,
            lane: self.0.info.thresholds.lane(score),
            thresholds: self.0.info.thresholds,
            contributions: Vec::new(),
            exact: false,
        })
    }
}

/// A filed declaration as decided, with what its control would recover.
struct Decided {
    accepted: Option<Box<Accepted>>,
    /// Duties and taxes of the true declaration beyond those declared.
    recoverable: Decimal,
}

fn file(c: &Consignment, rules: &Rules, prices: &PriceReference, risk: RiskContext<'_>) -> Decided {
    let context = flc::Context { today: c.date, offices: rules.offices.clone() };
    let decision = registration::decide(Filing {
        doc: &c.declared,
        flc: &context,
        signature: Ok(()),
        profiles: &rules.profiles,
        tariff: &rules.tariff,
        prices,
        risk,
        date: c.date,
        pre_arrival: None,
        partner_exports: &[],
    });
    let accepted = match decision {
        Decision::Accepted(a) => Some(a),
        Decision::Refused { .. } => None,
    };
    let recoverable = match (&accepted, &c.actual) {
        (Some(a), Some(actual)) => flc::check(actual, &context)
            .ok()
            .and_then(|d| rules.tariff.assess(&d, c.date).ok())
            .map_or(Decimal::ZERO, |t| t.totals.total - a.duties.totals.total),
        _ => Decimal::ZERO,
    };
    Decided { accepted, recoverable }
}

/// The facts the decision computed about a declaration, as the model reads them.
fn facts_of(accepted: &Accepted, categories: &Categories) -> Facts {
    Facts {
        items: accepted
            .duties
            .items
            .iter()
            .zip(&accepted.valuation)
            .map(|(d, v)| ItemFacts { customs_value_eur: Some(d.customs_value), valuation: v.clone() })
            .collect(),
        declarant_category: categories.get(&accepted.declaration.declarant.id),
        importer_category: categories.get(&accepted.declaration.importer.id),
        ..Facts::default()
    }
}

fn categories_of(records: &HashMap<String, OperatorRecord>, today: NaiveDate) -> Categories {
    Categories(records.values().map(|r| (r.id.clone(), categorise(r.clone(), today).category)).collect())
}

/// Runs the simulation, calling `on_week` with each week's report as soon as it is known.
pub fn run(settings: &Settings, mut on_week: impl FnMut(&WeekReport)) -> Result<Outcome, SimulationError> {
    settings.check()?;
    let rules = Rules::demo()?;
    let start = NaiveDate::from_ymd_opt(START.0, START.1, START.2).unwrap_or_default();
    let switch_week = settings.switch_week();
    let mut rng = simulate::rng(settings.seed);
    let mut population = Population::new(&mut rng, settings.declarations_per_week, start);
    let mut observations: Vec<Observation> = population.history(&mut rng);
    let mut prices = PriceReference::build(observations.iter().cloned());
    let mut records: HashMap<String, OperatorRecord> =
        population.prior_records().into_iter().map(|r| (r.id.clone(), r)).collect();
    let mut categories = categories_of(&records, start);
    let mut cases: Vec<Case> = Vec::new();
    let mut model: Option<TrainedModel> = None;
    let retraining = RetrainSettings {
        training: crate::evaluate::TrainingSettings {
            iterations: settings.trees,
            ..RetrainSettings::default().training
        },
        red_share: settings.inspection_rate,
        yellow_share: (2.0 * settings.inspection_rate).min(1.0),
        ..RetrainSettings::default()
    };
    let mut reports = Vec::new();
    for week in 1..=settings.weeks {
        if week == switch_week {
            population.switch_ring(&mut rng, week);
        }
        population.arrive(&mut rng, week);
        let consignments = population.declarations(&mut rng, week, settings.declarations_per_week);
        let ranking = model.as_ref().map(Ranking);
        let scorer = ranking.as_ref().map(|r| r as &dyn Scorer);
        let draws: Vec<f64> =
            consignments.iter().map(|c| risk::draw(&format!("{}/{}", settings.seed, c.key))).collect();
        let decided: Vec<Decided> = consignments
            .par_iter()
            .zip(&draws)
            .map(|(c, &draw)| {
                let context = RiskContext {
                    scorer,
                    categories: Some(&categories),
                    random_share: settings.random_share,
                    draw,
                    approximate: false,
                };
                file(c, &rules, &prices, context)
            })
            .collect();

        // Only registered declarations go on; a refusal would be a fault of the simulated world.
        let refused = decided.iter().filter(|d| d.accepted.is_none()).count();
        let kept: Vec<(usize, &Accepted)> =
            decided.iter().enumerate().filter_map(|(i, d)| d.accepted.as_deref().map(|a| (i, a))).collect();
        let n = kept.len();
        let irregular: Vec<bool> = kept.iter().map(|(i, _)| consignments[*i].is_irregular()).collect();
        let recoverable: Vec<Decimal> = kept.iter().map(|(i, _)| decided[*i].recoverable).collect();
        let lane = |k: usize| kept[k].1.assessment.lane;
        let random_control = |k: usize| kept[k].1.assessment.random_control;
        let score = |k: usize| kept[k].1.assessment.model.as_ref().map_or(-1.0, |m| m.score);
        let draw = |k: usize| draws[kept[k].0];

        // Capacity: random controls first (they are the unbiased sample the model learns from),
        // then the declarations the analysts' profiles flagged, up to their share of the
        // capacity, then every flagged declaration, riskiest by the model first.
        let capacity = ((settings.inspection_rate * n as f64).round() as usize).clamp(1, n.max(1));
        let profiled = |k: usize| kept[k].1.assessment.hits.iter().any(|h| matches!(h.lane, Lane::Yellow | Lane::Red));
        let mut random: Vec<usize> = (0..n).filter(|&k| random_control(k)).collect();
        random.sort_by(|&a, &b| draw(a).total_cmp(&draw(b)));
        let mut flagged: Vec<usize> =
            (0..n).filter(|&k| !random_control(k) && matches!(lane(k), Lane::Yellow | Lane::Red)).collect();
        flagged.sort_by(|&a, &b| {
            score(b).total_cmp(&score(a)).then(lane(b).cmp(&lane(a))).then(draw(a).total_cmp(&draw(b)))
        });
        let selected = random.len() + flagged.len();
        let mut chosen: Vec<usize> = random.iter().copied().take(capacity).collect();
        let quota = chosen.len() + (settings.profile_share * capacity as f64).round() as usize;
        // Among the profiles' picks, the largest gap to the price reference first.
        let gap =
            |k: usize| kept[k].1.valuation.iter().flatten().map(|v| v.undervaluation_percent).max().unwrap_or_default();
        let mut by_profiles: Vec<usize> = flagged.iter().copied().filter(|&k| profiled(k)).collect();
        by_profiles.sort_by(|&a, &b| {
            gap(b).cmp(&gap(a)).then(score(b).total_cmp(&score(a))).then(draw(a).total_cmp(&draw(b)))
        });
        chosen.extend(by_profiles.into_iter().take(quota.min(capacity).saturating_sub(chosen.len())));
        let mut inspected = vec![false; n];
        for &k in &chosen {
            inspected[k] = true;
        }
        for &k in &flagged {
            if chosen.len() == capacity {
                break;
            }
            if !inspected[k] {
                inspected[k] = true;
                chosen.push(k);
            }
        }

        // The baselines control as many declarations as the platform did.
        let mut baseline_rng = simulate::rng(settings.seed ^ (u64::from(week) << 32) ^ 0x5eed);
        let random_pick: Vec<usize> =
            if n == 0 { Vec::new() } else { index::sample(&mut baseline_rng, n, chosen.len()).into_vec() };
        let mut oracle: Vec<usize> = (0..n).filter(|&k| irregular[k]).collect();
        oracle.sort_by(|&a, &b| recoverable[b].cmp(&recoverable[a]).then(a.cmp(&b)));
        oracle.truncate(chosen.len());

        let platform = Selection::of(&chosen, &irregular, &recoverable);
        let random_selection = Selection::of(&random_pick, &irregular, &recoverable);
        let ring: Vec<usize> = (0..n).filter(|&k| consignments[kept[k].0].ring).collect();
        let ring_caught = ring.iter().filter(|&&k| inspected[k]).count();

        // What the week teaches: outcomes of the controls, the operators' records, the prices
        // of released goods, and the cases to retrain on.
        let week_end = population.week_start(week + 1);
        for (k, (i, a)) in kept.iter().enumerate() {
            let facts = facts_of(a, &categories);
            cases.push(Case::of(&a.declaration, &facts, inspected[k].then_some(irregular[k])));
            let mut ids = vec![a.declaration.declarant.id.clone(), a.declaration.importer.id.clone()];
            ids.dedup();
            for id in ids {
                let record = records.entry(id.clone()).or_insert_with(|| OperatorRecord {
                    id,
                    declarations: 0,
                    controls: 0,
                    irregular: 0,
                    first_seen: consignments[*i].date,
                    aeo: false,
                });
                record.declarations += 1;
                record.controls += u64::from(inspected[k]);
                record.irregular += u64::from(inspected[k] && irregular[k]);
            }
            if inspected[k] && irregular[k] {
                population.caught(&mut rng, &a.declaration.importer.id);
            }
            // Released goods feed the price reference at their declared value, undervalued or
            // not, unless a control found them irregular.
            if !(inspected[k] && irregular[k]) {
                observations.extend(
                    a.declaration
                        .items
                        .iter()
                        .zip(&a.duties.items)
                        .map(|(item, d)| Observation::from_item(item, d.customs_value, Source::Declaration)),
                );
            }
        }
        categories = categories_of(&records, week_end);
        prices = PriceReference::build(observations.iter().cloned());
        let model_version = model.as_ref().map(|m| m.info.version);
        let (promoted, candidate_auc) = match retrain(
            &cases,
            model.as_ref(),
            retraining,
            model_version.map_or(smartcustoms_core::ids::ModelVersion::FIRST, |v| v.next()),
            smartcustoms_core::timestamp::Timestamp::start_of(week_end),
        ) {
            Ok(r) => {
                let auc = r.candidate.info.metrics.as_ref().map(|m| (m.auc * 10_000.0).round() / 10_000.0);
                if r.promoted {
                    model = Some(r.candidate);
                }
                (r.promoted, auc)
            }
            // Too few outcomes, or of one class only: no model yet.
            Err(_) => (false, None),
        };

        let report = WeekReport {
            week,
            declarations: consignments.len(),
            refused,
            irregular: irregular.iter().filter(|x| **x).count(),
            duties_hidden: recoverable.iter().zip(&irregular).filter(|(_, x)| **x).map(|(d, _)| *d).sum(),
            capacity,
            selected,
            random_controls: random.len(),
            ratio_to_random: (random_selection.caught > 0)
                .then(|| (platform.caught as f64 / random_selection.caught as f64 * 100.0).round() / 100.0),
            platform,
            random: random_selection,
            oracle: Selection::of(&oracle, &irregular, &recoverable),
            model_version,
            promoted,
            candidate_auc,
            ring: RingWeek {
                route: if week < switch_week { "before" } else { "after" },
                declarations: ring.len(),
                caught: ring_caught,
                caught_share: share(ring_caught, ring.len()),
            },
        };
        on_week(&report);
        reports.push(report);
    }
    let summary = Summary::of(&reports, switch_week);
    Ok(Outcome { weeks: reports, summary })
}
