//! The self-adjusting risk system around the model: learning cases rebuilt from stored
//! declarations and control outcomes, retraining with promotion, operator categories, the
//! effectiveness of profiles and the what-if replay of a period. Used by the server's
//! scheduled jobs and endpoints and by the `smartcustoms risk …` commands.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;
use smartcustoms_core::declaration::{Declaration, DeclarationDoc};
use smartcustoms_core::flc;
use smartcustoms_core::risk::{
    self, categorise, Categories, Categorised, Facts, ItemFacts, Lane, OperatorRecord, Profile, RiskContext,
};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::valuation::ValuationCheck;
use smartcustoms_model::{retrain, Case, HeldOutMetrics, ModelError, RetrainSettings, TrainedModel};
use smartcustoms_storage::{
    ActiveModel, NewRiskModel, OperatorCategory, Store, StoreError, StoredCase, StoredDecision,
};

/// How far back the risk system looks.
pub const WINDOW_DAYS: i64 = 365;
/// Most declarations read at once.
pub const MAX_CASES: i64 = 500_000;

/// Error of a risk job.
#[derive(Debug, thiserror::Error)]
pub enum RiskJobError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The model could not be trained or loaded.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A parameter is malformed: its name and why.
    #[error("{0}: {1}")]
    BadParameter(&'static str, String),
}

/// A stored declaration rebuilt as the risk system saw it when it was filed.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    /// As stored.
    pub stored: StoredCase,
    /// The declaration (after format-logical control).
    pub declaration: Declaration,
    /// Customs values, value checks and operator categories when it was filed.
    pub facts: Facts,
    /// The decision stored with it.
    pub decision: StoredDecision,
}

impl Rebuilt {
    /// The learning case.
    pub fn case(&self) -> Case {
        Case::of(&self.declaration, &self.facts, self.stored.irregular)
    }
}

/// The parts of a stored duty calculation the risk system and the price reference read.
#[derive(serde::Deserialize)]
pub(crate) struct StoredDuties {
    pub calculation: StoredCalculation,
    #[serde(default)]
    pub valuation: Vec<Option<ValuationCheck>>,
}

#[derive(serde::Deserialize)]
pub(crate) struct StoredCalculation {
    pub items: Vec<StoredItem>,
}

#[derive(serde::Deserialize)]
pub(crate) struct StoredItem {
    pub customs_value: Decimal,
}

/// Why a stored declaration was left out of the learning cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Skipped {
    /// The checked declaration kept at registration cannot be read.
    Checked,
    /// Recorded before the checked declaration was kept: the filed document no longer parses.
    Document,
    /// Recorded before the checked declaration was kept: the document no longer passes the
    /// format-logical control (a rule added since).
    Checks,
    /// The stored decision cannot be read.
    Decision,
    /// The time of receipt is out of range.
    Time,
}

/// The declaration of a case recorded before the checked declaration was kept: its filed
/// document checked again, as of the day it was filed.
fn recheck(stored: &StoredCase) -> Result<Declaration, Skipped> {
    let doc = DeclarationDoc::from_json(&stored.document).map_err(|_| Skipped::Document)?;
    let filed = stored.received_at_us.date().ok_or(Skipped::Time)?;
    flc::check(&doc, &flc::Context { today: filed, offices: Default::default() }).map_err(|_| Skipped::Checks)
}

/// Rebuilds a stored declaration as a learning case, from the declaration as checked when it
/// was filed (earlier records: from the filed document, checked again), or says why it cannot be.
pub fn rebuild(stored: StoredCase) -> Result<Rebuilt, Skipped> {
    let declaration = match stored.checked.as_deref() {
        Some(checked) => smartcustoms_storage::read_document::<Declaration>(checked, "checked declaration")
            .map_err(|_| Skipped::Checked)?,
        None => recheck(&stored)?,
    };
    let decision = StoredDecision::parse(&stored.decision).map_err(|_| Skipped::Decision)?;
    let duties: Option<StoredDuties> =
        stored.duties.as_deref().and_then(|d| smartcustoms_storage::read_document(d, "stored duties").ok());
    let items = match duties {
        Some(d) => d
            .calculation
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| ItemFacts {
                customs_value_eur: Some(item.customs_value),
                valuation: d.valuation.get(i).cloned().flatten(),
            })
            .collect(),
        None => Vec::new(),
    };
    let facts = Facts {
        items,
        declarant_category: decision.risk.declarant_category,
        importer_category: decision.risk.importer_category,
        findings: decision.risk.findings.clone(),
        ..Facts::default()
    };
    Ok(Rebuilt { stored, declaration, facts, decision })
}

