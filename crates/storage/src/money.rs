//! The ledger side of a transaction: balances loaded from the store, postings applied under
//! the no-overdraft rule, and the rows they write.

use smartcustoms_core::ids::TraderId;
use smartcustoms_core::ledger::{Account, Amount, Book, Overdraft, Posting, Tax};
use smartcustoms_core::registration::Registrable;
use smartcustoms_core::timestamp::Timestamp;

use crate::writeset::PostingRow;
use crate::StoreError;

/// The accounts a posting about these traders can touch: theirs, revenue and the bank.
pub(crate) fn accounts_of<'a>(traders: impl IntoIterator<Item = &'a TraderId>) -> Vec<String> {
    let mut keys: Vec<String> =
        [Account::Bank, Account::Revenue(Tax::Duty), Account::Revenue(Tax::Excise), Account::Revenue(Tax::Vat)]
            .iter()
            .map(Account::key)
            .collect();
    for t in traders {
        keys.push(Account::Available(t.clone()).key());
        keys.push(Account::Reserved(t.clone()).key());
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Postings of one transaction over balances read at its start.
pub(crate) struct Ledger {
    book: Book,
    last_id: i64,
    postings: Vec<PostingRow>,
}

impl Ledger {
    /// Starts from stored balances and the last posting id.
    pub fn new(balances: Vec<(String, i64)>, last_id: i64) -> Result<Ledger, StoreError> {
        let balances = balances
            .into_iter()
            .map(|(key, cents)| {
                Account::parse(&key)
                    .map(|a| (a, Amount::from_cents(cents)))
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown ledger account {key:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Ledger { book: Book::new(balances), last_id, postings: Vec::new() })
    }

    /// What a trader can spend now.
    pub fn available(&self, trader: &TraderId) -> Amount {
        self.book.balance(&Account::Available(trader.clone()))
    }

    /// What is reserved for a trader now.
    pub fn reserved(&self, trader: &TraderId) -> Amount {
        self.book.balance(&Account::Reserved(trader.clone()))
    }

    /// Applies a posting and keeps its row; postings of zero write nothing.
    pub fn post(&mut self, posting: Posting, at_us: Timestamp, actor: &str) -> Result<Option<i64>, Overdraft> {
        if posting.is_empty() {
            return Ok(None);
        }
        self.book.apply(&posting)?;
        self.last_id += 1;
        self.postings.push(PostingRow { id: self.last_id, posting, at_us, actor: actor.to_string() });
        Ok(Some(self.last_id))
    }

    /// Reserves the duties of a declaration being registered and, on automatic release, debits
    /// them at once. The caller has checked the funding, so an overdraft here is a bug.
    pub fn register(
        &mut self,
        trader: &TraderId,
        declaration: &str,
        r: &Registrable,
        at_us: Timestamp,
    ) -> Result<(), StoreError> {
        let corrupt = |e: Overdraft| StoreError::Internal(format!("reservation after a funding check: {e}"));
        self.post(Posting::reservation(trader, declaration, r.taxes.total()), at_us, "system").map_err(corrupt)?;
        if r.auto_release {
            self.post(Posting::debit(trader, declaration, &r.taxes), at_us, "system").map_err(corrupt)?;
        }
        Ok(())
    }

    /// The posting rows and the new balances of the accounts they changed.
    pub fn finish(self) -> (Vec<PostingRow>, Vec<(String, i64)>) {
        let balances = self.book.changed().map(|(a, b)| (a.key(), b.cents())).collect();
        (self.postings, balances)
    }
}
