//! Transit movements (D1): the movement with its MRN, its guarantee (reserved on the single
//! personal account or drawn from a certificate) and its state, its timeline, the seals on it,
//! and guarantee certificates. Filing and every change of state are one transaction each, with
//! the guarantee's effect (ledger postings or the certificate's balance), the timeline row and
//! the audit entry. The SQL is the same on both backends and is expanded into each by
//! [`transit_queries`].

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::ids::TraderId;
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::transit::declaration::GuaranteeForm;
use smartcustoms_core::transit::guarantee::{AccessCode, NotCovered, Stake};
use smartcustoms_core::transit::movement::{Event, Refused};

use crate::StoreResult;

/// A transit declaration that passed its checks, to be recorded.
#[derive(Debug, Clone)]
pub struct NewTransit {
    /// Its id (random).
    pub id: String,
    /// The trader that filed it (also the declarant, the holder of the procedure).
    pub filer: TraderId,
    /// The filer's local reference: with the filer, the key a re-sent filing is found by.
    pub local_reference: String,
    /// Office of departure.
    pub office_of_departure: String,
    /// Office of destination.
    pub office_of_destination: String,
    /// Country of the office of departure (the MRN carries it).
    pub country: String,
    /// Year of acceptance (the MRN carries it).
    pub year: i32,
    /// How the duties at stake are secured.
    pub guarantee: GuaranteeForm,
    /// The certificate's access code as filed; never kept.
    pub access_code: Option<AccessCode>,
    /// The amount at stake.
    pub stake: Stake,
    /// Time limit at destination.
    pub time_limit: Timestamp,
    /// The route as JSON (`{"waypoints":[{lat,lon}…],"corridor_m":n}`).
    pub route: String,
    /// The seals applied.
    pub seals: Vec<String>,
    /// The declaration exactly as filed.
    pub document: Vec<u8>,
    /// Its detached JWS.
    pub signature: Option<String>,
    /// The user who filed it.
    pub actor: String,
    /// The pre-arrival information it was linked to and how the two differ, for the
    /// timeline.
    pub pre_arrival: Option<serde_json::Value>,
    /// When.
    pub at: Timestamp,
}

/// What filing a transit did.
#[derive(Debug, Clone)]
pub enum TransitFiled {
    /// A new movement: accepted with its guarantee, or refused because the guarantee does not
    /// cover the stake.
    New(TransitRecord),
    /// The filer's local reference is taken: the movement made before, with its document.
    Existing(TransitRecord, Vec<u8>),
}

/// Why a guarantee does not secure a transit: the movement is refused with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuaranteeRefusal {
    /// The account or the certificate does not cover the stake, or the access code is wrong.
    #[error(transparent)]
    NotCovered(#[from] NotCovered),
    /// No certificate has this reference.
    #[error("no guarantee certificate {0} is issued")]
    UnknownCertificate(String),
    /// The certificate was issued to another holder.
    #[error("guarantee certificate {0} is not the declarant's")]
    OtherHolder(String),
}

impl GuaranteeRefusal {
    /// Stable code of the reason.
    pub fn code(&self) -> &'static str {
        match self {
            GuaranteeRefusal::NotCovered(NotCovered::AccountShort { .. }) => "GUA_001",
            GuaranteeRefusal::NotCovered(NotCovered::CertificateShort { .. }) => "GUA_002",
            GuaranteeRefusal::NotCovered(NotCovered::AccessCodeWrong { .. }) => "GUA_003",
            GuaranteeRefusal::UnknownCertificate(_)
            | GuaranteeRefusal::NotCovered(NotCovered::OtherCertificate { .. }) => "GUA_004",
            GuaranteeRefusal::OtherHolder(_) => "GUA_005",
        }
    }

    /// The reason as stored with the movement: `{"code", "message"}`.
    pub fn to_json(&self) -> String {
        serde_json::json!({ "code": self.code(), "message": self.to_string() }).to_string()
    }
}

