//! Declarations as stored: the filings, their summaries and decisions, their audit trail, release
//! documents and notifications. Their writing transactions are in [`crate::transactions`]. The SQL
//! is the same on both backends and is expanded into each by [`declaration_queries`].

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::audit::AuditEntry;
use smartcustoms_core::ids::{DeclarationId, RegistrationNumber, TraderId};
use smartcustoms_core::ledger::{Amount, TaxSplit};
use smartcustoms_core::registration::{self, Admission, Decision, Reason, Registrable};
use smartcustoms_core::release::{Notification, ReleaseDocument};
use smartcustoms_core::risk::{Category, Hit, Lane, ModelScore};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::workflow::State;

use crate::StoreResult;

/// A filed declaration with the system's decision, ready to record.
#[derive(Debug, Clone)]
pub struct Filing {
    /// New id.
    pub id: DeclarationId,
    /// The authenticated declarant.
    pub declarant: TraderId,
    /// The customs representative filing for the declarant under an authorisation, and the
    /// user who filed.
    pub representative: Option<(TraderId, String)>,
    /// The items' HS subheadings as stored for searching (see [`hs_codes`]).
    pub hs_codes: Option<String>,
    /// The mode of transport at the border as declared.
    pub transport_mode: Option<String>,
    /// The means of transport at the border (a road vehicle's number plate in its normal form),
    /// by which a checkpoint finds the declarations of a vehicle.
    pub transport_means: Option<String>,
    /// Client's idempotency key, unique per declarant.
    pub idempotency_key: Option<String>,
    /// The exact bytes filed (what the signature covers).
    pub document: Vec<u8>,
    /// SHA-256 of `document`, hex.
    pub document_sha256: String,
    /// The detached JWS, as received.
    pub signature: Option<String>,
    /// Office of declaration as filed (may be absent or wrong on refused filings).
    pub office: Option<String>,
    /// Temporary-storage facility as filed.
    pub location_of_goods: Option<String>,
    /// The system's decision.
    pub decision: Decision,
    /// The decision's money columns ([`MoneyColumns::of`]).
    pub money: MoneyColumns,
    /// Time of receipt and decision.
    pub at_us: Timestamp,
    /// Registration date at the office.
    pub date: NaiveDate,
    /// The Single Window documents the goods need (empty when none, or when refused).
    pub permit_needs: Vec<smartcustoms_core::permits::Need>,
    /// The message as received when it was not our JSON (a WCO DM DEC message): what the
    /// signature covers; `document` is then the JSON it maps to.
    pub original: Option<Original>,
}

impl Filing {
    /// `IM` or `EX` for an accepted declaration, kept on its row; none for a refused one.
    pub fn kind(&self) -> Option<&'static str> {
        self.decision.accepted().map(|a| a.declaration.kind.code())
    }

    /// Whether an accepted declaration opens batches of traced goods at its release, kept on
    /// its row so that the traceability scan reads only those; none for a refused one.
    pub fn traced(&self) -> Option<bool> {
        self.decision.accepted().map(|a| smartcustoms_core::traceability::opens_batches(&a.declaration))
    }
}

/// A declaration message as received in another format than our JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    /// Its media type (`application/xml`).
    pub media_type: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Their SHA-256, hex.
    pub sha256: String,
}

/// What `record_batch` did with one filing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new declaration was recorded.
    Created(DeclarationSummary),
    /// The idempotency key was used before: the earlier declaration, untouched.
    Duplicate(DeclarationSummary),
}

impl Recorded {
    /// The declaration either way.
    pub fn summary(&self) -> &DeclarationSummary {
        match self {
            Recorded::Created(s) | Recorded::Duplicate(s) => s,
        }
    }
}

/// The listing view of a declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeclarationSummary {
    /// Id.
    pub id: DeclarationId,
    /// Declarant.
    pub declarant: TraderId,
    /// The customs representative (broker) that filed it for the declarant, if one did.
    pub representative: Option<TraderId>,
    /// Current state.
    pub state: State,
    /// Lane, once assessed.
    pub lane: Option<Lane>,
    /// Registration number, once registered.
    pub registration_number: Option<RegistrationNumber>,
    /// Office of declaration as filed.
    pub office: Option<String>,
    /// Receipt time.
    pub received_at_us: Timestamp,
    /// Registration time.
    pub registered_at_us: Option<Timestamp>,
    /// Time of the last change.
    pub updated_at_us: Timestamp,
}

