//! What the writing transactions do with Single Window documents: a batch of filings checks
//! and reserves the documents its declarations need (a declaration whose documents fail is
//! recorded refused with the reasons), and a change of state of a stored declaration settles
//! what it reserved (drawn on release, restored on refusal or withdrawal). Everything happens
//! inside the transaction that changes the declaration, after the lock that orders writing
//! transactions, so two declarations never draw the same quantity.
//!
//! The reads and writes of each backend are here too, beside each other.

use std::borrow::Cow;

use smartcustoms_core::audit::{Action, NewEntry};
use smartcustoms_core::permits::{self, Draw, Levels, Milli, Permit, PermitStatus, Referral, Settlement, Taken};
use smartcustoms_core::registration::{Admission, Decision};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::workflow::State;

use crate::batch::Slot;
use crate::declarations::{Filing, MoneyColumns};
use crate::writeset::DeclarationUpdate;
use crate::{StoreError, StoreResult};

/// A draw row to insert, or to update to its new state.
pub(crate) struct DrawRow {
    pub declaration_id: String,
    pub item: i64,
    pub permit: String,
    pub quantity_milli: i64,
    pub state: &'static str,
    pub at_us: Timestamp,
}

/// What a transaction writes of the Single Window's data.
#[derive(Default)]
pub(crate) struct PermitWrites {
    pub draws: Vec<DrawRow>,
    /// Documents' new reserved and drawn quantities: number, reserved, drawn, when.
    pub levels: Vec<(String, i64, i64, Timestamp)>,
    /// Declarations an agency's requirements concern: agency, declaration, when.
    pub concerns: Vec<(String, String, Timestamp)>,
    /// Goods referred to agencies: declaration, referral, when.
    pub referrals: Vec<(String, Referral, Timestamp)>,
}

impl PermitWrites {
    fn levels_of(&mut self, levels: &Levels, at_us: Timestamp) {
        for p in levels.changed() {
            self.levels.push((p.number.clone(), p.reserved.0, p.drawn.0, at_us));
        }
    }
}

/// The document numbers the new accepted filings of a batch reference for what they need.
pub(crate) fn referenced(filings: &[Filing], slots: &[Slot]) -> Vec<String> {
    let mut numbers: Vec<String> =
        new_accepted(filings, slots).flat_map(|f| f.permit_needs.iter().filter_map(|n| n.number.clone())).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

fn new_accepted<'a>(filings: &'a [Filing], slots: &'a [Slot]) -> impl Iterator<Item = &'a Filing> {
    filings.iter().zip(slots).filter(|(f, s)| matches!(s, Slot::New) && f.decision.accepted().is_some()).map(|(f, _)| f)
}

/// A batch after its documents' check, and what each filing took.
pub(crate) type Checked<'a> = (Cow<'a, [Filing]>, Vec<Taken>);

/// Checks, in batch order, the documents each new accepted filing needs and reserves them.
/// Returns the batch with the filings whose documents fail turned into refusals and those
/// with goods referred to agencies sent to control (the batch itself when there is neither),
/// and what each filing took.
pub(crate) fn check_batch<'a>(filings: &'a [Filing], slots: &[Slot], levels: &mut Levels) -> StoreResult<Checked<'a>> {
    let mut taken = vec![Taken::default(); filings.len()];
    let mut changed: Vec<(usize, Decision)> = Vec::new();
    for (i, (f, slot)) in filings.iter().zip(slots).enumerate() {
        if f.permit_needs.is_empty() || !matches!(slot, Slot::New) || f.decision.accepted().is_none() {
            continue;
        }
        match levels.take(&f.permit_needs, f.declarant.as_str(), f.date, false) {
            Ok(t) => {
                if let (false, Decision::Accepted(accepted)) = (t.referrals.is_empty(), &f.decision) {
                    let mut referred = accepted.clone();
                    permits::refer(&mut referred, &t.referrals);
                    changed.push((i, Decision::Accepted(referred)));
                }
                taken[i] = t;
            }
            Err(reasons) => changed.push((i, Decision::Refused { reasons })),
        }
    }
    if changed.is_empty() {
        return Ok((Cow::Borrowed(filings), taken));
    }
    let mut batch = filings.to_vec();
    for (i, decision) in changed {
        batch[i].money = MoneyColumns::of(&decision)?;
        batch[i].decision = decision;
    }
    Ok((Cow::Owned(batch), taken))
}