/// A movement as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct TransitRecord {
    /// Its id.
    pub id: String,
    /// Movement reference number.
    pub mrn: String,
    /// Who filed it.
    pub filer: String,
    /// The filer's local reference.
    pub local_reference: String,
    /// The holder of the procedure.
    pub declarant: String,
    /// Office of departure.
    pub office_of_departure: String,
    /// Office of destination.
    pub office_of_destination: String,
    /// State (`accepted`, `in_transit`, `arrived`, `unloaded`, `completed`, `refused`,
    /// `cancelled`, `enquiry`, `recovered`).
    pub state: String,
    /// `account` or `certificate`.
    pub guarantee_kind: String,
    /// The certificate's reference.
    pub guarantee_reference: Option<String>,
    /// Where the guarantee stands: `none`, `reserved`, `released`, `called`.
    pub guarantee_hold: String,
    /// Duty at stake, cents.
    pub stake_duty_cents: i64,
    /// VAT at stake, cents.
    pub stake_vat_cents: i64,
    /// The stake per item as JSON.
    #[serde(skip)]
    pub stake: String,
    /// Why it was refused, as JSON `{"code","message"}`.
    pub refusal: Option<String>,
    /// True when the unloading remarks reported discrepancies.
    pub discrepancies: bool,
    /// Time limit at destination.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub time_limit_at_us: Timestamp,
    /// Route as JSON.
    pub route: String,
    /// Seals as a JSON list.
    pub seals: String,
    /// When it was filed.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub filed_at_us: Timestamp,
    /// When it last changed.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub updated_at_us: Timestamp,
}

impl TransitRecord {
    /// The amount at stake.
    pub fn stake_total(&self) -> Amount {
        Amount::from_cents(self.stake_duty_cents.saturating_add(self.stake_vat_cents))
    }
}

/// The columns a [`TransitRecord`] is read from.
pub(crate) const TRANSIT_COLUMNS: &str = "id, mrn, filer, local_reference, declarant, office_of_departure, \
    office_of_destination, state, guarantee_kind, guarantee_reference, guarantee_hold, stake_duty_cents, \
    stake_vat_cents, stake, refusal, discrepancies, time_limit_at_us, route, seals, filed_at_us, updated_at_us";

/// One step of a movement's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct TransitEventRecord {
    /// Its number within the movement, from 1.
    pub n: i64,
    /// When.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub at_us: Timestamp,
    /// The event (`declare`, `accept`, `refuse`, `release`, `arrive`, `unloading_remarks`,
    /// `complete`, `cancel`, `open_enquiry`, `recover`).
    pub event: String,
    /// State before.
    pub from_state: String,
    /// State after.
    pub to_state: String,
    /// Who (a user, or `system`).
    pub actor: String,
    /// Details as JSON (remarks, reasons, the guarantee's effect).
    pub details: String,
}

/// A change of state asked of a movement.
#[derive(Debug, Clone)]
pub struct TransitStep {
    /// The movement.
    pub id: String,
    /// What happens.
    pub event: Event,
    /// Who.
    pub actor: String,
    /// Remarks, reasons (kept on the timeline and in the audit entry).
    pub details: serde_json::Value,
    /// When.
    pub at: Timestamp,
}

/// A guarantee certificate as stored (without the digest of its access code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct CertificateRecord {
    /// Its reference.
    pub reference: String,
    /// The trader it secures.
    pub holder: String,
    /// Its limit, cents.
    pub limit_cents: i64,
    /// What is left, cents.
    pub balance_cents: i64,
    /// Who issued it.
    pub issued_by: String,
    /// When.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub issued_at_us: Timestamp,
}

