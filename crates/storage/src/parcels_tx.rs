//! Recording a bulk file of parcels in one writing transaction: parcels whose transaction id
//! the operator used before are answered with what was recorded then; the others are charged
//! to the operator's account in file order while it covers them (the rest are refused for
//! funds and may be sent again); one reservation and one debit move the money of the whole
//! file; one audit entry carries the counts and a digest of every parcel recorded. The reads
//! and writes of each backend are here too.

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use smartcustoms_core::audit::{Action, NewEntry};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::ledger::{Amount, Posting, TaxSplit};
use smartcustoms_core::parcels::{Flag, Outcome};
use smartcustoms_core::registration::Reason;
use smartcustoms_core::risk::Lane;
use smartcustoms_core::timestamp::Timestamp;

use crate::money::Ledger;
use crate::parcels::QualityCounts;
use crate::{StoreError, StoreResult};

/// A parcel that passed its checks, with its charges and outcome decided.
#[derive(Debug, Clone)]
pub struct NewParcel {
    /// Its id.
    pub id: String,
    /// Its line in the file, from 1.
    pub line: i64,
    /// The marketplace's id.
    pub transaction_id: String,
    /// The seller and the buyer as keys (see `parcels::party_key`).
    pub seller_key: String,
    /// The buyer's key.
    pub buyer_key: String,
    /// HS subheading.
    pub hs6: String,
    /// Origin.
    pub origin: String,
    /// Value, EUR cents.
    pub value_eur_cents: i64,
    /// Duty, cents.
    pub duty_cents: i64,
    /// VAT, cents.
    pub vat_cents: i64,
    /// Released or held.
    pub outcome: Outcome,
    /// Its flags.
    pub flags: Vec<Flag>,
    /// The lane its risk assessment gave.
    pub lane: Lane,
    /// The reasons for the lane.
    pub reasons: Vec<String>,
    /// The line as filed.
    pub document: String,
}

impl NewParcel {
    fn flag_text(&self) -> String {
        self.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(",")
    }

    fn reason_text(&self) -> String {
        self.reasons.join("\n")
    }
}

/// A parcel refused by its checks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Refusal {
    /// Its line in the file, from 1.
    pub line: i64,
    /// Its transaction id, when it could be read.
    pub transaction_id: Option<String>,
    /// Every reason.
    pub reasons: Vec<Reason>,
}

/// A bulk file, checked and decided parcel by parcel, to record.
#[derive(Debug, Clone)]
pub struct ParcelFiling {
    /// The file's id.
    pub batch_id: String,
    /// The operator filing (its account is charged).
    pub operator: TraderId,
    /// The user or token that filed.
    pub actor: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Lines in the file.
    pub lines: i64,
    /// The parcels that passed their checks, in file order.
    pub parcels: Vec<NewParcel>,
    /// Those refused by their checks.
    pub refusals: Vec<Refusal>,
    /// When it was received.
    pub at_us: Timestamp,
}

/// What became of one parcel that passed its checks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParcelResult {
    /// Its line in the file.
    pub line: i64,
    /// Its transaction id.
    pub transaction_id: String,
    /// Its id (the one recorded before, for a repeat).
    pub id: Option<String>,
    /// `released`, `held_documents`, `held_inspection`, or `refused` for want of funds.
    pub outcome: String,
    /// Duty charged, cents.
    pub duty_cents: i64,
    /// VAT charged, cents.
    pub vat_cents: i64,
    /// Its flags.
    pub flags: Vec<String>,
    /// The lane its risk assessment gave (`green` for a parcel filed before: see its record).
    /// The reasons for it are for customs staff, in the parcel's record.
    pub lane: Lane,
    /// True when the transaction id was filed before: nothing new was recorded.
    pub duplicate: bool,
}

/// A parcel as recorded before, found by its transaction id.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct StoredParcel {
    pub id: String,
    pub transaction_id: String,
    pub outcome: String,
    pub duty_cents: i64,
    pub vat_cents: i64,
    pub flags: String,
}

