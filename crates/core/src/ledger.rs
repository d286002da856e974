//! The single personal account: a double-entry ledger of every trader's money with the customs
//! service, valid at any office.
//!
//! Every movement of money is a [`Posting`] made of [`Line`]s; a line debits one account and
//! credits another with the same positive amount, so every posting balances by construction.
//! The accounts:
//!
//! | account | kind | grows with |
//! |---|---|---|
//! | `trader/{id}/available` | owed to the trader | deposits, released reservations |
//! | `trader/{id}/reserved` | owed to the trader, set aside for registered declarations | reservations |
//! | `revenue/duty`, `revenue/excise`, `revenue/vat` | revenue of the state | debits on release |
//! | `bank` | money the service holds at its bank | deposits (refunds take it out) |
//!
//! Balances are derived from the lines; [`Book`] applies postings to balances and refuses any
//! posting that would take an account below zero, which is how a trader can never spend the
//! same money twice: reservations are applied one after another, each against what the ones
//! before it left. The balance-sheet identity `bank = Σ available + Σ reserved + Σ revenue`
//! holds after every posting; `smartcustoms ledger verify` checks it on the stored ledger.
//!
//! Amounts are whole cents of the national currency ([`Amount`]); the duty calculation rounds
//! to the cent before anything reaches the ledger.

use std::collections::HashMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::TraderId;

/// An amount of the national currency in whole cents. Never negative in a posting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(i64);

/// Why a decimal figure is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// More than two decimals.
    #[error("{0} has more than two decimals; amounts are in cents")]
    SubCent(Decimal),
    /// Negative or zero where a positive amount is needed.
    #[error("{0} is not a positive amount")]
    NotPositive(Decimal),
    /// Beyond what the ledger stores.
    #[error("{0} is too large")]
    TooLarge(Decimal),
    /// More than one payment or refund may carry.
    #[error("{0} exceeds {max}, the most one payment or refund may carry", max = Amount::MAX_PAYMENT.to_decimal())]
    AbovePaymentLimit(Decimal),
}

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(0);

    /// From cents.
    pub const fn from_cents(cents: i64) -> Amount {
        Amount(cents)
    }

    /// In cents.
    pub const fn cents(self) -> i64 {
        self.0
    }

    /// An amount from a decimal figure with at most two decimals (trailing zeros allowed).
    pub fn from_decimal(value: Decimal) -> Result<Amount, AmountError> {
        let cents = value.checked_mul(Decimal::ONE_HUNDRED).ok_or(AmountError::TooLarge(value))?;
        if !cents.fract().is_zero() {
            return Err(AmountError::SubCent(value));
        }
        i64::try_from(cents.trunc()).map(Amount).map_err(|_| AmountError::TooLarge(value))
    }

    /// The most one deposit or refund may carry: 100 billion in the national currency. The
    /// bound keeps every balance of the ledger (the bank's clearing account sums the deposits
    /// of all traders) far from the end of 64-bit cents.
    pub const MAX_PAYMENT: Amount = Amount(10_000_000_000_000);

    /// A payment or refund: positive, in cents, and at most [`Amount::MAX_PAYMENT`].
    pub fn payment(value: Decimal) -> Result<Amount, AmountError> {
        match Amount::positive(value)? {
            a if a.0 > Amount::MAX_PAYMENT.0 => Err(AmountError::AbovePaymentLimit(value)),
            a => Ok(a),
        }
    }

    /// A positive amount from a decimal figure, as payments and refunds require.
    pub fn positive(value: Decimal) -> Result<Amount, AmountError> {
        match Amount::from_decimal(value)? {
            a if a.0 > 0 => Ok(a),
            _ => Err(AmountError::NotPositive(value)),
        }
    }

    /// The figure with two decimals.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Sum, `None` on overflow.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    /// Difference, `None` on overflow.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0.checked_sub(other.0).map(Amount)
    }

    /// Zero or less.
    pub fn is_zero_or_less(self) -> bool {
        self.0 <= 0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_decimal())
    }
}

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Serialize::serialize(&self.to_decimal(), s)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = <Decimal as Deserialize>::deserialize(d)?;
        Amount::from_decimal(value).map_err(serde::de::Error::custom)
    }
}