/// The rows and audit entries of a batch's draws, once the money decided which declarations
/// are registered and released now: the goods released at registration draw at once.
pub(crate) fn batch_writes(
    filings: &[Filing],
    slots: &[Slot],
    admissions: &[Option<Admission>],
    taken: Vec<Taken>,
    levels: &mut Levels,
) -> StoreResult<(PermitWrites, Vec<NewEntry>)> {
    let mut writes = PermitWrites::default();
    let mut entries = Vec::new();
    let mut at = None;
    for (((f, slot), admission), Taken { draws, referrals }) in filings.iter().zip(slots).zip(admissions).zip(taken) {
        if !matches!(slot, Slot::New) || f.permit_needs.is_empty() {
            continue;
        }
        let id = f.id.to_string();
        let mut agencies: Vec<&str> = f.permit_needs.iter().map(|n| n.agency.as_str()).collect();
        agencies.sort_unstable();
        agencies.dedup();
        writes.concerns.extend(agencies.into_iter().map(|a| (a.to_string(), id.clone(), f.at_us)));
        if !referrals.is_empty() {
            entries.push(referral_entry(&id, f.at_us, &referrals)?);
            writes.referrals.extend(referrals.into_iter().map(|r| (id.clone(), r, f.at_us)));
        }
        if draws.is_empty() {
            continue;
        }
        let released =
            f.decision.accepted().is_some_and(|a| a.auto_release) && *admission == Some(Admission::Registered);
        if released {
            levels.settle(&draws, Settlement::Drawn);
        }
        let state = if released { "drawn" } else { "reserved" };
        entries.push(entry(&id, f.at_us, state, &draws)?);
        writes.draws.extend(rows(&id, &draws, state, f.at_us));
        at = Some(f.at_us);
    }
    if let Some(at_us) = at {
        writes.levels_of(levels, at_us);
    }
    Ok((writes, entries))
}

fn rows<'a>(
    id: &'a str,
    draws: &'a [Draw],
    state: &'static str,
    at_us: Timestamp,
) -> impl Iterator<Item = DrawRow> + 'a {
    draws.iter().map(move |d| DrawRow {
        declaration_id: id.to_string(),
        item: i64::from(d.item),
        permit: d.permit.clone(),
        quantity_milli: d.quantity.0,
        state,
        at_us,
    })
}

fn entry(id: &str, at_us: Timestamp, state: &str, draws: &[Draw]) -> StoreResult<NewEntry> {
    let listed: Vec<serde_json::Value> = draws
        .iter()
        .map(|d| serde_json::json!({ "permit": d.permit, "item": d.item, "quantity": d.quantity.to_string() }))
        .collect();
    Ok(NewEntry {
        at_us,
        declaration_id: Some(id.to_string()),
        actor: "system".into(),
        action: Action::PermitQuantities,
        details: serde_json::to_string(&serde_json::json!({ "state": state, "draws": listed }))
            .map_err(|e| StoreError::Internal(e.to_string()))?,
    })
}

fn referral_entry(id: &str, at_us: Timestamp, referrals: &[Referral]) -> StoreResult<NewEntry> {
    Ok(NewEntry {
        at_us,
        declaration_id: Some(id.to_string()),
        actor: "system".into(),
        action: Action::ReferredToAgency,
        details: serde_json::to_string(&serde_json::json!({ "referrals": referrals }))
            .map_err(|e| StoreError::Internal(e.to_string()))?,
    })
}

/// The declarations a set of changes ends: released ones draw what they reserved, refused
/// (and withdrawn) ones restore it.
pub(crate) fn endings(updates: &[DeclarationUpdate]) -> Vec<(String, Settlement, Timestamp)> {
    updates
        .iter()
        .filter_map(|u| {
            let how = match State::parse(u.state)? {
                State::Released => Settlement::Drawn,
                State::Refused => Settlement::Restored,
                _ => return None,
            };
            Some((u.id.clone(), how, u.updated_at_us))
        })
        .collect()
}

/// Settles the reserved draws of declarations whose state a transaction ends: the rows, the
/// documents' new quantities and one audit entry per declaration.
pub(crate) fn settle(
    endings: &[(String, Settlement, Timestamp)],
    reserved: Vec<(String, Draw)>,
    levels: &mut Levels,
) -> StoreResult<(PermitWrites, Vec<NewEntry>)> {
    let mut writes = PermitWrites::default();
    let mut entries = Vec::new();
    let mut at = None;
    for (id, how, at_us) in endings {
        let draws: Vec<Draw> = reserved.iter().filter(|(d, _)| d == id).map(|(_, draw)| draw.clone()).collect();
        if draws.is_empty() {
            continue;
        }
        levels.settle(&draws, *how);
        entries.push(entry(id, *at_us, how.as_str(), &draws)?);
        writes.draws.extend(rows(id, &draws, how.as_str(), *at_us));
        at = Some(*at_us);
    }
    if let Some(at_us) = at {
        writes.levels_of(levels, at_us);
    }
    Ok((writes, entries))
}