/// A declaration with its document and decision.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DeclarationRecord {
    /// The listing fields.
    #[serde(flatten)]
    pub summary: DeclarationSummary,
    /// The exact bytes filed.
    #[serde(skip)]
    pub document: Vec<u8>,
    /// SHA-256 of the document, hex.
    pub document_sha256: String,
    /// The detached JWS as received.
    pub signature: Option<String>,
    /// Reasons of a refusal.
    pub reasons: Vec<Reason>,
    /// Risk profiles that fired.
    pub hits: Vec<Hit>,
    /// The model's score and explanation, random control and operator categories.
    pub risk: RiskView,
    /// The duty calculation with every input (measure, rate, exchange rate) and the value
    /// check of each item, for declarations that got that far.
    #[schema(value_type = Option<Object>)]
    pub duties: Option<serde_json::Value>,
    /// The duties to pay.
    pub duties_total: Option<Amount>,
}

pub use crate::listing::ListQuery;
pub(crate) use crate::listing::{list_conditions, Value};

/// Number of declarations in one state and lane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateCount {
    /// State.
    pub state: State,
    /// Lane (none before assessment).
    pub lane: Option<Lane>,
    /// How many.
    pub count: i64,
}

/// A declarant's record (see `DeclarationQueries::operator_record`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OperatorRecord {
    /// Its declarations per state and lane.
    pub declarations: Vec<StateCount>,
    /// Controls of its declarations decided by officers or imported.
    pub controls: i64,
    /// Of those, the ones that found irregularities.
    pub irregular: i64,
    /// Additional duties the controls assessed.
    pub additional_duty: Amount,
}

/// The columns derived from a decision and its admission, in the writer's transaction.
pub(crate) struct DecisionColumns {
    pub state: State,
    pub lane: Option<Lane>,
    pub decision_json: String,
}

impl DecisionColumns {
    pub(crate) fn of(decision: &Decision, admission: Option<Admission>) -> Result<Self, crate::StoreError> {
        let state = registration::final_state(decision, admission);
        let registered = !matches!(admission, Some(Admission::AwaitingPayment { .. }));
        Ok(match decision {
            Decision::Refused { reasons } => DecisionColumns {
                state,
                lane: None,
                decision_json: json(&StoredDecision { reasons: reasons.clone(), ..StoredDecision::default() })?,
            },
            Decision::Accepted(a) => DecisionColumns {
                state,
                lane: registered.then_some(a.assessment.lane),
                decision_json: if registered {
                    registered_json(&a.registrable)?
                } else {
                    json(&StoredDecision::default())?
                },
            },
        })
    }
}

/// The columns of an accepted filing computed from its decision: the duty calculation with the
/// value checks, the duties in cents, the registration record and the checked declaration the
/// risk model learns from. Serialised by the handler that decided the filing, so the writer's
/// serial section only copies them.
#[derive(Debug, Clone, Default)]
pub struct MoneyColumns {
    pub(crate) duties_json: Option<String>,
    pub(crate) duties_cents: Option<i64>,
    pub(crate) pending_json: Option<String>,
    pub(crate) checked_json: Option<String>,
}

impl MoneyColumns {
    /// The columns of a decision (none for a refusal).
    pub fn of(decision: &Decision) -> Result<Self, crate::StoreError> {
        let Some(a) = decision.accepted() else { return Ok(MoneyColumns::default()) };
        Ok(MoneyColumns {
            duties_json: Some(json(&Duties { calculation: &a.duties, valuation: &a.valuation })?),
            duties_cents: Some(a.registrable.taxes.total().cents()),
            pending_json: Some(json(&a.registrable)?),
            checked_json: Some(json(&a.declaration)?),
        })
    }
}

/// The duty calculation as stored and returned with a declaration.
#[derive(Serialize)]
struct Duties<'a> {
    calculation: &'a smartcustoms_core::tariff::DutyAssessment,
    valuation: &'a [Option<smartcustoms_core::valuation::ValuationCheck>],
}