impl ToSchema for Amount {}
impl utoipa::PartialSchema for Amount {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("Amount in the national currency with two decimals, e.g. \"125.40\"."))
            .examples([serde_json::json!("125.40")])
            .into()
    }
}

/// A tax the service collects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tax {
    /// Import duty.
    Duty,
    /// Excise.
    Excise,
    /// Import VAT.
    Vat,
}

/// An account of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Account {
    /// What a trader can spend.
    Available(TraderId),
    /// What is set aside for a trader's registered declarations.
    Reserved(TraderId),
    /// Collected revenue.
    Revenue(Tax),
    /// Money held at the bank.
    Bank,
}

impl Account {
    /// The stored name of the account.
    pub fn key(&self) -> String {
        match self {
            Account::Available(t) => format!("trader/{}/available", t.as_str()),
            Account::Reserved(t) => format!("trader/{}/reserved", t.as_str()),
            Account::Revenue(Tax::Duty) => "revenue/duty".into(),
            Account::Revenue(Tax::Excise) => "revenue/excise".into(),
            Account::Revenue(Tax::Vat) => "revenue/vat".into(),
            Account::Bank => "bank".into(),
        }
    }

    /// Parses a stored name.
    pub fn parse(key: &str) -> Option<Account> {
        match key {
            "revenue/duty" => return Some(Account::Revenue(Tax::Duty)),
            "revenue/excise" => return Some(Account::Revenue(Tax::Excise)),
            "revenue/vat" => return Some(Account::Revenue(Tax::Vat)),
            "bank" => return Some(Account::Bank),
            _ => {}
        }
        let rest = key.strip_prefix("trader/")?;
        let (trader, which) = rest.rsplit_once('/')?;
        let trader = TraderId::new(trader).ok()?;
        match which {
            "available" => Some(Account::Available(trader)),
            "reserved" => Some(Account::Reserved(trader)),
            _ => None,
        }
    }

    /// True for the bank, whose balance grows with debits; every other account grows with credits.
    pub fn is_debit_normal(&self) -> bool {
        matches!(self, Account::Bank)
    }

    /// The trader the account belongs to.
    pub fn trader(&self) -> Option<&TraderId> {
        match self {
            Account::Available(t) | Account::Reserved(t) => Some(t),
            _ => None,
        }
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// One movement: `amount` leaves `debit`'s side and arrives on `credit`'s side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Account debited.
    pub debit: Account,
    /// Account credited.
    pub credit: Account,
    /// Positive amount.
    pub amount: Amount,
}

impl Line {
    /// How this line changes an account's balance (zero when it does not touch it).
    pub fn effect_on(&self, account: &Account) -> i64 {
        let sign = |debited: bool| if debited == account.is_debit_normal() { 1 } else { -1 };
        let mut effect = 0;
        if &self.debit == account {
            effect += sign(true) * self.amount.0;
        }
        if &self.credit == account {
            effect += sign(false) * self.amount.0;
        }
        effect
    }
}

/// What a posting is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostingKind {
    /// Money paid in by the trader (advance payment), notified by the bank.
    Deposit,
    /// Duties set aside when a declaration is registered.
    Reservation,
    /// Reserved duties taken as revenue when the goods are released.
    Debit,
    /// A reservation given back when a registered declaration is refused.
    ReservationRelease,
    /// Money paid back to the trader on request.
    Refund,
}