/// The learning cases of a window, and how many stored declarations were left out, by reason.
#[derive(Default)]
pub struct Loaded {
    /// The rebuilt declarations, oldest first.
    pub cases: Vec<Rebuilt>,
    /// Declarations left out, by reason.
    pub skipped: BTreeMap<Skipped, usize>,
}

/// The registered declarations of the window ending now, rebuilt, oldest first. Whatever
/// cannot be rebuilt is counted by reason and logged, never dropped silently.
pub async fn load(store: &dyn Store, now: DateTime<Utc>, days: i64) -> Result<Loaded, RiskJobError> {
    let from = Timestamp::from(now - chrono::Duration::days(days));
    let stored = store.risk_cases(from, MAX_CASES).await?;
    let loaded = tokio::task::spawn_blocking(move || {
        let mut loaded = Loaded::default();
        for case in stored {
            match rebuild(case) {
                Ok(r) => loaded.cases.push(r),
                Err(why) => *loaded.skipped.entry(why).or_default() += 1,
            }
        }
        loaded
    })
    .await
    .map_err(|e| ModelError::Training(format!("rebuilding the learning cases failed: {e}")))?;
    if !loaded.skipped.is_empty() {
        tracing::warn!(skipped = ?loaded.skipped, "stored declarations left out of the learning cases");
    }
    Ok(loaded)
}

/// What retraining did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainReport {
    /// The candidate's version.
    pub version: smartcustoms_core::ids::ModelVersion,
    /// It is now the model in force.
    pub promoted: bool,
    /// Why, in plain terms.
    pub reason: String,
    /// Registered declarations in the window.
    pub declarations: usize,
    /// Of which with control outcomes.
    pub outcomes: usize,
    /// Registered declarations of the window left out of learning, by reason (a document
    /// that no longer passes a rule added since, a decision that cannot be read).
    pub skipped: BTreeMap<Skipped, usize>,
    /// The candidate on the held-out outcomes.
    #[schema(value_type = Object)]
    pub candidate: Option<HeldOutMetrics>,
    /// The model in force on the same outcomes.
    #[schema(value_type = Object)]
    pub current: Option<HeldOutMetrics>,
    /// First and last day (YYYYMMDD) the candidate learnt from.
    pub window: (i64, i64),
    /// Lowest scores sent to red and to yellow.
    pub thresholds: (f64, f64),
    /// Seconds spent training.
    pub train_seconds: f64,
}

/// Trains a candidate on the stored outcomes, compares it with `current`, keeps it as a new
/// version and, when it wins, makes it the active one. Returns the report and the promoted
/// model.
pub async fn train(
    store: &dyn Store,
    current: Option<Arc<TrainedModel>>,
    settings: RetrainSettings,
    now: DateTime<Utc>,
) -> Result<(TrainReport, Option<Arc<TrainedModel>>), RiskJobError> {
    let loaded = load(store, now, WINDOW_DAYS).await?;
    let skipped = loaded.skipped;
    let cases: Vec<Case> = loaded.cases.iter().map(Rebuilt::case).collect();
    let version = store.next_risk_model_version().await?;
    let outcomes = cases.iter().filter(|c| c.irregular.is_some()).count();
    let declarations = cases.len();
    let started = std::time::Instant::now();
    let trained_at = Timestamp::from(now);
    let result =
        tokio::task::spawn_blocking(move || retrain(&cases, current.as_deref(), settings, version, trained_at))
            .await
            .map_err(|e| ModelError::Training(e.to_string()))??;
    let train_seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    let info = &result.candidate.info;
    let report = TrainReport {
        version,
        promoted: result.promoted,
        reason: result.reason.clone(),
        declarations,
        outcomes,
        skipped,
        candidate: info.metrics.clone(),
        current: result.current_metrics.clone(),
        window: info.window,
        thresholds: (info.thresholds.red, info.thresholds.yellow),
        train_seconds,
    };
    store
        .add_risk_model(&NewRiskModel {
            version,
            trained_at_us: trained_at,
            promoted: result.promoted,
            reason: result.reason.clone(),
            info: serde_json::to_string(info).map_err(|e| ModelError::Format(format!("model information: {e}")))?,
            document: result.candidate.to_json()?,
        })
        .await?;
    Ok((report, result.promoted.then(|| Arc::new(result.candidate))))
}