/// Format of the JSON documents stored with a declaration (decision, duties, registration
/// record, checked declaration). Each carries it as `format`; a document without one was written before documents
/// carried their format (format 0) and reads the same.
pub const DOCUMENT_FORMAT: u32 = 1;

/// A document to store with its format, written in one pass (this runs in the writer's serial
/// section for every registration).
#[derive(Serialize)]
struct Versioned<'a, T: Serialize> {
    format: u32,
    #[serde(flatten)]
    document: &'a T,
}

/// Serialises a document to store, with its format. `T` serialises as a JSON object.
fn json<T: Serialize>(value: &T) -> Result<String, crate::StoreError> {
    serde_json::to_string(&Versioned { format: DOCUMENT_FORMAT, document: value })
        .map_err(|e| crate::StoreError::Internal(e.to_string()))
}

/// Reads a stored document of the current format or an earlier one, never a later one (a
/// database written by a newer version of the platform is refused, not misread).
pub fn read_document<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> Result<T, crate::StoreError> {
    #[derive(serde::Deserialize)]
    struct Header {
        #[serde(default)]
        format: u32,
    }
    let corrupt = |e: serde_json::Error| crate::StoreError::Corrupt(format!("{what}: {e}"));
    let header: Header = serde_json::from_str(json).map_err(corrupt)?;
    if header.format > DOCUMENT_FORMAT {
        return Err(crate::StoreError::Corrupt(format!(
            "{what} has format {}, this version reads formats up to {DOCUMENT_FORMAT}",
            header.format
        )));
    }
    serde_json::from_str(json).map_err(corrupt)
}

/// What an officer's decision needs from the stored declaration.
pub(crate) struct StoredControl {
    pub taxes: TaxSplit,
    pub location_of_goods: String,
}

impl StoredControl {
    /// From the stored registration record; a declaration registered before duties were
    /// calculated has none, and its goods location is read from the filed document.
    pub(crate) fn parse_or_document(pending: Option<&str>, document: &[u8]) -> Result<Self, crate::StoreError> {
        if pending.is_some() {
            let r = crate::batch::parse_registrable(pending)?;
            return Ok(StoredControl { taxes: r.taxes, location_of_goods: r.location_of_goods });
        }
        let location = serde_json::from_slice::<smartcustoms_core::declaration::DeclarationDoc>(document)
            .ok()
            .and_then(|d| d.location_of_goods)
            .unwrap_or_default();
        Ok(StoredControl { taxes: TaxSplit::default(), location_of_goods: location })
    }
}

/// Reads the stored decision JSON back.
/// The decision as stored with a declaration: refusal reasons, or the profiles that fired and
/// the rest of the risk assessment.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct StoredDecision {
    /// Reasons of a refusal.
    pub reasons: Vec<Reason>,
    /// Profiles that fired.
    pub hits: Vec<Hit>,
    /// Model score, random control and operator categories.
    #[serde(default)]
    pub risk: RiskView,
}

/// What decided the lane besides the profiles.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct RiskView {
    /// The model's score, lane and largest feature contributions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelScore>,
    /// Selected by the random share of controls.
    #[serde(default)]
    pub random_control: bool,
    /// The declarant's risk category when assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declarant_category: Option<Category>,
    /// The importer's risk category when assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importer_category: Option<Category>,
    /// The reasons for the lane in plain terms.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// What other checks found (a partner administration's export that differs, a parcel's
    /// flags): codes the risk profiles and the model read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

impl RiskView {
    /// The view of a registration record.
    pub fn of(r: &Registrable) -> RiskView {
        RiskView {
            model: r.model.clone(),
            random_control: r.random_control,
            declarant_category: r.declarant_category,
            importer_category: r.importer_category,
            reasons: r.assessment().reasons(),
            findings: r.findings.clone(),
        }
    }
}

/// The stored decision JSON of a registered declaration.
pub(crate) fn registered_json(r: &Registrable) -> Result<String, crate::StoreError> {
    json(&StoredDecision { reasons: Vec::new(), hits: r.hits.clone(), risk: RiskView::of(r) })
}