impl PostingKind {
    /// Every kind.
    pub const ALL: [PostingKind; 5] = [
        PostingKind::Deposit,
        PostingKind::Reservation,
        PostingKind::Debit,
        PostingKind::ReservationRelease,
        PostingKind::Refund,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PostingKind::Deposit => "deposit",
            PostingKind::Reservation => "reservation",
            PostingKind::Debit => "debit",
            PostingKind::ReservationRelease => "reservation_release",
            PostingKind::Refund => "refund",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<PostingKind> {
        PostingKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The taxes of a declaration, in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaxSplit {
    /// Import duty.
    pub duty: Amount,
    /// Excise.
    pub excise: Amount,
    /// VAT.
    pub vat: Amount,
}

impl TaxSplit {
    /// Everything to pay.
    pub fn total(&self) -> Amount {
        Amount(self.duty.0 + self.excise.0 + self.vat.0)
    }
}

/// A balanced set of lines about one trader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// What it is.
    pub kind: PostingKind,
    /// The trader whose account it concerns.
    pub trader: TraderId,
    /// The declaration, for reservations, debits and releases.
    pub declaration: Option<String>,
    /// The payment reference, for deposits and refunds.
    pub reference: Option<String>,
    /// The movements.
    pub lines: Vec<Line>,
}

impl Posting {
    fn single(kind: PostingKind, trader: &TraderId, debit: Account, credit: Account, amount: Amount) -> Posting {
        Posting {
            kind,
            trader: trader.clone(),
            declaration: None,
            reference: None,
            lines: vec![Line { debit, credit, amount }],
        }
    }

    /// Money paid in with a payment reference.
    pub fn deposit(trader: &TraderId, amount: Amount, reference: &str) -> Posting {
        let mut p =
            Posting::single(PostingKind::Deposit, trader, Account::Bank, Account::Available(trader.clone()), amount);
        p.reference = Some(reference.to_string());
        p
    }

    /// Duties set aside for a declaration.
    pub fn reservation(trader: &TraderId, declaration: &str, amount: Amount) -> Posting {
        let mut p = Posting::single(
            PostingKind::Reservation,
            trader,
            Account::Available(trader.clone()),
            Account::Reserved(trader.clone()),
            amount,
        );
        p.declaration = Some(declaration.to_string());
        p
    }

    /// Reserved duties taken as revenue, tax by tax (taxes of zero write no line).
    pub fn debit(trader: &TraderId, declaration: &str, taxes: &TaxSplit) -> Posting {
        let lines = [(Tax::Duty, taxes.duty), (Tax::Excise, taxes.excise), (Tax::Vat, taxes.vat)]
            .into_iter()
            .filter(|(_, a)| a.0 > 0)
            .map(|(tax, amount)| Line {
                debit: Account::Reserved(trader.clone()),
                credit: Account::Revenue(tax),
                amount,
            })
            .collect();
        Posting {
            kind: PostingKind::Debit,
            trader: trader.clone(),
            declaration: Some(declaration.to_string()),
            reference: None,
            lines,
        }
    }

    /// A reservation given back.
    pub fn reservation_release(trader: &TraderId, declaration: &str, amount: Amount) -> Posting {
        let mut p = Posting::single(
            PostingKind::ReservationRelease,
            trader,
            Account::Reserved(trader.clone()),
            Account::Available(trader.clone()),
            amount,
        );
        p.declaration = Some(declaration.to_string());
        p
    }

    /// Money paid back to the trader.
    pub fn refund(trader: &TraderId, amount: Amount, reference: &str) -> Posting {
        let mut p =
            Posting::single(PostingKind::Refund, trader, Account::Available(trader.clone()), Account::Bank, amount);
        p.reference = Some(reference.to_string());
        p
    }

    /// The sum of the lines.
    pub fn total(&self) -> Amount {
        Amount(self.lines.iter().map(|l| l.amount.0).sum())
    }

    /// True when the posting moves nothing (zero duties): such postings are not written.
    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.amount.0 == 0)
    }
}

/// A posting that would take an account below zero.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{account} holds {balance}, {needed} needed")]
pub struct Overdraft {
    /// The account.
    pub account: String,
    /// Its balance before the posting.
    pub balance: Amount,
    /// What the posting takes from it.
    pub needed: Amount,
}

impl Overdraft {
    /// How much is missing.
    pub fn missing(&self) -> Amount {
        Amount(self.needed.0 - self.balance.0)
    }
}

/// Account balances, applying postings under the no-overdraft rule.
#[derive(Debug, Clone, Default)]
pub struct Book {
    balances: HashMap<Account, i64>,
    touched: Vec<Account>,
}