/// Transit movements and guarantee certificates.
#[async_trait]
pub trait TransitQueries: Send + Sync {
    /// Records a checked transit declaration in one transaction: a taken local reference finds
    /// the movement made before; otherwise the MRN is allocated, the guarantee secures the stake
    /// (reservation on the declarant's account, or a draw on the certificate) and the movement
    /// is accepted, or it is refused with the reason the guarantee does not cover; timeline
    /// and audit entries are written.
    async fn file_transit(&self, transit: &NewTransit) -> StoreResult<TransitFiled>;

    /// Applies an event to a movement in one transaction, with its guarantee's effect (release
    /// of the reservation or restore of the certificate, or the call of the duties), its
    /// timeline row and its audit entry. `Ok(Err(_))` when the state machine refuses it
    /// (nothing is written); `NotFound` when there is no such movement.
    async fn transit_step(&self, step: &TransitStep) -> StoreResult<Result<TransitRecord, Refused>>;

    /// A movement by id or by MRN.
    async fn transit(&self, id_or_mrn: &str) -> StoreResult<Option<TransitRecord>>;

    /// The movement a filer made under a local reference.
    async fn transit_by_reference(&self, filer: &TraderId, local_reference: &str)
        -> StoreResult<Option<TransitRecord>>;

    /// A movement's declaration exactly as filed.
    async fn transit_document(&self, id: &str) -> StoreResult<Option<Vec<u8>>>;

    /// Movements, newest first: a filer's, or everyone's.
    async fn transits(&self, filer: Option<&TraderId>, limit: i64) -> StoreResult<Vec<TransitRecord>>;

    /// A movement's timeline, oldest first.
    async fn transit_timeline(&self, id: &str) -> StoreResult<Vec<TransitEventRecord>>;

    /// Movements in transit whose time limit passed before `at`, oldest limit first.
    async fn overdue_transits(&self, at: Timestamp, limit: i64) -> StoreResult<Vec<TransitRecord>>;

    /// Issues a guarantee certificate whose access code has this digest, audited.
    /// `Conflict` when the reference is taken.
    async fn issue_certificate(&self, certificate: &CertificateRecord, digest: [u8; 32]) -> StoreResult<()>;

    /// A certificate by reference.
    async fn certificate(&self, reference: &str) -> StoreResult<Option<CertificateRecord>>;
}

/// The stake as stored with the movement: per item, and the taxes.
pub(crate) fn stake_json(stake: &Stake) -> String {
    serde_json::json!({
        "duty": stake.taxes.duty.to_decimal(),
        "vat": stake.taxes.vat.to_decimal(),
        "total": stake.total.to_decimal(),
        "items": stake.items,
    })
    .to_string()
}