/// The active model in the store; a model that cannot be loaded is refused with the reason.
pub async fn active_model(store: &dyn Store) -> Result<Option<Arc<TrainedModel>>, RiskJobError> {
    let Some(ActiveModel { version, document }) = store.active_risk_model().await? else { return Ok(None) };
    let model = tokio::task::spawn_blocking(move || TrainedModel::from_json(&document))
        .await
        .map_err(|e| ModelError::Format(e.to_string()))?
        .map_err(|e| ModelError::Format(format!("version {version}: {e}")))?;
    Ok(Some(Arc::new(model)))
}

/// Recomputes every operator's category from the declarations of the window and the AEO
/// authorisations, stores them and returns them.
pub async fn recategorise(store: &dyn Store, now: DateTime<Utc>) -> Result<Vec<Categorised>, RiskJobError> {
    let from = Timestamp::from(now - chrono::Duration::days(WINDOW_DAYS));
    let stored = store.risk_cases(from, MAX_CASES).await?;
    let aeo: HashSet<String> = store.aeo_holders().await?.into_iter().collect();
    let today = now.date_naive();
    let categorised =
        tokio::task::spawn_blocking(move || categories_of(&stored, &aeo, today)).await.unwrap_or_default();
    let rows = categorised
        .iter()
        .map(|c| {
            Ok(OperatorCategory {
                party: c.record.id.clone(),
                category: c.category.as_str().to_string(),
                record: serde_json::to_string(c)
                    .map_err(|e| StoreError::Internal(format!("operator category: {e}")))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    store.replace_operator_categories(&rows, now.into()).await?;
    Ok(categorised)
}

/// The categories of every declarant and importer of `cases` and every AEO holder.
pub fn categories_of(cases: &[StoredCase], aeo: &HashSet<String>, today: NaiveDate) -> Vec<Categorised> {
    let mut records: BTreeMap<String, OperatorRecord> = BTreeMap::new();
    let mut count = |id: &str, case: &StoredCase, day: NaiveDate| {
        let r = records.entry(id.to_string()).or_insert_with(|| OperatorRecord {
            id: id.to_string(),
            declarations: 0,
            controls: 0,
            irregular: 0,
            first_seen: day,
            aeo: aeo.contains(id),
        });
        r.declarations += 1;
        r.controls += u64::from(case.irregular.is_some());
        r.irregular += u64::from(case.irregular == Some(true));
        r.first_seen = r.first_seen.min(day);
    };
    for case in cases {
        let day = case.received_at_us.date().unwrap_or(today);
        count(&case.declarant, case, day);
        let importer = DeclarationDoc::from_json(&case.document).ok().and_then(|d| d.importer?.id);
        if let Some(importer) = importer.filter(|i| *i != case.declarant) {
            count(&importer, case, day);
        }
    }
    for id in aeo {
        records.entry(id.clone()).or_insert_with(|| OperatorRecord {
            id: id.clone(),
            declarations: 0,
            controls: 0,
            irregular: 0,
            first_seen: today,
            aeo: true,
        });
    }
    records.into_values().map(|r| categorise(r, today)).collect()
}

/// The categories in force as the lane decision reads them.
pub fn categories_map(categorised: &[Categorised]) -> Categories {
    Categories(categorised.iter().map(|c| (c.record.id.clone(), c.category)).collect())
}

/// How well a profile's hits are confirmed by controls.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProfileEffectiveness {
    /// Profile code.
    pub profile: String,
    /// Declarations it fired on.
    pub hits: u64,
    /// Of which controlled with an outcome.
    pub controlled: u64,
    /// Of which irregular.
    pub confirmed: u64,
    /// confirmed / controlled; `null` before any control.
    pub hit_rate: Option<f64>,
    /// Additional duty assessed on its confirmed hits, cents.
    pub recovered_cents: i64,
    /// A proposal for the analyst, when the record calls for one.
    pub proposal: Option<String>,
}

/// Controlled hits without a single confirmation after which retirement is proposed.
pub const RETIRE_AFTER: u64 = 20;

/// [`effectiveness`] of the outcomes of the last [`WINDOW_DAYS`] days.
pub async fn effectiveness_now(state: &AppState) -> Result<Vec<ProfileEffectiveness>, StoreError> {
    let from = Timestamp::now() - chrono::Duration::days(WINDOW_DAYS);
    Ok(effectiveness(&state.store.risk_cases(from, MAX_CASES).await?))
}

/// The effectiveness of every profile that fired in `cases`, and of the model and of random
/// controls as if they were profiles (`MODEL`, `RANDOM`), by hit rate, best first.
pub fn effectiveness(cases: &[StoredCase]) -> Vec<ProfileEffectiveness> {
    let mut by: HashMap<String, ProfileEffectiveness> = HashMap::new();
    for case in cases {
        let Ok(decision) = StoredDecision::parse(&case.decision) else { continue };
        let mut sources: Vec<String> = decision.hits.iter().map(|h| h.profile.clone()).collect();
        if decision.risk.model.as_ref().is_some_and(|m| m.lane > Lane::Green) {
            sources.push("MODEL".into());
        }
        if decision.risk.random_control {
            sources.push("RANDOM".into());
        }
        sources.sort();
        sources.dedup();
        for source in sources {
            let e = by.entry(source.clone()).or_insert_with(|| ProfileEffectiveness {
                profile: source,
                hits: 0,
                controlled: 0,
                confirmed: 0,
                hit_rate: None,
                recovered_cents: 0,
                proposal: None,
            });
            e.hits += 1;
            e.controlled += u64::from(case.irregular.is_some());
            if case.irregular == Some(true) {
                e.confirmed += 1;
                e.recovered_cents += case.additional_duty_cents.unwrap_or(0);
            }
        }
    }
    let mut out: Vec<ProfileEffectiveness> = by
        .into_values()
        .map(|mut e| {
            e.hit_rate =
                (e.controlled > 0).then(|| (e.confirmed as f64 / e.controlled as f64 * 10_000.0).round() / 10_000.0);
            if e.controlled >= RETIRE_AFTER && e.confirmed == 0 && e.profile != "RANDOM" {
                e.proposal = Some(format!("propose retirement: {} controlled hits, none confirmed", e.controlled));
            }
            e
        })
        .collect();
    out.sort_by(|a, b| {
        b.hit_rate.unwrap_or(-1.0).total_cmp(&a.hit_rate.unwrap_or(-1.0)).then_with(|| a.profile.cmp(&b.profile))
    });
    out
}

/// Counts of declarations per lane.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct LaneCounts {
    /// Green.
    pub green: u64,
    /// Blue.
    pub blue: u64,
    /// Yellow.
    pub yellow: u64,
    /// Red.
    pub red: u64,
}

impl LaneCounts {
    fn add(&mut self, lane: Lane) {
        match lane {
            Lane::Green => self.green += 1,
            Lane::Blue => self.blue += 1,
            Lane::Yellow => self.yellow += 1,
            Lane::Red => self.red += 1,
        }
    }
}

/// One side of a replay: lanes and known irregularities caught.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ReplaySide {
    /// Declarations per lane.
    pub lanes: LaneCounts,
    /// Declarations sent to an officer (yellow or red).
    pub controls: u64,
    /// Known irregular declarations sent to an officer.
    pub irregular_caught: u64,
    /// Known irregular declarations released without an officer.
    pub irregular_missed: u64,
    /// Additional duty of the caught ones, cents.
    pub recovered_cents: i64,
}

impl ReplaySide {
    fn add(&mut self, lane: Lane, case: &StoredCase) {
        self.lanes.add(lane);
        let controlled = !lane.releases_automatically();
        self.controls += u64::from(controlled);
        if case.irregular == Some(true) {
            if controlled {
                self.irregular_caught += 1;
                self.recovered_cents += case.additional_duty_cents.unwrap_or(0);
            } else {
                self.irregular_missed += 1;
            }
        }
    }
}

/// The what-if of a period: the decisions as taken, and as they would have been.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplayReport {
    /// Declarations replayed.
    pub declarations: u64,
    /// Of which with a known control outcome.
    pub known_outcomes: u64,
    /// Of which irregular.
    pub known_irregular: u64,
    /// As decided at the time.
    pub actual: ReplaySide,
    /// With the changed profiles, model, thresholds or random share.
    pub replayed: ReplaySide,
    /// Declarations whose lane changes.
    pub changed: u64,
    /// Declarations each profile fires on in the replay, by profile code.
    pub hits: BTreeMap<String, u64>,
}