pub(crate) fn parse_decision_json(json: &str) -> Result<StoredDecision, crate::StoreError> {
    StoredDecision::parse(json)
}

impl StoredDecision {
    /// Reads the stored JSON.
    pub fn parse(json: &str) -> Result<StoredDecision, crate::StoreError> {
        read_document(json, "stored decision")
    }
}

/// Reads a stored state name.
pub(crate) fn parse_state(s: &str) -> Result<State, crate::StoreError> {
    State::parse(s).ok_or_else(|| crate::StoreError::Corrupt(format!("unknown state {s:?}")))
}

/// Reads a stored lane name.
pub(crate) fn parse_lane(s: Option<&str>) -> Result<Option<Lane>, crate::StoreError> {
    s.map(|s| Lane::parse(s).ok_or_else(|| crate::StoreError::Corrupt(format!("unknown lane {s:?}")))).transpose()
}

/// How many declarations filed in one hour were registered and sent to one lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourlyCount {
    /// Start of the hour (UTC).
    pub hour: Timestamp,
    /// The lane (none while not yet assessed).
    pub lane: Option<Lane>,
    /// Declarations.
    pub count: i64,
}

/// A declaration waiting in a state, with the risk assessment that put it there.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    /// The declaration.
    pub summary: DeclarationSummary,
    /// Model score, random control and operator categories.
    pub risk: RiskView,
    /// The centre it is dispatched to.
    pub centre: Option<String>,
    /// The inspector it is dispatched to.
    pub inspector: Option<String>,
}

/// When a registered declaration passed each step, for the time-release statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepTimes {
    /// Office of declaration as filed.
    pub office: Option<String>,
    /// Lane, once assessed.
    pub lane: Option<Lane>,
    /// Mode of transport at the border as declared.
    pub transport_mode: Option<String>,
    /// Filed.
    pub received_at_us: Timestamp,
    /// Registered.
    pub registered_at_us: Timestamp,
    /// Sent to its lane.
    pub lane_at_us: Option<Timestamp>,
    /// Released.
    pub released_at_us: Option<Timestamp>,
}

/// Declarations waiting in one state: how many, and since when the oldest waits.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Queue {
    /// The state's code (`under_control`, `awaiting_payment`).
    pub state: String,
    /// How many.
    pub count: i64,
    /// Since when the longest-waiting one is in the state.
    #[sqlx(try_from = "i64")]
    pub oldest_since: Timestamp,
}

/// The declarations area of the storage interface.
#[async_trait]
pub trait DeclarationQueries {
    /// One declaration.
    async fn declaration(&self, id: DeclarationId) -> StoreResult<Option<DeclarationRecord>>;

    /// Declarations, newest first, optionally only one declarant's, before a cursor id.
    async fn list_declarations(&self, query: &ListQuery) -> StoreResult<Vec<DeclarationSummary>>;

    /// The audit entries of one declaration, in order.
    async fn declaration_events(&self, id: DeclarationId) -> StoreResult<Vec<AuditEntry>>;