/// Implements [`TransitQueries`] for a backend, where the identity area's
/// `append_identity_audit` is in scope. Needs in scope: `self.pool`, `self.begin_write()`,
/// `sql(&str) -> Cow<str>`; `$lock` locks the rows a `SELECT` reads (`FOR UPDATE` or nothing).
macro_rules! transit_queries {
    ($store:ty, $lock:literal) => {
        crate::transit_tx::transit_writes!($store, $lock);

        #[async_trait]
        impl crate::transit::TransitQueries for $store {
            #[tracing::instrument(skip_all, fields(transit.lrn = %t.local_reference))]
            async fn file_transit(&self, t: &crate::transit::NewTransit) -> StoreResult<crate::transit::TransitFiled> {
                use smartcustoms_core::transit::guarantee as g;
                use smartcustoms_core::transit::movement::{self, Event, Movement};
                use smartcustoms_core::transit::declaration::GuaranteeForm;

                let mut tx = self.begin_write().await?;
                lock_writers(&mut tx).await?;
                let earlier: Option<(String, Vec<u8>)> = sqlx::query_as(&sql(
                    "SELECT id, document FROM transits WHERE filer = $1 AND local_reference = $2",
                ))
                .bind(t.filer.as_str())
                .bind(&t.local_reference)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((id, document)) = earlier {
                    let record = read_transit(&mut *tx, &id, false).await?.ok_or(crate::StoreError::NotFound)?;
                    return Ok(crate::transit::TransitFiled::Existing(record, document));
                }
                let serial: i64 = sqlx::query_scalar(&sql(
                    "INSERT INTO mrn_serials (country, year, last) VALUES ($1, $2, 1) \
                     ON CONFLICT (country, year) DO UPDATE SET last = mrn_serials.last + 1 RETURNING last",
                ))
                .bind(&t.country)
                .bind(i64::from(t.year))
                .fetch_one(&mut *tx)
                .await?;
                let country = smartcustoms_core::codes::CountryCode::parse(&t.country)
                    .ok_or_else(|| crate::StoreError::Internal(format!("country {:?} of a checked office", t.country)))?;
                let serial = u64::try_from(serial).map_err(|_| crate::StoreError::Corrupt("MRN serial".into()))?;
                let mrn = smartcustoms_core::transit::Mrn::new(t.year, country, serial);

                // The guarantee secures the stake, or the movement is refused with the reason.
                let stake = t.stake.total;
                let secured: Result<(), crate::transit::GuaranteeRefusal> = match &t.guarantee {
                    GuaranteeForm::Account => {
                        let mut ledger = transit_ledger(&mut tx, &t.filer).await?;
                        match g::reserve_on_account(&t.filer, &mrn, stake, ledger.available(&t.filer)) {
                            Ok(posting) => {
                                ledger.post(posting, t.at, &t.actor).map_err(|e| {
                                    crate::StoreError::Internal(format!("reservation after a funding check: {e}"))
                                })?;
                                write_ledger(&mut tx, ledger).await?;
                                Ok(())
                            }
                            Err(e) => Err(e.into()),
                        }
                    }
                    GuaranteeForm::Certificate { reference } => match locked_certificate(&mut tx, reference).await? {
                        None => Err(crate::transit::GuaranteeRefusal::UnknownCertificate(reference.clone())),
                        Some((holder, _)) if holder != t.filer.as_str() => {
                            Err(crate::transit::GuaranteeRefusal::OtherHolder(reference.clone()))
                        }
                        Some((_, mut certificate)) => {
                            let drawn = match &t.access_code {
                                Some(code) => g::draw_on_certificate(&mut certificate, reference, code, stake),
                                None => Err(g::NotCovered::AccessCodeWrong { reference: reference.clone() }),
                            };
                            match drawn {
                                Ok(()) => {
                                    set_certificate_balance(&mut tx, &certificate).await?;
                                    Ok(())
                                }
                                Err(e) => Err(e.into()),
                            }
                        }
                    },
                };
                let declared = Movement::declared(t.time_limit);
                let event = if secured.is_ok() { Event::Accept } else { Event::Refuse };
                let applied = movement::apply(&declared, &event, t.at)
                    .map_err(|e| crate::StoreError::Internal(format!("a new movement refused {e}")))?;
                let (guarantee_kind, guarantee_reference) = match &t.guarantee {
                    GuaranteeForm::Account => ("account", None),
                    GuaranteeForm::Certificate { reference } => ("certificate", Some(reference.clone())),
                };
                let record = crate::transit::TransitRecord {
                    id: t.id.clone(),
                    mrn: mrn.as_str().to_string(),
                    filer: t.filer.to_string(),
                    local_reference: t.local_reference.clone(),
                    declarant: t.filer.to_string(),
                    office_of_departure: t.office_of_departure.clone(),
                    office_of_destination: t.office_of_destination.clone(),
                    state: applied.movement.state.as_str().to_string(),
                    guarantee_kind: guarantee_kind.to_string(),
                    guarantee_reference,
                    guarantee_hold: crate::transit::hold_code(applied.movement.guarantee).to_string(),
                    stake_duty_cents: t.stake.taxes.duty.cents(),
                    stake_vat_cents: t.stake.taxes.vat.cents(),
                    stake: crate::transit::stake_json(&t.stake),
                    refusal: secured.as_ref().err().map(crate::transit::GuaranteeRefusal::to_json),
                    discrepancies: false,
                    time_limit_at_us: t.time_limit,
                    route: t.route.clone(),
                    seals: serde_json::to_string(&t.seals).map_err(|e| crate::StoreError::Internal(e.to_string()))?,
                    filed_at_us: t.at,
                    updated_at_us: t.at,
                };
                sqlx::query(&sql(
                    "INSERT INTO transits (id, mrn, filer, local_reference, declarant, office_of_departure, \
                     office_of_destination, state, guarantee_kind, guarantee_reference, guarantee_hold, stake_duty_cents, \
                     stake_vat_cents, stake, refusal, discrepancies, time_limit_at_us, route, seals, document, signature, \
                     filed_at_us, updated_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                     $16, $17, $18, $19, $20, $21, $22, $23)",
                ))
                .bind(&record.id)
                .bind(&record.mrn)
                .bind(&record.filer)
                .bind(&record.local_reference)
                .bind(&record.declarant)
                .bind(&record.office_of_departure)
                .bind(&record.office_of_destination)
                .bind(&record.state)
                .bind(&record.guarantee_kind)
                .bind(&record.guarantee_reference)
                .bind(&record.guarantee_hold)
                .bind(record.stake_duty_cents)
                .bind(record.stake_vat_cents)
                .bind(&record.stake)
                .bind(&record.refusal)
                .bind(record.discrepancies)
                .bind(record.time_limit_at_us.as_micros())
                .bind(&record.route)
                .bind(&record.seals)
                .bind(&t.document)
                .bind(&t.signature)
                .bind(t.at.as_micros())
                .bind(t.at.as_micros())
                .execute(&mut *tx)
                .await?;
                for seal in &t.seals {
                    sqlx::query(&sql("INSERT INTO transit_seals (seal_id, transit_id) VALUES ($1, $2)"))
                        .bind(seal)
                        .bind(&record.id)
                        .execute(&mut *tx)
                        .await?;
                }
                let declared_row = crate::transit::TransitRecord { state: "declared".into(), ..record.clone() };
                let lrn = serde_json::json!({ "local_reference": t.local_reference, "pre_arrival": t.pre_arrival });
                transit_event_row(&mut tx, &declared_row, "declare", "declared", &t.actor, lrn, t.at).await?;
                let details = match &secured {
                    Ok(()) => serde_json::json!({ "stake": stake.to_decimal(), "guarantee": guarantee_kind }),
                    Err(reason) => serde_json::json!({ "stake": stake.to_decimal(), "reasons": [
                        { "code": reason.code(), "message": reason.to_string() }
                    ] }),
                };
                transit_event_row(&mut tx, &record, event.as_str(), "declared", "system", details, t.at).await?;
                tx.commit().await?;
                Ok(crate::transit::TransitFiled::New(record))
            }

            #[tracing::instrument(skip_all, fields(transit.id = %step.id, event = step.event.as_str()))]
            async fn transit_step(
                &self,
                step: &crate::transit::TransitStep,
            ) -> StoreResult<Result<crate::transit::TransitRecord, smartcustoms_core::transit::movement::Refused>> {
                use smartcustoms_core::ledger::{Posting, TaxSplit};
                use smartcustoms_core::transit::movement::{self, GuaranteeEffect, Movement};

                let mut tx = self.begin_write().await?;
                lock_writers(&mut tx).await?;
                let record = read_transit(&mut *tx, &step.id, true).await?.ok_or(crate::StoreError::NotFound)?;
                let movement = Movement {
                    state: smartcustoms_core::transit::movement::State::parse(&record.state)
                        .ok_or_else(|| crate::StoreError::Corrupt(format!("transit state {:?}", record.state)))?,
                    time_limit: record.time_limit_at_us,
                    guarantee: crate::transit::parse_hold(&record.guarantee_hold)?,
                    discrepancies: record.discrepancies,
                };
                let applied = match movement::apply(&movement, &step.event, step.at) {
                    Ok(applied) => applied,
                    Err(refused) => return Ok(Err(refused)),
                };
                let trader = TraderId::new(record.declarant.clone())?;
                let stake = record.stake_total();
                let corrupt = |e: smartcustoms_core::ledger::Overdraft| {
                    crate::StoreError::Internal(format!("a transit's reservation is short: {e}"))
                };
                match (applied.effect, record.guarantee_reference.as_deref()) {
                    (GuaranteeEffect::Release, None) => {
                        let mut ledger = transit_ledger(&mut tx, &trader).await?;
                        ledger.post(Posting::reservation_release(&trader, &record.mrn, stake), step.at, &step.actor).map_err(corrupt)?;
                        write_ledger(&mut tx, ledger).await?;
                    }
                    (GuaranteeEffect::Release, Some(reference)) => {
                        let (_, mut certificate) = locked_certificate(&mut tx, reference)
                            .await?
                            .ok_or_else(|| crate::StoreError::Corrupt(format!("certificate {reference} is gone")))?;
                        certificate.restore(stake).map_err(|e| crate::StoreError::Internal(e.to_string()))?;
                        set_certificate_balance(&mut tx, &certificate).await?;
                    }
                    (GuaranteeEffect::Call, None) => {
                        let mut ledger = transit_ledger(&mut tx, &trader).await?;
                        let taxes = TaxSplit {
                            duty: smartcustoms_core::ledger::Amount::from_cents(record.stake_duty_cents),
                            excise: smartcustoms_core::ledger::Amount::ZERO,
                            vat: smartcustoms_core::ledger::Amount::from_cents(record.stake_vat_cents),
                        };
                        ledger.post(Posting::debit(&trader, &record.mrn, &taxes), step.at, &step.actor).map_err(corrupt)?;
                        write_ledger(&mut tx, ledger).await?;
                    }
                    // A called certificate stays drawn: the guarantor pays the duties outside
                    // the trader's account.
                    (GuaranteeEffect::Call, Some(_)) => {}
                    (GuaranteeEffect::None | GuaranteeEffect::Keep, _) => {}
                    (GuaranteeEffect::Reserve, _) => {
                        return Err(crate::StoreError::Internal("a stored movement asked to reserve again".into()))
                    }
                }
                let after = crate::transit::TransitRecord {
                    state: applied.movement.state.as_str().to_string(),
                    guarantee_hold: crate::transit::hold_code(applied.movement.guarantee).to_string(),
                    discrepancies: applied.movement.discrepancies,
                    updated_at_us: step.at,
                    ..record.clone()
                };
                sqlx::query(&sql(
                    "UPDATE transits SET state = $1, guarantee_hold = $2, discrepancies = $3, updated_at_us = $4 WHERE id = $5",
                ))
                .bind(&after.state)
                .bind(&after.guarantee_hold)
                .bind(after.discrepancies)
                .bind(step.at.as_micros())
                .bind(&after.id)
                .execute(&mut *tx)
                .await?;
                let mut details = step.details.clone();
                if let serde_json::Value::Object(map) = &mut details {
                    map.insert("guarantee_effect".into(), serde_json::json!(applied.effect));
                }
                transit_event_row(&mut tx, &after, step.event.as_str(), &record.state, &step.actor, details, step.at).await?;
                tx.commit().await?;
                Ok(Ok(after))
            }

            async fn transit(&self, id_or_mrn: &str) -> StoreResult<Option<crate::transit::TransitRecord>> {
                read_transit(&self.pool, id_or_mrn, false).await
            }

            async fn transit_by_reference(
                &self,
                filer: &TraderId,
                local_reference: &str,
            ) -> StoreResult<Option<crate::transit::TransitRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM transits WHERE filer = $1 AND local_reference = $2",
                    crate::transit::TRANSIT_COLUMNS
                )))
                .bind(filer.as_str())
                .bind(local_reference)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn transit_document(&self, id: &str) -> StoreResult<Option<Vec<u8>>> {
                Ok(sqlx::query_scalar(&sql("SELECT document FROM transits WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn transits(
                &self,
                filer: Option<&TraderId>,
                limit: i64,
            ) -> StoreResult<Vec<crate::transit::TransitRecord>> {
                let columns = crate::transit::TRANSIT_COLUMNS;
                Ok(match filer {
                    Some(f) => sqlx::query_as(&sql(&format!(
                        "SELECT {columns} FROM transits WHERE filer = $1 ORDER BY filed_at_us DESC, id LIMIT $2"
                    )))
                    .bind(f.as_str())
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?,
                    None => sqlx::query_as(&sql(&format!(
                        "SELECT {columns} FROM transits ORDER BY filed_at_us DESC, id LIMIT $1"
                    )))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?,
                })
            }

            async fn transit_timeline(&self, id: &str) -> StoreResult<Vec<crate::transit::TransitEventRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT n, at_us, event, from_state, to_state, actor, details FROM transit_events \
                     WHERE transit_id = $1 ORDER BY n",
                ))
                .bind(id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn overdue_transits(
                &self,
                at: Timestamp,
                limit: i64,
            ) -> StoreResult<Vec<crate::transit::TransitRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM transits WHERE state = 'in_transit' AND time_limit_at_us < $1 \
                     ORDER BY time_limit_at_us, id LIMIT $2",
                    crate::transit::TRANSIT_COLUMNS
                )))
                .bind(at.as_micros())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn issue_certificate(
                &self,
                c: &crate::transit::CertificateRecord,
                digest: [u8; 32],
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&sql(
                    "INSERT INTO guarantee_certificates (reference, holder, digest, limit_cents, balance_cents, issued_by, \
                     issued_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                ))
                .bind(&c.reference)
                .bind(&c.holder)
                .bind(hex::encode(digest))
                .bind(c.limit_cents)
                .bind(c.balance_cents)
                .bind(&c.issued_by)
                .bind(c.issued_at_us.as_micros())
                .execute(&mut *tx)
                .await
                .map_err(|e| crate::taken(e, || format!("guarantee certificate {} is issued already", c.reference)))?;
                let details = serde_json::json!({
                    "certificate": c.reference, "holder": c.holder, "limit_cents": c.limit_cents,
                });
                let action = smartcustoms_core::audit::Action::CertificateIssued;
                append_identity_audit(&mut tx, crate::identity::identity_entry(c.issued_at_us, &c.issued_by, action, details))
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn certificate(&self, reference: &str) -> StoreResult<Option<crate::transit::CertificateRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT reference, holder, limit_cents, balance_cents, issued_by, issued_at_us \
                     FROM guarantee_certificates WHERE reference = $1",
                ))
                .bind(reference)
                .fetch_optional(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use transit_queries;

/// The stored code of a guarantee's standing.
pub(crate) fn hold_code(hold: smartcustoms_core::transit::movement::Hold) -> &'static str {
    use smartcustoms_core::transit::movement::Hold;
    match hold {
        Hold::None => "none",
        Hold::Reserved => "reserved",
        Hold::Released => "released",
        Hold::Called => "called",
    }
}

/// A guarantee's standing from its stored code.
pub(crate) fn parse_hold(code: &str) -> StoreResult<smartcustoms_core::transit::movement::Hold> {
    use smartcustoms_core::transit::movement::Hold;
    [Hold::None, Hold::Reserved, Hold::Released, Hold::Called]
        .into_iter()
        .find(|h| hold_code(*h) == code)
        .ok_or_else(|| crate::StoreError::Corrupt(format!("guarantee standing {code:?}")))
}