/// The counts of a recorded file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct BatchCounts {
    /// Parcels recorded now.
    pub accepted: i64,
    /// Of which released.
    pub released: i64,
    /// Of which held.
    pub held: i64,
    /// Parcels filed before.
    pub duplicates: i64,
    /// Parcels refused (by their checks, or for funds).
    pub refused: i64,
    /// Duty charged, cents.
    pub duty_cents: i64,
    /// VAT charged, cents.
    pub vat_cents: i64,
}

/// What recording a file did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParcelsFiled {
    /// The file's id.
    pub batch_id: String,
    /// The counts.
    pub counts: BatchCounts,
    /// Each parcel that passed its checks, in file order.
    pub results: Vec<ParcelResult>,
    /// Each parcel refused, by its checks or for funds, in file order.
    pub refusals: Vec<Refusal>,
}

/// What the transaction writes of parcels.
#[derive(Default)]
pub(crate) struct ParcelWrites<'a> {
    pub parcels: Vec<&'a NewParcel>,
    /// The batch row: filing, counts, refusals as JSON.
    pub batch: Option<(&'a ParcelFiling, BatchCounts, String)>,
    /// Held parcels decided by an officer: id and new outcome.
    pub decided: Vec<(String, &'static str)>,
    /// What the new parcels add to their operator's data-quality counts.
    pub quality: QualityCounts,
}

/// A parcel as an officer's decision reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct HeldParcel {
    pub id: String,
    pub operator: String,
    pub outcome: String,
    pub duty_cents: i64,
    pub vat_cents: i64,
}

/// An officer's decision on a held parcel.
#[derive(Debug, Clone)]
pub struct ParcelDecision {
    /// The parcel.
    pub parcel: String,
    /// Release it (its charges are debited), or refuse it (its reservation is given back).
    pub release: bool,
    /// The officer.
    pub officer: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at_us: Timestamp,
}

