//! What the transaction that records a batch of filings writes of the exchange with partner
//! administrations: each new import's citations of partners' exports (`N830`), and what matching
//! it with the exports already received found, each match with its audit entry. Written with
//! the import itself, so a recorded import always has both: a partner's message arriving later
//! finds the citation, and no difference found at filing is lost.
//!
//! The writes of each backend are here too, beside each other.

use smartcustoms_core::audit::{Action, NewEntry};
use smartcustoms_core::declaration::DeclarationType;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::wcodm::{self, Matched};

use crate::batch::Slot;
use crate::declarations::Filing;
use crate::StoreResult;

/// What a transaction writes of the exchange: citations (reference, declaration, when) and
/// matches (declaration, match, when).
#[derive(Default)]
pub(crate) struct ExchangeWrites {
    pub citations: Vec<(String, String, Timestamp)>,
    pub matches: Vec<(String, Matched, Timestamp)>,
}

/// The citations and matches of the new accepted imports of a batch, and the audit entry of
/// each match.
pub(crate) fn batch_writes(filings: &[Filing], slots: &[Slot]) -> (ExchangeWrites, Vec<NewEntry>) {
    let mut writes = ExchangeWrites::default();
    let mut entries = Vec::new();
    for (f, slot) in filings.iter().zip(slots) {
        let Some(accepted) = f.decision.accepted() else { continue };
        if !matches!(slot, Slot::New) || accepted.declaration.kind != DeclarationType::Import {
            continue;
        }
        let id = f.id.to_string();
        for reference in wcodm::cited_by(&accepted.declaration) {
            writes.citations.push((reference, id.clone(), f.at_us));
        }
        for m in &accepted.exchange {
            entries.push(NewEntry {
                at_us: f.at_us,
                declaration_id: Some(id.clone()),
                actor: "system".to_string(),
                action: Action::ExchangeMatched,
                details: crate::exchange::match_details(m).to_string(),
            });
            writes.matches.push((id.clone(), m.clone(), f.at_us));
        }
    }
    (writes, entries)
}

const INSERT_CITATION: &str = "INSERT INTO exchange_citations (reference, declaration_id, cited_at_us) \
     VALUES ($1, $2, $3) ON CONFLICT (reference, declaration_id) DO NOTHING";
const INSERT_MATCH: &str = "INSERT INTO exchange_matches (declaration_id, partner, reference, mismatches, \
     matched_at_us) VALUES ($1, $2, $3, $4, $5)";
pub(crate) const INSERT_MISMATCH: &str =
    "INSERT INTO exchange_mismatches (declaration_id, partner, reference, n, code, \
     export_line, import_item, export_value, import_value, message, found_at_us) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// SQLite: writes what a transaction planned.
pub(crate) fn sqlite_write(tx: &rusqlite::Transaction<'_>, w: &ExchangeWrites) -> StoreResult<()> {
    let db = crate::StoreError::Sqlite;
    for (reference, id, at) in &w.citations {
        tx.execute(INSERT_CITATION, rusqlite::params![reference, id, at.as_micros()]).map_err(db)?;
    }
    for (id, m, at) in &w.matches {
        let params = rusqlite::params![id, m.partner, m.reference, count(m.mismatches.len()), at.as_micros()];
        tx.execute(INSERT_MATCH, params).map_err(db)?;
        for (n, x) in m.mismatches.iter().enumerate() {
            tx.execute(
                INSERT_MISMATCH,
                rusqlite::params![
                    id,
                    m.partner,
                    m.reference,
                    count(n),
                    x.code,
                    x.export_line,
                    x.import_item,
                    x.export_value,
                    x.import_value,
                    x.message,
                    at.as_micros()
                ],
            )
            .map_err(db)?;
        }
    }
    Ok(())
}

type PgTx = sqlx::Transaction<'static, sqlx::Postgres>;

/// PostgreSQL: writes what a transaction planned.
pub(crate) async fn pg_write(tx: &mut PgTx, w: &ExchangeWrites) -> StoreResult<()> {
    for (reference, id, at) in &w.citations {
        sqlx::query(INSERT_CITATION).bind(reference).bind(id).bind(at.as_micros()).execute(&mut **tx).await?;
    }
    for (id, m, at) in &w.matches {
        sqlx::query(INSERT_MATCH)
            .bind(id)
            .bind(&m.partner)
            .bind(&m.reference)
            .bind(count(m.mismatches.len()))
            .bind(at.as_micros())
            .execute(&mut **tx)
            .await?;
        for (n, x) in m.mismatches.iter().enumerate() {
            sqlx::query(INSERT_MISMATCH)
                .bind(id)
                .bind(&m.partner)
                .bind(&m.reference)
                .bind(count(n))
                .bind(&x.code)
                .bind(x.export_line.map(i64::from))
                .bind(x.import_item.map(i64::from))
                .bind(&x.export_value)
                .bind(&x.import_value)
                .bind(&x.message)
                .bind(at.as_micros())
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}