impl Book {
    /// A book starting from known balances (accounts not given start at zero).
    pub fn new(balances: impl IntoIterator<Item = (Account, Amount)>) -> Book {
        Book { balances: balances.into_iter().map(|(a, b)| (a, b.0)).collect(), touched: Vec::new() }
    }

    /// The balance of an account.
    pub fn balance(&self, account: &Account) -> Amount {
        Amount(self.balances.get(account).copied().unwrap_or(0))
    }

    /// Applies a posting whole, or not at all when any account would go below zero.
    pub fn apply(&mut self, posting: &Posting) -> Result<(), Overdraft> {
        let mut effects: Vec<(Account, i64)> = Vec::new();
        for line in &posting.lines {
            for account in [&line.debit, &line.credit] {
                if !effects.iter().any(|(a, _)| a == account) {
                    let effect = posting.lines.iter().map(|l| l.effect_on(account)).sum();
                    effects.push((account.clone(), effect));
                }
            }
        }
        for (account, effect) in &effects {
            let balance = self.balance(account);
            if balance.0 + effect < 0 {
                return Err(Overdraft { account: account.key(), balance, needed: Amount(-effect) });
            }
        }
        for (account, effect) in effects {
            if !self.touched.contains(&account) {
                self.touched.push(account.clone());
            }
            *self.balances.entry(account).or_insert(0) += effect;
        }
        Ok(())
    }

    /// Accounts changed by the postings applied, with their new balances, in first-touch order.
    pub fn changed(&self) -> impl Iterator<Item = (&Account, Amount)> {
        self.touched.iter().map(|a| (a, self.balance(a)))
    }

    /// Every balance.
    pub fn balances(&self) -> impl Iterator<Item = (&Account, Amount)> {
        self.balances.iter().map(|(a, b)| (a, Amount(*b)))
    }
}

/// Whether a trader's available money covers the duties of a declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Funding {
    /// Enough money: the duties are reserved.
    Covered,
    /// Not enough: this much is missing.
    Missing(Amount),
}

/// Checks the duties against the available balance.
pub fn funding(duties: Amount, available: Amount) -> Funding {
    if duties <= available {
        Funding::Covered
    } else {
        Funding::Missing(Amount(duties.0 - available.0))
    }
}

/// A discrepancy found by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Discrepancy {
    /// The account (or `ledger` for the balance-sheet identity, `posting/{id}` for one posting).
    pub account: String,
    /// What is wrong.
    pub problem: String,
}