/// Plans an officer's decision on a held parcel: the posting (on `ledger`), the new outcome and
/// the audit entry. `Conflict` when the parcel is not held.
pub(crate) fn plan_decision(
    p: &HeldParcel,
    d: &ParcelDecision,
    ledger: &mut Ledger,
) -> StoreResult<(&'static str, NewEntry)> {
    if !p.outcome.starts_with("held") {
        return Err(StoreError::Conflict(format!("parcel {} is {} already", p.id, p.outcome)));
    }
    let operator = TraderId::new(p.operator.clone()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let taxes = TaxSplit {
        duty: Amount::from_cents(p.duty_cents),
        excise: Amount::from_cents(0),
        vat: Amount::from_cents(p.vat_cents),
    };
    let (posting, outcome) = match d.release {
        true => (Posting::debit(&operator, &p.id, &taxes), "released"),
        false => (Posting::reservation_release(&operator, &p.id, taxes.total()), "refused"),
    };
    ledger
        .post(posting, d.at_us, &d.officer)
        .map_err(|e| StoreError::Internal(format!("a held parcel's reserved charges: {e}")))?;
    let details = serde_json::json!({
        "parcel": p.id, "operator": p.operator, "before": p.outcome, "outcome": outcome, "reason": d.reason,
        "duty_cents": p.duty_cents, "vat_cents": p.vat_cents,
    });
    let entry = NewEntry {
        at_us: d.at_us,
        declaration_id: None,
        actor: d.officer.clone(),
        action: Action::ParcelDecided,
        details: details.to_string(),
    };
    Ok((outcome, entry))
}

const SELECT_HELD: &str = "SELECT id, operator, outcome, duty_cents, vat_cents FROM parcels WHERE id = $1";
const UPDATE_OUTCOME: &str = "UPDATE parcels SET outcome = $1 WHERE id = $2";

/// SQLite: a parcel for a decision.
pub(crate) fn sqlite_held(tx: &rusqlite::Transaction<'_>, id: &str) -> StoreResult<Option<HeldParcel>> {
    let row = tx.query_row(SELECT_HELD, [id], |r| {
        Ok(HeldParcel {
            id: r.get(0)?,
            operator: r.get(1)?,
            outcome: r.get(2)?,
            duty_cents: r.get(3)?,
            vat_cents: r.get(4)?,
        })
    });
    match row {
        Ok(p) => Ok(Some(p)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(StoreError::Sqlite(e)),
    }
}

/// PostgreSQL: a parcel for a decision.
pub(crate) async fn pg_held(tx: &mut PgTx, id: &str) -> StoreResult<Option<HeldParcel>> {
    Ok(sqlx::query_as(SELECT_HELD).bind(id).fetch_optional(&mut **tx).await?)
}

/// Plans a file's recording: the results, the counts, the postings (on `ledger`), the rows
/// and the audit entry.
pub(crate) fn plan<'a>(
    f: &'a ParcelFiling,
    stored: &HashMap<String, StoredParcel>,
    ledger: &mut Ledger,
) -> StoreResult<(ParcelsFiled, ParcelWrites<'a>, NewEntry)> {
    let mut results = Vec::with_capacity(f.parcels.len());
    let mut counts = BatchCounts { refused: f.refusals.len() as i64, ..BatchCounts::default() };
    let mut writes = ParcelWrites::default();
    let mut refusals = f.refusals.clone();
    let mut available = ledger.available(&f.operator).cents();
    let (mut reserve, mut debit) = (0i64, TaxSplit::default());
    let mut digest = Sha256::new();
    for p in &f.parcels {
        if let Some(s) = stored.get(&p.transaction_id) {
            counts.duplicates += 1;
            results.push(ParcelResult {
                line: p.line,
                transaction_id: p.transaction_id.clone(),
                id: Some(s.id.clone()),
                outcome: s.outcome.clone(),
                duty_cents: s.duty_cents,
                vat_cents: s.vat_cents,
                flags: s.flags.split(',').filter(|x| !x.is_empty()).map(str::to_string).collect(),
                lane: Lane::Green,
                duplicate: true,
            });
            continue;
        }
        let total = p.duty_cents + p.vat_cents;
        if total > available {
            counts.refused += 1;
            let message = format!("the account of {} does not cover the parcel's {} cents", f.operator, total);
            let reason = Reason { code: "PCL_012".into(), path: None, message, args: Default::default() };
            refusals.push(Refusal {
                line: p.line,
                transaction_id: Some(p.transaction_id.clone()),
                reasons: vec![reason],
            });
            continue;
        }
        available -= total;
        reserve += total;
        counts.accepted += 1;
        counts.duty_cents += p.duty_cents;
        counts.vat_cents += p.vat_cents;
        if p.outcome == Outcome::Released {
            counts.released += 1;
            debit.duty = Amount::from_cents(debit.duty.cents() + p.duty_cents);
            debit.vat = Amount::from_cents(debit.vat.cents() + p.vat_cents);
        } else {
            counts.held += 1;
        }
        digest.update(format!(
            "{}|{}|{}|{}|{}|{}\n",
            p.id,
            p.transaction_id,
            p.outcome.as_str(),
            p.duty_cents,
            p.vat_cents,
            p.flag_text()
        ));
        results.push(ParcelResult {
            line: p.line,
            transaction_id: p.transaction_id.clone(),
            id: Some(p.id.clone()),
            outcome: p.outcome.as_str().into(),
            duty_cents: p.duty_cents,
            vat_cents: p.vat_cents,
            flags: p.flags.iter().map(|x| x.as_str().to_string()).collect(),
            lane: p.lane,
            duplicate: false,
        });
        let q = &mut writes.quality;
        q.parcels += 1;
        q.vague += i64::from(p.flags.contains(&Flag::VagueDescription));
        q.implausible += i64::from(p.flags.contains(&Flag::ImplausibleValue));
        q.vat_misuse += i64::from(p.flags.contains(&Flag::VatMisuse));
        writes.parcels.push(p);
    }
    let internal = |e: smartcustoms_core::ledger::Overdraft| {
        StoreError::Internal(format!("parcel charges after a funding check: {e}"))
    };
    ledger
        .post(Posting::reservation(&f.operator, &f.batch_id, Amount::from_cents(reserve)), f.at_us, "system")
        .map_err(internal)?;
    ledger.post(Posting::debit(&f.operator, &f.batch_id, &debit), f.at_us, "system").map_err(internal)?;
    refusals.sort_by_key(|r| r.line);
    let refusals_json = serde_json::to_string(&refusals).map_err(|e| StoreError::Internal(e.to_string()))?;
    let details = serde_json::json!({
        "batch": f.batch_id, "operator": f.operator, "sha256": f.sha256, "lines": f.lines,
        "counts": counts, "parcels_sha256": hex::encode(digest.finalize()),
    });
    let entry = NewEntry {
        at_us: f.at_us,
        declaration_id: None,
        actor: f.actor.clone(),
        action: Action::ParcelsFiled,
        details: details.to_string(),
    };
    writes.batch = Some((f, counts.clone(), refusals_json));
    let filed = ParcelsFiled { batch_id: f.batch_id.clone(), counts, results, refusals };
    Ok((filed, writes, entry))
}

const INSERT_PARCEL: &str = "INSERT INTO parcels (id, operator, transaction_id, batch_id, seller_key, buyer_key, hs6, \
     origin, value_eur_cents, duty_cents, vat_cents, outcome, flags, document, received_at_us, lane, reasons) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
const ADD_QUALITY: &str = "INSERT INTO parcel_quality (operator, parcels, vague, implausible, vat_misuse) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (operator) DO UPDATE SET \
     parcels = parcel_quality.parcels + excluded.parcels, vague = parcel_quality.vague + excluded.vague, \
     implausible = parcel_quality.implausible + excluded.implausible, \
     vat_misuse = parcel_quality.vat_misuse + excluded.vat_misuse";
const INSERT_BATCH: &str = "INSERT INTO parcel_batches (id, operator, sha256, lines, accepted, duplicates, refused, \
     duty_cents, vat_cents, refusals, received_at_us, released, held) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

/// SQLite: the parcels an operator filed before under these transaction ids.
pub(crate) fn sqlite_stored(
    tx: &rusqlite::Transaction<'_>,
    operator: &str,
    ids: &[&str],
) -> StoreResult<HashMap<String, StoredParcel>> {
    let db = StoreError::Sqlite;
    let mut stmt = tx
        .prepare_cached(
            "SELECT id, transaction_id, outcome, duty_cents, vat_cents, flags FROM parcels \
             WHERE operator = ?1 AND transaction_id = ?2",
        )
        .map_err(db)?;
    let mut out = HashMap::new();
    for id in ids {
        let row = stmt.query_row([operator, id], |r| {
            Ok(StoredParcel {
                id: r.get(0)?,
                transaction_id: r.get(1)?,
                outcome: r.get(2)?,
                duty_cents: r.get(3)?,
                vat_cents: r.get(4)?,
                flags: r.get(5)?,
            })
        });
        match row {
            Ok(p) => {
                out.insert(p.transaction_id.clone(), p);
            }
            Err(rusqlite::Error::QueryReturnedNoRows) => {}
            Err(e) => return Err(db(e)),
        }
    }
    Ok(out)
}

/// SQLite: writes the parcels and the batch.
pub(crate) fn sqlite_write(tx: &rusqlite::Transaction<'_>, w: &ParcelWrites<'_>) -> StoreResult<()> {
    let db = StoreError::Sqlite;
    for (id, outcome) in &w.decided {
        tx.execute(UPDATE_OUTCOME, rusqlite::params![outcome, id]).map_err(db)?;
    }
    let Some((f, counts, refusals)) = &w.batch else { return Ok(()) };
    let operator = f.operator.as_str();
    let mut insert = tx.prepare_cached(INSERT_PARCEL).map_err(db)?;
    for p in &w.parcels {
        insert
            .execute(rusqlite::params![
                p.id,
                operator,
                p.transaction_id,
                f.batch_id,
                p.seller_key,
                p.buyer_key,
                p.hs6,
                p.origin,
                p.value_eur_cents,
                p.duty_cents,
                p.vat_cents,
                p.outcome.as_str(),
                p.flag_text(),
                p.document,
                f.at_us.as_micros(),
                p.lane.as_str(),
                p.reason_text()
            ])
            .map_err(db)?;
    }
    let q = &w.quality;
    tx.execute(ADD_QUALITY, rusqlite::params![operator, q.parcels, q.vague, q.implausible, q.vat_misuse])
        .map_err(db)?;
    tx.execute(
        INSERT_BATCH,
        rusqlite::params![
            f.batch_id,
            operator,
            f.sha256,
            f.lines,
            counts.accepted,
            counts.duplicates,
            counts.refused,
            counts.duty_cents,
            counts.vat_cents,
            refusals,
            f.at_us.as_micros(),
            counts.released,
            counts.held
        ],
    )
    .map_err(db)?;
    Ok(())
}

type PgTx = sqlx::Transaction<'static, sqlx::Postgres>;

/// PostgreSQL: the parcels an operator filed before under these transaction ids.
pub(crate) async fn pg_stored(
    tx: &mut PgTx,
    operator: &str,
    ids: &[&str],
) -> StoreResult<HashMap<String, StoredParcel>> {
    let rows: Vec<StoredParcel> = sqlx::query_as(
        "SELECT id, transaction_id, outcome, duty_cents, vat_cents, flags FROM parcels \
         WHERE operator = $1 AND transaction_id = ANY($2)",
    )
    .bind(operator)
    .bind(ids)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|p| (p.transaction_id.clone(), p)).collect())
}