    /// Audit entries with `seq > after`, at most `limit`, in order.
    async fn audit_page(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditEntry>>;

    /// The events of declarations with `seq > after`, at most `limit`, in order: of the
    /// declarations of one party (as declarant, or as the representative that filed them), or
    /// of every declaration.
    async fn declaration_events_after(
        &self,
        party: Option<&TraderId>,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>>;

    /// The sequence number of the latest audit entry (0 when there is none).
    async fn last_audit_seq(&self) -> StoreResult<i64>;

    /// The declarations naming `means` as their means of transport filed in `[from, to)`,
    /// newest first, at most `limit`.
    async fn declarations_of_means(
        &self,
        means: &str,
        from: Timestamp,
        to: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<DeclarationSummary>>;

    /// The step times of the declarations filed in `[from, to)` and registered.
    async fn step_times(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<StepTimes>>;

    /// The declarations filed in `[from, to)` and registered, counted by hour of filing and lane.
    async fn registrations_by_hour(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<HourlyCount>>;

    /// The declarations waiting for someone: under control (an officer) and awaiting payment
    /// (the trader), each state with its count and oldest.
    async fn queues(&self) -> StoreResult<Vec<Queue>>;

    /// Declarations in a state with the risk assessment that put them there and where they are
    /// dispatched, the longest in it first, at most `limit`; only one inspector's when named.
    async fn oldest_in_state(&self, state: State, inspector: Option<&str>, limit: i64) -> StoreResult<Vec<Waiting>>;

    /// Number of declarations per state and lane.
    async fn counts(&self) -> StoreResult<Vec<StateCount>>;

    /// A declarant's record: its declarations per state and lane, and the controls of its
    /// declarations with how many found irregularities.
    async fn operator_record(&self, declarant: &TraderId) -> StoreResult<OperatorRecord>;

    /// The requests for documents on a declaration, oldest first, with their answers and the
    /// files' metadata.
    async fn document_requests(&self, id: DeclarationId) -> StoreResult<Vec<crate::requests::DocumentRequest>>;

    /// A file of an answer to request `request` of declaration `id`: its metadata and content.
    async fn request_file(
        &self,
        id: DeclarationId,
        request: i64,
        n: i64,
    ) -> StoreResult<Option<(smartcustoms_core::requests::FileMeta, Vec<u8>)>>;

    /// The release document of a declaration.
    async fn release_document(&self, id: DeclarationId) -> StoreResult<Option<ReleaseDocument>>;

    /// Notifications for a recipient with `id > after`, oldest first.
    async fn notifications(&self, recipient: &str, after: i64, limit: i64) -> StoreResult<Vec<Notification>>;

    /// Notifications not yet pushed to a webhook, oldest first.
    async fn undelivered_notifications(&self, limit: i64) -> StoreResult<Vec<Notification>>;

    /// Marks a notification as delivered to its webhook.
    async fn mark_delivered(&self, id: i64, at_us: Timestamp) -> StoreResult<()>;
}

/// Implements [`DeclarationQueries`] for a backend.
/// Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`, `Row`,
/// `SERIALISE_PROFILE_CODE`.
macro_rules! declaration_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::declarations::DeclarationQueries for $store {
        async fn declaration(&self, id: DeclarationId) -> StoreResult<Option<DeclarationRecord>> {
            let text = format!(
                "SELECT {SUMMARY_COLUMNS}, document, document_sha256, signature, decision, duties, duties_cents \
                 FROM declarations WHERE id = $1"
            );
            let row: Option<crate::rows::DeclarationRow> = sqlx::query_as(&sql(&text)).bind(id.to_string()).fetch_optional(&self.pool).await?;
            row.map(crate::rows::Parse::parse).transpose()
        }

        async fn list_declarations(&self, q: &ListQuery) -> StoreResult<Vec<DeclarationSummary>> {
            let (conditions, values) = crate::declarations::list_conditions(q);
            let text = format!(
                "SELECT {SUMMARY_COLUMNS} FROM declarations {conditions} ORDER BY id DESC LIMIT ${}",
                values.len() + 1
            );
            let text = sql(&text);
            let mut query = sqlx::query_as::<_, crate::rows::SummaryRow>(&text);
            for value in values {
                query = match value {
                    crate::declarations::Value::Text(t) => query.bind(t),
                    crate::declarations::Value::Int(i) => query.bind(i),
                };
            }
            let rows = query.bind(q.limit).fetch_all(&self.pool).await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn declaration_events(&self, id: DeclarationId) -> StoreResult<Vec<AuditEntry>> {
            let rows: Vec<crate::rows::AuditRow> = sqlx::query_as(&sql("SELECT * FROM audit_log WHERE declaration_id = $1 ORDER BY seq"))
                .bind(id.to_string())
                .fetch_all(&self.pool)
                .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn audit_page(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
            let rows: Vec<crate::rows::AuditRow> = sqlx::query_as(&sql("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"))
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn declaration_events_after(
            &self,
            declarant: Option<&TraderId>,
            after: i64,
            limit: i64,
        ) -> StoreResult<Vec<AuditEntry>> {
            let rows: Vec<crate::rows::AuditRow> = sqlx::query_as(&sql(
                "SELECT a.* FROM audit_log a JOIN declarations d ON d.id = a.declaration_id \
                 WHERE a.seq > $1 AND (CAST($2 AS TEXT) IS NULL OR d.declarant = $2 OR d.representative = $2) \
                 ORDER BY a.seq LIMIT $3",
            ))
            .bind(after)
            .bind(declarant.map(TraderId::as_str))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn last_audit_seq(&self) -> StoreResult<i64> {
            Ok(sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_log").fetch_one(&self.pool).await?)
        }

        async fn declarations_of_means(
            &self,
            means: &str,
            from: Timestamp,
            to: Timestamp,
            limit: i64,
        ) -> StoreResult<Vec<DeclarationSummary>> {
            let text = format!(
                "SELECT {SUMMARY_COLUMNS} FROM declarations WHERE transport_means = $1 \
                 AND received_at_us >= $2 AND received_at_us < $3 ORDER BY received_at_us DESC LIMIT $4"
            );
            let rows: Vec<crate::rows::SummaryRow> = sqlx::query_as(&sql(&text))
                .bind(means)
                .bind(from.as_micros())
                .bind(to.as_micros())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn step_times(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<StepTimes>> {
            let rows: Vec<crate::rows::StepTimesRow> = sqlx::query_as(&sql(
                "SELECT office, lane, transport_mode, received_at_us, registered_at_us, lane_at_us, released_at_us \
                 FROM declarations WHERE received_at_us >= $1 AND received_at_us < $2 AND registered_at_us IS NOT NULL",
            ))
            .bind(from.as_micros())
            .bind(to.as_micros())
            .fetch_all(&self.pool)
            .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn oldest_in_state(
            &self,
            state: smartcustoms_core::workflow::State,
            inspector: Option<&str>,
            limit: i64,
        ) -> StoreResult<Vec<crate::declarations::Waiting>> {
            // An inspector's cases are found from its dispatches (a few thousand in a year),
            // not by walking every case under control (CROSS JOIN keeps SQLite to that order).
            let from = match inspector {
                Some(_) => "dispatches d CROSS JOIN declarations WHERE id = d.declaration_id AND d.inspector = $3 AND",
                None => "declarations LEFT JOIN dispatches d ON d.declaration_id = id WHERE",
            };
            let text = format!(
                "SELECT {SUMMARY_COLUMNS}, decision, d.centre, d.inspector FROM {from} state = $1 \
                 ORDER BY updated_at_us, id LIMIT $2"
            );
            let text = sql(&text);
            let query = sqlx::query_as(&text).bind(state.as_str()).bind(limit);
            let query = match inspector {
                Some(user) => query.bind(user),
                None => query,
            };
            let rows: Vec<crate::rows::WaitingRow> = query.fetch_all(&self.pool).await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn registrations_by_hour(
            &self,
            from: Timestamp,
            to: Timestamp,
        ) -> StoreResult<Vec<crate::declarations::HourlyCount>> {
            let rows: Vec<crate::rows::HourlyCountRow> = sqlx::query_as(&sql(
                "SELECT (received_at_us / 3600000000) * 3600000000 AS hour_us, lane, COUNT(*) AS n FROM declarations \
                 WHERE received_at_us >= $1 AND received_at_us < $2 AND registered_at_us IS NOT NULL \
                 GROUP BY hour_us, lane",
            ))
            .bind(from.as_micros())
            .bind(to.as_micros())
            .fetch_all(&self.pool)
            .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn queues(&self) -> StoreResult<Vec<Queue>> {
            Ok(sqlx::query_as(
                "SELECT state, COUNT(*) AS count, MIN(updated_at_us) AS oldest_since FROM declarations \
                 WHERE state IN ('under_control', 'awaiting_payment') GROUP BY state ORDER BY state",
            )
            .fetch_all(&self.pool)
            .await?)
        }

        async fn counts(&self) -> StoreResult<Vec<StateCount>> {
            let rows: Vec<crate::rows::StateCountRow> = sqlx::query_as("SELECT state, lane, COUNT(*) AS n FROM declarations GROUP BY state, lane")
                .fetch_all(&self.pool)
                .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn operator_record(&self, declarant: &TraderId) -> StoreResult<OperatorRecord> {
            let rows: Vec<crate::rows::StateCountRow> =
                sqlx::query_as(&sql("SELECT state, lane, COUNT(*) AS n FROM declarations WHERE declarant = $1 GROUP BY state, lane"))
                    .bind(declarant.as_str())
                    .fetch_all(&self.pool)
                    .await?;
            let (controls, irregular, additional_duty_cents): (i64, Option<i64>, Option<i64>) = sqlx::query_as(&sql(
                "SELECT COUNT(*), CAST(SUM(CASE WHEN irregular THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(additional_duty_cents) AS BIGINT) \
                 FROM inspection_outcomes WHERE declarant = $1",
            ))
            .bind(declarant.as_str())
            .fetch_one(&self.pool)
            .await?;
            Ok(OperatorRecord {
                declarations: crate::rows::Parse::parse_all(rows)?,
                controls,
                irregular: irregular.unwrap_or(0),
                additional_duty: smartcustoms_core::ledger::Amount::from_cents(additional_duty_cents.unwrap_or(0)),
            })
        }

        async fn document_requests(&self, id: DeclarationId) -> StoreResult<Vec<crate::requests::DocumentRequest>> {
            let requests = sqlx::query_as(&sql(
                "SELECT id, declaration_id, asked_by, question, due_at_us, asked_at_us, answer, answered_by, answered_at_us \
                 FROM document_requests WHERE declaration_id = $1 ORDER BY id",
            ))
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
            let files = sqlx::query_as(&sql(
                "SELECT f.request_id, f.n, f.name, f.content_type, f.size, f.sha256 FROM request_files f \
                 JOIN document_requests r ON r.id = f.request_id WHERE r.declaration_id = $1 ORDER BY f.request_id, f.n",
            ))
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
            Ok(crate::requests::with_files(requests, files))
        }

        async fn request_file(
            &self,
            id: DeclarationId,
            request: i64,
            n: i64,
        ) -> StoreResult<Option<(smartcustoms_core::requests::FileMeta, Vec<u8>)>> {
            let row: Option<(String, String, i64, String, Vec<u8>)> = sqlx::query_as(&sql(
                "SELECT f.name, f.content_type, f.size, f.sha256, f.bytes FROM request_files f \
                 JOIN document_requests r ON r.id = f.request_id WHERE r.declaration_id = $1 AND f.request_id = $2 AND f.n = $3",
            ))
            .bind(id.to_string())
            .bind(request)
            .bind(n)
            .fetch_optional(&self.pool)
            .await?;
            Ok(row.map(|(name, content_type, size, sha256, bytes)| {
                (smartcustoms_core::requests::FileMeta { n, name, content_type, size, sha256 }, bytes)
            }))
        }

        async fn release_document(&self, id: DeclarationId) -> StoreResult<Option<ReleaseDocument>> {
            let row: Option<crate::rows::ReleaseRow> = sqlx::query_as(&sql("SELECT * FROM release_documents WHERE declaration_id = $1"))
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
            row.map(crate::rows::Parse::parse).transpose()
        }

        async fn notifications(&self, recipient: &str, after: i64, limit: i64) -> StoreResult<Vec<Notification>> {
            let rows: Vec<crate::rows::NotificationRow> = sqlx::query_as(&sql("SELECT * FROM notifications WHERE recipient = $1 AND id > $2 ORDER BY id LIMIT $3"))
                .bind(recipient)
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn undelivered_notifications(&self, limit: i64) -> StoreResult<Vec<Notification>> {
            let rows: Vec<crate::rows::NotificationRow> = sqlx::query_as(&sql("SELECT * FROM notifications WHERE delivered_at_us IS NULL ORDER BY id LIMIT $1"))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn mark_delivered(&self, id: i64, at_us: Timestamp) -> StoreResult<()> {
            sqlx::query(&sql("UPDATE notifications SET delivered_at_us = $1 WHERE id = $2"))
                .bind(at_us.as_micros())
                .bind(id)
                .execute(&self.pool)
                .await?;
            Ok(())
        }
        }
    };
}

pub(crate) use declaration_queries;