/// What a replay changes.
pub struct ReplaySettings<'a> {
    /// Profiles to apply (those in force on each declaration's date are used).
    pub profiles: &'a [Profile],
    /// The model to score with, if any.
    pub model: Option<&'a TrainedModel>,
    /// Share of declarations the model sends to red, replacing the model's own thresholds.
    pub red_share: Option<f64>,
    /// Share sent to yellow or red.
    pub yellow_share: Option<f64>,
    /// Share of random controls.
    pub random_share: f64,
}

/// Re-runs the lane decision on past declarations with other settings. Operator categories are
/// those stored with each declaration; random draws come from the declaration id, as at the
/// time. Thresholds given as shares are set from the replayed period's own scores.
pub fn replay(cases: &[Rebuilt], settings: &ReplaySettings<'_>) -> ReplayReport {
    let thresholds = settings.model.and_then(|m| {
        let red = settings.red_share.unwrap_or(m.info.thresholds.red_share);
        let yellow = settings.yellow_share.unwrap_or(m.info.thresholds.yellow_share.max(red));
        (settings.red_share.is_some() || settings.yellow_share.is_some()).then(|| {
            let scores: Vec<f64> = cases.iter().filter_map(|c| m.score_case(&c.case().rows).map(|s| s.1)).collect();
            risk::Thresholds::from_scores(&scores, red, yellow)
        })
    });
    let model = settings.model.map(|m| Rethresholded { model: m, thresholds });
    let mut report = ReplayReport {
        declarations: 0,
        known_outcomes: 0,
        known_irregular: 0,
        actual: ReplaySide::default(),
        replayed: ReplaySide::default(),
        changed: 0,
        hits: BTreeMap::new(),
    };
    for c in cases {
        let Some(actual) = Lane::parse(&c.stored.lane) else { continue };
        let context = RiskContext {
            scorer: model.as_ref().map(|m| m as &dyn risk::Scorer),
            categories: None,
            random_share: settings.random_share,
            draw: risk::draw(&c.stored.id),
            approximate: false,
        };
        let assessment =
            risk::assess_in(&c.declaration, &c.facts, settings.profiles, c.declaration.declaration_date, context);
        let lane = assessment.lane;
        let fired: std::collections::BTreeSet<&str> = assessment.hits.iter().map(|h| h.profile.as_str()).collect();
        for profile in fired {
            *report.hits.entry(profile.to_string()).or_default() += 1;
        }
        report.declarations += 1;
        report.known_outcomes += u64::from(c.stored.irregular.is_some());
        report.known_irregular += u64::from(c.stored.irregular == Some(true));
        report.actual.add(actual, &c.stored);
        report.replayed.add(lane, &c.stored);
        report.changed += u64::from(lane != actual);
    }
    report
}