/// A document as the SQLite writer reads it, before parsing (rusqlite reads dates as text).
pub(crate) struct LevelRow {
    pub number: String,
    pub agency: String,
    pub kind: String,
    pub holder: String,
    pub hs_prefixes: String,
    pub unit: String,
    pub quantity: i64,
    pub reserved: i64,
    pub drawn: i64,
    pub valid_from: String,
    pub valid_to: String,
    pub status: String,
}

impl LevelRow {
    pub fn parse(self) -> StoreResult<Permit> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("document {} has a bad {what}", self.number));
        let date = |s: &str, what: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| corrupt(what));
        Ok(Permit {
            valid_from: date(&self.valid_from, "first day")?,
            valid_to: date(&self.valid_to, "last day")?,
            status: PermitStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            hs_prefixes: crate::permits::list(&self.hs_prefixes),
            quantity: Milli(self.quantity),
            reserved: Milli(self.reserved),
            drawn: Milli(self.drawn),
            number: self.number,
            agency: self.agency,
            kind: self.kind,
            holder: self.holder,
            unit: self.unit,
        })
    }
}

/// SQLite: the documents with these numbers.
pub(crate) fn sqlite_permits(tx: &rusqlite::Transaction<'_>, numbers: &[String]) -> StoreResult<Vec<Permit>> {
    let db = StoreError::Sqlite;
    let mut stmt = tx
        .prepare_cached(
            "SELECT number, agency, kind, holder, hs_prefixes, unit, quantity_milli, reserved_milli, drawn_milli, \
         valid_from, valid_to, status FROM permits WHERE number = ?1",
        )
        .map_err(db)?;
    let mut out = Vec::with_capacity(numbers.len());
    for number in numbers {
        let row = stmt.query_row([number], |r| {
            Ok(LevelRow {
                number: r.get(0)?,
                agency: r.get(1)?,
                kind: r.get(2)?,
                holder: r.get(3)?,
                hs_prefixes: r.get(4)?,
                unit: r.get(5)?,
                quantity: r.get(6)?,
                reserved: r.get(7)?,
                drawn: r.get(8)?,
                valid_from: r.get(9)?,
                valid_to: r.get(10)?,
                status: r.get(11)?,
            })
        });
        match row {
            Ok(row) => out.push(row.parse()?),
            Err(rusqlite::Error::QueryReturnedNoRows) => {}
            Err(e) => return Err(db(e)),
        }
    }
    Ok(out)
}

/// SQLite: the reserved draws of these declarations.
pub(crate) fn sqlite_reserved(tx: &rusqlite::Transaction<'_>, ids: &[String]) -> StoreResult<Vec<(String, Draw)>> {
    let db = StoreError::Sqlite;
    let mut stmt = tx
        .prepare_cached(
            "SELECT declaration_id, item, permit, quantity_milli FROM permit_draws \
             WHERE declaration_id = ?1 AND state = 'reserved' ORDER BY item, permit",
        )
        .map_err(db)?;
    let mut out = Vec::new();
    for id in ids {
        let rows = stmt
            .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get(2)?, r.get(3)?)))
            .map_err(db)?;
        for row in rows {
            let (id, item, permit, quantity) = row.map_err(db)?;
            out.push((id, draw(item, permit, quantity)?));
        }
    }
    Ok(out)
}

fn draw(item: i64, permit: String, quantity: i64) -> StoreResult<Draw> {
    let item = u32::try_from(item).map_err(|_| StoreError::Corrupt(format!("a draw on {permit} has item {item}")))?;
    Ok(Draw { permit, item, quantity: Milli(quantity) })
}

