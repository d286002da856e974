//! Views of a trader's account assembled from stored rows, shared by both backends.

use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::ledger::{Account, Amount, PostingKind};
use smartcustoms_core::timestamp::Timestamp;

use super::{AccountBalance, AccountView, AwaitingPayment, OpenReservation, Statement, StatementEntry};
use crate::StoreError;

/// A ledger line of a trader's posting, as read for a statement.
#[derive(sqlx::FromRow)]
pub(crate) struct TraderLine {
    pub posting_id: i64,
    pub kind: String,
    pub declaration_id: Option<String>,
    pub reference: Option<String>,
    #[sqlx(try_from = "i64")]
    pub at_us: Timestamp,
    pub debit: String,
    pub credit: String,
    pub amount_cents: i64,
}

/// The account view from balances, open reservations and declarations awaiting payment
/// (id, receipt time, duties in cents; oldest first).
pub(crate) fn view(
    balance: AccountBalance,
    reservations: Vec<(String, i64)>,
    awaiting: Vec<(String, i64, i64)>,
) -> Result<AccountView, StoreError> {
    let mut needed = 0i64;
    let awaiting_payment = awaiting
        .into_iter()
        .map(|(id, received_at_us, duties)| {
            needed += duties;
            Ok(AwaitingPayment {
                declaration_id: id.parse::<DeclarationId>()?,
                received_at_us: Timestamp::from_micros(received_at_us),
                duties: Amount::from_cents(duties),
                missing: Amount::from_cents((needed - balance.available.cents()).max(0)),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let reservations = reservations
        .into_iter()
        .map(|(reference, cents)| OpenReservation { reference, amount: Amount::from_cents(cents) })
        .collect();
    Ok(AccountView { balance, reservations, awaiting_payment })
}

/// Balances of a trader from a `(account, cents)` list.
pub(crate) fn balance(trader: &TraderId, rows: &[(String, i64)]) -> AccountBalance {
    let get = |a: Account| rows.iter().find(|(k, _)| *k == a.key()).map(|(_, c)| *c).unwrap_or(0);
    AccountBalance {
        trader: trader.clone(),
        available: Amount::from_cents(get(Account::Available(trader.clone()))),
        reserved: Amount::from_cents(get(Account::Reserved(trader.clone()))),
    }
}

/// A statement for `[from_us, to_us)` from every line of the trader's postings before `to_us`,
/// in posting order.
pub(crate) fn statement(
    trader: &TraderId,
    from_us: Timestamp,
    to_us: Timestamp,
    lines: Vec<TraderLine>,
) -> Result<Statement, StoreError> {
    let available = Account::Available(trader.clone());
    let reserved = Account::Reserved(trader.clone());
    let effect = |l: &TraderLine, a: &Account| -> Result<i64, StoreError> {
        let parse = |k: &str| Account::parse(k).ok_or_else(|| StoreError::Corrupt(format!("unknown account {k:?}")));
        let line = smartcustoms_core::ledger::Line {
            debit: parse(&l.debit)?,
            credit: parse(&l.credit)?,
            amount: Amount::from_cents(l.amount_cents),
        };
        Ok(line.effect_on(a))
    };
    let (mut avail, mut res) = (0i64, 0i64);
    let mut opening = None;
    let mut entries = Vec::new();
    for posting in lines.chunk_by(|a, b| a.posting_id == b.posting_id) {
        let first = &posting[0];
        let (mut da, mut dr) = (0, 0);
        for l in posting {
            da += effect(l, &available)?;
            dr += effect(l, &reserved)?;
        }
        if first.at_us >= from_us && opening.is_none() {
            opening = Some((avail, res));
        }
        avail += da;
        res += dr;
        if first.at_us >= from_us {
            entries.push(StatementEntry {
                posting_id: first.posting_id,
                at_us: first.at_us,
                kind: PostingKind::parse(&first.kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown posting kind {:?}", first.kind)))?,
                declaration_id: first.declaration_id.clone(),
                reference: first.reference.clone(),
                available_change: signed(da),
                reserved_change: signed(dr),
                available_after: Amount::from_cents(avail),
                reserved_after: Amount::from_cents(res),
            });
        }
    }
    let (oa, or) = opening.unwrap_or((avail, res));
    let amounts = |a: i64, r: i64| AccountBalance {
        trader: trader.clone(),
        available: Amount::from_cents(a),
        reserved: Amount::from_cents(r),
    };
    Ok(Statement {
        trader: trader.clone(),
        from_us,
        to_us,
        opening: amounts(oa, or),
        entries,
        closing: amounts(avail, res),
    })
}

fn signed(cents: i64) -> String {
    rust_decimal::Decimal::new(cents, 2).to_string()
}