/// Checks a replayed ledger against the stored balances: every account's stored balance equals
/// the sum of its lines, no account is below zero, and the balance sheet balances.
/// `derived` is the book built by applying every stored posting in order.
pub fn verify<'a>(
    derived: &HashMap<String, i64>,
    stored: impl IntoIterator<Item = (&'a str, i64)>,
) -> Vec<Discrepancy> {
    let mut problems = Vec::new();
    let stored: HashMap<&str, i64> = stored.into_iter().collect();
    let mut keys: Vec<&str> = derived.keys().map(String::as_str).chain(stored.keys().copied()).collect();
    keys.sort_unstable();
    keys.dedup();
    let (mut assets, mut liabilities) = (0i128, 0i128);
    for key in keys {
        let from_lines = derived.get(key).copied().unwrap_or(0);
        let cached = stored.get(key).copied().unwrap_or(0);
        let account = Account::parse(key);
        match &account {
            None => problems.push(Discrepancy { account: key.into(), problem: "unknown account name".into() }),
            Some(a) if a.is_debit_normal() => assets += i128::from(from_lines),
            Some(_) => liabilities += i128::from(from_lines),
        }
        if from_lines != cached {
            problems.push(Discrepancy {
                account: key.into(),
                problem: format!(
                    "stored balance {} differs from the sum of its lines {}",
                    Amount(cached),
                    Amount(from_lines)
                ),
            });
        }
        if from_lines < 0 {
            problems.push(Discrepancy {
                account: key.into(),
                problem: format!("balance {} is below zero", Amount(from_lines)),
            });
        }
    }
    if assets != liabilities {
        problems.push(Discrepancy {
            account: "ledger".into(),
            problem: format!("bank holds {assets} cents but accounts and revenue add up to {liabilities} cents"),
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn t(id: &str) -> TraderId {
        TraderId::new(id).unwrap_or_else(|e| panic!("{e}"))
    }

    fn eur(d: Decimal) -> Amount {
        Amount::from_decimal(d).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_payment_is_positive_and_bounded() {
        assert_eq!(Amount::payment(dec!(100000000000.00)), Ok(Amount::MAX_PAYMENT));
        assert!(matches!(Amount::payment(dec!(100000000000.01)), Err(AmountError::AbovePaymentLimit(_))));
        assert!(matches!(Amount::payment(dec!(90000000000000000.00)), Err(AmountError::AbovePaymentLimit(_))));
        assert!(matches!(Amount::payment(dec!(92233720368547758.07)), Err(AmountError::AbovePaymentLimit(_))));
        assert!(matches!(Amount::payment(dec!(0)), Err(AmountError::NotPositive(_))));
    }

    #[test]
    fn amounts_are_whole_cents() {
        assert_eq!(eur(dec!(12.3)), Amount::from_cents(1230));
        assert_eq!(eur(dec!(12.300)), Amount::from_cents(1230));
        assert_eq!(Amount::from_decimal(dec!(0.001)), Err(AmountError::SubCent(dec!(0.001))));
        assert_eq!(Amount::positive(dec!(0)), Err(AmountError::NotPositive(dec!(0))));
        assert!(Amount::from_decimal(Decimal::MAX).is_err());
        assert_eq!(Amount::from_cents(1205).to_string(), "12.05");
        let json = serde_json::to_string(&Amount::from_cents(1205)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json, "\"12.05\"");
        assert_eq!(
            serde_json::from_str::<Amount>("\"7.5\"").unwrap_or_else(|e| panic!("{e}")),
            Amount::from_cents(750)
        );
        assert!(serde_json::from_str::<Amount>("\"7.555\"").is_err());
    }

    #[test]
    fn account_names_round_trip() {
        for a in [
            Account::Available(t("DE123")),
            Account::Reserved(t("DE/with/slash")),
            Account::Revenue(Tax::Duty),
            Account::Revenue(Tax::Excise),
            Account::Revenue(Tax::Vat),
            Account::Bank,
        ] {
            assert_eq!(Account::parse(&a.key()), Some(a));
        }
        assert_eq!(Account::parse("trader//available"), None);
        assert_eq!(Account::parse("trader/x/other"), None);
    }

    #[test]
    fn a_declaration_life_moves_money_from_deposit_to_revenue() {
        let trader = t("DE1");
        let mut book = Book::default();
        book.apply(&Posting::deposit(&trader, eur(dec!(500)), "PAY-1")).unwrap_or_else(|e| panic!("{e}"));
        let taxes = TaxSplit { duty: eur(dec!(40)), excise: Amount::ZERO, vat: eur(dec!(95.60)) };
        book.apply(&Posting::reservation(&trader, "d1", taxes.total())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(book.balance(&Account::Available(trader.clone())), eur(dec!(364.40)));
        assert_eq!(book.balance(&Account::Reserved(trader.clone())), eur(dec!(135.60)));
        let debit = Posting::debit(&trader, "d1", &taxes);
        assert_eq!(debit.lines.len(), 2, "no line for a zero excise");
        book.apply(&debit).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(book.balance(&Account::Reserved(trader.clone())), Amount::ZERO);
        assert_eq!(book.balance(&Account::Revenue(Tax::Vat)), eur(dec!(95.60)));
        assert_eq!(book.balance(&Account::Bank), eur(dec!(500)));
        book.apply(&Posting::refund(&trader, eur(dec!(364.40)), "REF-1")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(book.balance(&Account::Bank), eur(dec!(135.60)));
        let derived = book.balances().map(|(a, b)| (a.key(), b.cents())).collect();
        let stored: Vec<(String, i64)> = book.balances().map(|(a, b)| (a.key(), b.cents())).collect();
        assert_eq!(verify(&derived, stored.iter().map(|(k, v)| (k.as_str(), *v))), vec![]);
    }

    #[test]
    fn a_reservation_beyond_the_available_balance_is_refused_whole() {
        let trader = t("DE1");
        let mut book = Book::new([(Account::Available(trader.clone()), eur(dec!(10)))]);
        let Err(err) = book.apply(&Posting::reservation(&trader, "d1", eur(dec!(10.01)))) else {
            panic!("a reservation beyond the balance must be refused")
        };
        assert_eq!(err.missing(), Amount::from_cents(1));
        assert_eq!(err.account, "trader/DE1/available");
        assert_eq!(book.balance(&Account::Available(trader.clone())), eur(dec!(10)));
        assert_eq!(book.changed().count(), 0);
    }

    #[test]
    fn funding_says_how_much_is_missing() {
        assert_eq!(funding(eur(dec!(10)), eur(dec!(10))), Funding::Covered);
        assert_eq!(funding(eur(dec!(10)), eur(dec!(3.5))), Funding::Missing(eur(dec!(6.5))));
    }

    #[test]
    fn verify_names_a_tampered_balance_and_an_unbalanced_sheet() {
        let derived: HashMap<String, i64> =
            [("bank".to_string(), 100), ("trader/A/available".to_string(), 100)].into_iter().collect();
        let problems = verify(&derived, [("bank", 100), ("trader/A/available", 90)]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].account, "trader/A/available");
        let lopsided: HashMap<String, i64> = [("bank".to_string(), 100)].into_iter().collect();
        let problems = verify(&lopsided, [("bank", 100)]);
        assert_eq!(problems[0].account, "ledger");
    }

    #[derive(Debug, Clone)]
    enum Op {
        Deposit(u8, i64),
        Reserve(u8, i64),
        Debit(u8),
        Release(u8),
        Refund(u8, i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u8..3, 1i64..10_000).prop_map(|(t, a)| Op::Deposit(t, a)),
            (0u8..3, 1i64..10_000).prop_map(|(t, a)| Op::Reserve(t, a)),
            (0u8..3).prop_map(Op::Debit),
            (0u8..3).prop_map(Op::Release),
            (0u8..3, 1i64..10_000).prop_map(|(t, a)| Op::Refund(t, a)),
        ]
    }

    proptest! {
        /// Whatever happens, no account goes below zero and the balance sheet balances.
        #[test]
        fn the_ledger_always_balances(ops in proptest::collection::vec(op(), 1..200)) {
            let mut book = Book::default();
            let mut reserved: HashMap<u8, Vec<i64>> = HashMap::new();
            for (i, o) in ops.iter().enumerate() {
                let name = |n: u8| t(&format!("T{n}"));
                let decl = format!("d{i}");
                let posting = match o {
                    Op::Deposit(n, a) => Posting::deposit(&name(*n), Amount(*a), &format!("P{i}")),
                    Op::Reserve(n, a) => Posting::reservation(&name(*n), &decl, Amount(*a)),
                    Op::Debit(n) | Op::Release(n) => {
                        let Some(a) = reserved.get_mut(n).and_then(Vec::pop) else { continue };
                        if matches!(o, Op::Debit(_)) {
                            let taxes = TaxSplit { duty: Amount(a / 3), excise: Amount(0), vat: Amount(a - a / 3) };
                            Posting::debit(&name(*n), &decl, &taxes)
                        } else {
                            Posting::reservation_release(&name(*n), &decl, Amount(a))
                        }
                    }
                    Op::Refund(n, a) => Posting::refund(&name(*n), Amount(*a), &format!("R{i}")),
                };
                if book.apply(&posting).is_ok() {
                    if let Op::Reserve(n, a) = o {
                        reserved.entry(*n).or_default().push(*a);
                    }
                }
                prop_assert!(book.balances().all(|(_, b)| b.cents() >= 0));
            }
            let derived: HashMap<String, i64> = book.balances().map(|(a, b)| (a.key(), b.cents())).collect();
            let stored: Vec<(String, i64)> = derived.iter().map(|(k, v)| (k.clone(), *v)).collect();
            prop_assert_eq!(verify(&derived, stored.iter().map(|(k, v)| (k.as_str(), *v))), vec![]);
        }
    }
}