/// SQLite: writes what a transaction planned.
pub(crate) fn sqlite_write(tx: &rusqlite::Transaction<'_>, w: &PermitWrites) -> StoreResult<()> {
    let db = StoreError::Sqlite;
    if !w.draws.is_empty() {
        let mut stmt = tx.prepare_cached(UPSERT_DRAW).map_err(db)?;
        for d in &w.draws {
            stmt.execute(rusqlite::params![
                d.declaration_id,
                d.item,
                d.permit,
                d.quantity_milli,
                d.state,
                d.at_us.as_micros()
            ])
            .map_err(db)?;
        }
    }
    if !w.levels.is_empty() {
        let mut stmt = tx.prepare_cached(UPDATE_LEVELS).map_err(db)?;
        for (number, reserved, drawn, at) in &w.levels {
            stmt.execute(rusqlite::params![reserved, drawn, at.as_micros(), number]).map_err(db)?;
        }
    }
    if !w.concerns.is_empty() {
        let mut stmt = tx.prepare_cached(INSERT_CONCERN).map_err(db)?;
        for (agency, id, at) in &w.concerns {
            stmt.execute(rusqlite::params![agency, id, at.as_micros()]).map_err(db)?;
        }
    }
    for (id, r, at) in &w.referrals {
        tx.execute(
            INSERT_REFERRAL,
            rusqlite::params![
                id,
                r.item,
                r.kind,
                r.agency,
                r.requirement,
                r.reason.code,
                r.reason.message,
                at.as_micros()
            ],
        )
        .map_err(db)?;
    }
    Ok(())
}

const UPSERT_DRAW: &str = "INSERT INTO permit_draws (declaration_id, item, permit, quantity_milli, state, at_us) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (declaration_id, item, permit) \
     DO UPDATE SET state = excluded.state, at_us = excluded.at_us";
const UPDATE_LEVELS: &str =
    "UPDATE permits SET reserved_milli = $1, drawn_milli = $2, updated_at_us = $3 WHERE number = $4";
const INSERT_REFERRAL: &str = "INSERT INTO sw_referrals (declaration_id, item, kind, agency, requirement, code, \
     message, state, at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)";
const INSERT_CONCERN: &str =
    "INSERT INTO agency_declarations (agency, declaration_id, at_us) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

type PgTx = sqlx::Transaction<'static, sqlx::Postgres>;

/// PostgreSQL: the documents with these numbers.
pub(crate) async fn pg_permits(tx: &mut PgTx, numbers: &[String]) -> StoreResult<Vec<Permit>> {
    use crate::rows::Parse as _;
    let rows: Vec<crate::permits::PermitRow> =
        sqlx::query_as(&format!("SELECT {} FROM permits WHERE number = ANY($1)", crate::permits::PERMIT_COLUMNS))
            .bind(numbers)
            .fetch_all(&mut **tx)
            .await?;
    rows.into_iter().map(|r| r.parse().map(|record| record.permit)).collect()
}

/// PostgreSQL: the reserved draws of these declarations.
pub(crate) async fn pg_reserved(tx: &mut PgTx, ids: &[String]) -> StoreResult<Vec<(String, Draw)>> {
    let rows: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT declaration_id, item, permit, quantity_milli FROM permit_draws \
         WHERE declaration_id = ANY($1) AND state = 'reserved' ORDER BY declaration_id, item, permit",
    )
    .bind(ids)
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter().map(|(id, item, permit, quantity)| Ok((id, draw(item, permit, quantity)?))).collect()
}

/// PostgreSQL: writes what a transaction planned.
pub(crate) async fn pg_write(tx: &mut PgTx, w: &PermitWrites) -> StoreResult<()> {
    for d in &w.draws {
        sqlx::query(UPSERT_DRAW)
            .bind(&d.declaration_id)
            .bind(d.item)
            .bind(&d.permit)
            .bind(d.quantity_milli)
            .bind(d.state)
            .bind(d.at_us.as_micros())
            .execute(&mut **tx)
            .await?;
    }
    for (number, reserved, drawn, at) in &w.levels {
        sqlx::query(UPDATE_LEVELS)
            .bind(reserved)
            .bind(drawn)
            .bind(at.as_micros())
            .bind(number)
            .execute(&mut **tx)
            .await?;
    }
    for (agency, id, at) in &w.concerns {
        sqlx::query(INSERT_CONCERN).bind(agency).bind(id).bind(at.as_micros()).execute(&mut **tx).await?;
    }
    for (id, r, at) in &w.referrals {
        sqlx::query(INSERT_REFERRAL)
            .bind(id)
            .bind(i64::from(r.item))
            .bind(&r.kind)
            .bind(&r.agency)
            .bind(r.requirement)
            .bind(&r.reason.code)
            .bind(&r.reason.message)
            .bind(at.as_micros())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