/// A model scored with other thresholds.
struct Rethresholded<'a> {
    model: &'a TrainedModel,
    thresholds: Option<risk::Thresholds>,
}

impl risk::Scorer for Rethresholded<'_> {
    fn score(&self, declaration: &Declaration, facts: &Facts) -> Option<risk::ModelScore> {
        let mut score = self.model.score(declaration, facts)?;
        if let Some(t) = self.thresholds {
            score.thresholds = t;
            score.lane = t.lane(score.score);
        }
        Some(score)
    }
}

/// Retrains and, when the candidate wins, puts it in force in this process at once.
pub async fn retrain_now(state: &AppState) -> Result<TrainReport, RiskJobError> {
    let (report, promoted) = train(state.store.as_ref(), state.model(), state.config.retrain, Utc::now()).await?;
    if let Some(model) = promoted {
        state.set_model(model);
    }
    tracing::info!(version = report.version.get(), promoted = report.promoted, reason = %report.reason, "risk model retrained");
    Ok(report)
}

/// Recomputes the operator categories and puts them in force.
pub async fn recategorise_now(state: &AppState) -> Result<Vec<Categorised>, RiskJobError> {
    let categorised = recategorise(state.store.as_ref(), Utc::now()).await?;
    state.set_categories(categories_map(&categorised));
    Ok(categorised)
}

/// Records an operator's AEO authorisation and recomputes the categories at once; returns the
/// operator's new categorisation.
pub async fn add_aeo(state: &AppState, operator: &str, reference: &str) -> Result<Vec<Categorised>, RiskJobError> {
    if operator.is_empty() || operator.len() > 35 || !operator.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(RiskJobError::BadParameter("id", "an operator id is 1 to 35 letters and digits".into()));
    }
    let reference = reference.trim();
    if reference.is_empty() || reference.len() > 64 {
        return Err(RiskJobError::BadParameter("reference", "1 to 64 characters".into()));
    }
    state.store.add_aeo(operator, reference, Timestamp::now()).await?;
    let categorised = recategorise_now(state).await?;
    Ok(categorised.into_iter().filter(|c| c.record.id == operator).collect())
}

#[cfg(test)]
#[path = "risk_tests.rs"]
mod tests;