/// PostgreSQL: writes the parcels (one statement per 5,000) and the batch.
pub(crate) async fn pg_write(tx: &mut PgTx, w: &ParcelWrites<'_>) -> StoreResult<()> {
    for (id, outcome) in &w.decided {
        sqlx::query(UPDATE_OUTCOME).bind(*outcome).bind(id).execute(&mut **tx).await?;
    }
    let Some((f, counts, refusals)) = &w.batch else { return Ok(()) };
    for chunk in w.parcels.chunks(5_000) {
        let col = |get: fn(&NewParcel) -> String| chunk.iter().map(|p| get(p)).collect::<Vec<String>>();
        let num = |get: fn(&NewParcel) -> i64| chunk.iter().map(|p| get(p)).collect::<Vec<i64>>();
        sqlx::query(
            "INSERT INTO parcels (id, operator, transaction_id, batch_id, seller_key, buyer_key, hs6, origin, \
             value_eur_cents, duty_cents, vat_cents, outcome, flags, document, received_at_us, lane, reasons) \
             SELECT u.id, $2, u.tid, $3, u.seller, u.buyer, u.hs6, u.origin, u.value, u.duty, u.vat, u.outcome, \
             u.flags, u.document, $4, u.lane, u.reasons FROM UNNEST($1::text[], $5::text[], $6::text[], \
             $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], $13::text[], \
             $14::text[], $15::text[], $16::text[], $17::text[]) \
             AS u(id, tid, seller, buyer, hs6, origin, value, duty, vat, outcome, flags, document, lane, reasons)",
        )
        .bind(col(|p| p.id.clone()))
        .bind(f.operator.as_str())
        .bind(&f.batch_id)
        .bind(f.at_us.as_micros())
        .bind(col(|p| p.transaction_id.clone()))
        .bind(col(|p| p.seller_key.clone()))
        .bind(col(|p| p.buyer_key.clone()))
        .bind(col(|p| p.hs6.clone()))
        .bind(col(|p| p.origin.clone()))
        .bind(num(|p| p.value_eur_cents))
        .bind(num(|p| p.duty_cents))
        .bind(num(|p| p.vat_cents))
        .bind(col(|p| p.outcome.as_str().to_string()))
        .bind(col(NewParcel::flag_text))
        .bind(col(|p| p.document.clone()))
        .bind(col(|p| p.lane.as_str().to_string()))
        .bind(col(NewParcel::reason_text))
        .execute(&mut **tx)
        .await?;
    }
    let q = &w.quality;
    sqlx::query(ADD_QUALITY)
        .bind(f.operator.as_str())
        .bind(q.parcels)
        .bind(q.vague)
        .bind(q.implausible)
        .bind(q.vat_misuse)
        .execute(&mut **tx)
        .await?;
    sqlx::query(INSERT_BATCH)
        .bind(&f.batch_id)
        .bind(f.operator.as_str())
        .bind(&f.sha256)
        .bind(f.lines)
        .bind(counts.accepted)
        .bind(counts.duplicates)
        .bind(counts.refused)
        .bind(counts.duty_cents)
        .bind(counts.vat_cents)
        .bind(refusals)
        .bind(f.at_us.as_micros())
        .bind(counts.released)
        .bind(counts.held)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
