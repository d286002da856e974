//! The guarantee of a transit: the amount at stake, and the two forms that secure it.
//!
//! **Amount at stake.** For each item, the value is converted to the national currency at the
//! rate passed in; the duty is that value times the highest duty rate that applies to the
//! commodity code, and the VAT is the value plus the duty times the highest VAT rate that
//! applies. The rates that apply are the default of the [`StakeRates`] and every entry whose
//! prefix starts the commodity code; taking the highest is what secures the worst case while the
//! goods travel, when the final procedure (and so the real rate) is not known yet. The tariff
//! lives elsewhere: the caller passes the rate set, so the amount is a pure function of its
//! inputs. Duty and VAT are summed over the items and each rounded up to the cent.
//!
//! **Forms.** On the *account*, the amount is reserved on the declarant's single personal
//! account with the ledger's own postings (reservation at acceptance, release at completion or
//! cancellation), so the no-overdraft rule of [`crate::ledger::Book`] holds for transit too. A
//! *certificate* has a reference, an access code and a limit; acceptance draws the amount from
//! its balance, completion or cancellation restores it. A certificate is never drawn below zero
//! nor restored above its limit. Its access code is kept only as a salted SHA-256 digest and
//! compared in constant time.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use crate::codes::CurrencyCode;
use crate::ids::TraderId;
use crate::ledger::{self, Amount, Funding, Posting, TaxSplit};

use super::declaration::TransitItem;
use super::mrn::Mrn;

/// Duty and VAT rates as fractions (`0.12` is 12 %).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Rates {
    /// Duty rate.
    #[schema(value_type = String, example = "0.12")]
    pub duty: Decimal,
    /// VAT rate.
    #[schema(value_type = String, example = "0.20")]
    pub vat: Decimal,
}

/// Rates for the commodity codes that start with `prefix`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PrefixRates {
    /// 2 to 10 digits.
    pub prefix: String,
    /// The rates.
    pub rates: Rates,
}

/// The rate set the amount at stake is computed with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StakeRates {
    /// Rates for every commodity code.
    pub default: Rates,
    /// Higher rates for some commodity codes (excise goods, sensitive goods).
    #[serde(default)]
    pub by_prefix: Vec<PrefixRates>,
}

impl StakeRates {
    /// The highest duty and the highest VAT rate that apply to `commodity_code`.
    pub fn highest_for(&self, commodity_code: &str) -> Rates {
        self.by_prefix
            .iter()
            .filter(|p| commodity_code.starts_with(p.prefix.as_str()))
            .fold(self.default, |r, p| Rates { duty: r.duty.max(p.rates.duty), vat: r.vat.max(p.rates.vat) })
    }
}

/// National currency per unit of each currency the items are valued in (the national currency
/// itself at 1).
pub type ExchangeRates = BTreeMap<CurrencyCode, Decimal>;

/// What one item puts at stake, in the national currency before rounding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ItemStake {
    /// Item number.
    pub sequence: u32,
    /// The rates applied.
    pub rates: Rates,
    /// Duty.
    #[schema(value_type = String)]
    pub duty: Decimal,
    /// VAT.
    #[schema(value_type = String)]
    pub vat: Decimal,
}

/// The amount at stake and how it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Stake {
    /// Duty and VAT, each rounded up to the cent (no excise: it is in the rates of its goods).
    pub taxes: TaxSplit,
    /// The amount to secure: duty plus VAT.
    pub total: Amount,
    /// Item by item.
    pub items: Vec<ItemStake>,
}

/// Why the amount at stake cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StakeError {
    /// No exchange rate for an item's currency.
    #[error("item {sequence}: no exchange rate for {currency}")]
    NoExchangeRate {
        /// Item number.
        sequence: u32,
        /// The currency.
        currency: CurrencyCode,
    },
    /// A rate or an exchange rate is negative.
    #[error("a negative rate or exchange rate: {0}")]
    NegativeRate(Decimal),
    /// Beyond what the ledger stores.
    #[error("the amount at stake is too large")]
    TooLarge,
}

/// The amount at stake for `items` (see the module's documentation for the rule).
pub fn amount_at_stake(
    items: &[TransitItem],
    rates: &StakeRates,
    exchange: &ExchangeRates,
) -> Result<Stake, StakeError> {
    let (mut duty, mut vat) = (Decimal::ZERO, Decimal::ZERO);
    let mut stakes = Vec::with_capacity(items.len());
    for item in items {
        let rate = *exchange
            .get(&item.currency)
            .ok_or(StakeError::NoExchangeRate { sequence: item.sequence, currency: item.currency })?;
        let applied = rates.highest_for(item.commodity_code.as_str());
        for r in [rate, applied.duty, applied.vat] {
            if r.is_sign_negative() {
                return Err(StakeError::NegativeRate(r));
            }
        }
        let national = item.value.checked_mul(rate).ok_or(StakeError::TooLarge)?;
        let item_duty = national.checked_mul(applied.duty).ok_or(StakeError::TooLarge)?;
        let item_vat = national
            .checked_add(item_duty)
            .and_then(|base| base.checked_mul(applied.vat))
            .ok_or(StakeError::TooLarge)?;
        duty = duty.checked_add(item_duty).ok_or(StakeError::TooLarge)?;
        vat = vat.checked_add(item_vat).ok_or(StakeError::TooLarge)?;
        stakes.push(ItemStake { sequence: item.sequence, rates: applied, duty: item_duty, vat: item_vat });
    }
    let cents = |d: Decimal| {
        Amount::from_decimal(d.round_dp_with_strategy(2, RoundingStrategy::AwayFromZero))
            .map_err(|_| StakeError::TooLarge)
    };
    let taxes = TaxSplit { duty: cents(duty)?, excise: Amount::ZERO, vat: cents(vat)? };
    let total = taxes.duty.checked_add(taxes.vat).ok_or(StakeError::TooLarge)?;
    Ok(Stake { taxes, total, items: stakes })
}

/// A certificate's access code as filed: 4 to 16 ASCII letters or digits. Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessCode(String);

impl AccessCode {
    /// An access code, when `code` has the form of one.
    pub fn parse(code: &str) -> Option<AccessCode> {
        ((4..=16).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then(|| AccessCode(code.to_string()))
    }
}

impl std::fmt::Debug for AccessCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessCode(…)")
    }
}

/// The digest a certificate keeps of its access code: SHA-256 of the reference, a zero byte
/// and the code, so equal codes of two certificates do not look alike.
pub fn access_digest(reference: &str, code: &AccessCode) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(reference.as_bytes());
    h.update([0]);
    h.update(code.0.as_bytes());
    h.finalize().into()
}

/// A guarantee certificate: a reference, the digest of its access code, a limit and what is
/// left of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    reference: String,
    digest: [u8; 32],
    limit: Amount,
    balance: Amount,
}

/// A certificate read back whose balance is outside zero to its limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("certificate {reference}: balance {balance} is outside 0 to its limit {limit}")]
pub struct BadBalance {
    /// The certificate.
    pub reference: String,
    /// Its balance.
    pub balance: Amount,
    /// Its limit.
    pub limit: Amount,
}

/// Why the guarantee does not cover a transit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotCovered {
    /// The account's available balance is short.
    #[error("the single personal account holds {available} available, {needed} is at stake: {missing} missing", missing = Amount::from_cents(.needed.cents() - .available.cents()))]
    AccountShort {
        /// Available balance.
        available: Amount,
        /// Amount at stake.
        needed: Amount,
    },
    /// The certificate's balance is short.
    #[error("guarantee certificate {reference} has {balance} left, {needed} is at stake: {missing} missing", missing = Amount::from_cents(.needed.cents() - .balance.cents()))]
    CertificateShort {
        /// The certificate.
        reference: String,
        /// What is left of it.
        balance: Amount,
        /// Amount at stake.
        needed: Amount,
    },
    /// The access code does not open the certificate.
    #[error("the access code does not open guarantee certificate {reference}")]
    AccessCodeWrong {
        /// The certificate.
        reference: String,
    },
    /// The transit names another certificate than the one given.
    #[error("the transit names guarantee certificate {named}, not {given}")]
    OtherCertificate {
        /// Named on the transit.
        named: String,
        /// Given to the check.
        given: String,
    },
}

/// A restore the certificate refuses: it would go above its limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("restoring {amount} to certificate {reference} would take its balance {balance} above its limit {limit}")]
pub struct AboveLimit {
    /// The certificate.
    pub reference: String,
    /// The amount.
    pub amount: Amount,
    /// Balance before.
    pub balance: Amount,
    /// Limit.
    pub limit: Amount,
}

impl Certificate {
    /// A new certificate with its whole limit available.
    pub fn issue(reference: &str, code: &AccessCode, limit: Amount) -> Certificate {
        Certificate { reference: reference.to_string(), digest: access_digest(reference, code), limit, balance: limit }
    }

    /// A certificate as stored.
    pub fn from_parts(reference: &str, digest: [u8; 32], limit: Amount, balance: Amount) -> Result<Self, BadBalance> {
        if balance.cents() < 0 || balance > limit {
            return Err(BadBalance { reference: reference.to_string(), balance, limit });
        }
        Ok(Certificate { reference: reference.to_string(), digest, limit, balance })
    }

    /// The reference.
    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// The access code's digest, as stored.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// The limit.
    pub fn limit(&self) -> Amount {
        self.limit
    }

    /// What is left.
    pub fn balance(&self) -> Amount {
        self.balance
    }

    /// True when `code` opens the certificate; the digests are compared in constant time.
    pub fn opens_with(&self, code: &AccessCode) -> bool {
        access_digest(&self.reference, code).ct_eq(&self.digest).into()
    }

    /// Draws `amount` from the balance, or refuses whole when the balance is short.
    pub fn draw(&mut self, amount: Amount) -> Result<(), NotCovered> {
        match ledger::funding(amount, self.balance) {
            Funding::Covered => {
                self.balance = Amount::from_cents(self.balance.cents() - amount.cents().max(0));
                Ok(())
            }
            Funding::Missing(_) => Err(NotCovered::CertificateShort {
                reference: self.reference.clone(),
                balance: self.balance,
                needed: amount,
            }),
        }
    }

    /// Gives `amount` back to the balance, or refuses whole when it would exceed the limit.
    pub fn restore(&mut self, amount: Amount) -> Result<(), AboveLimit> {
        match self.balance.checked_add(amount) {
            Some(after) if after <= self.limit && amount.cents() >= 0 => {
                self.balance = after;
                Ok(())
            }
            _ => {
                Err(AboveLimit { reference: self.reference.clone(), amount, balance: self.balance, limit: self.limit })
            }
        }
    }
}

/// Secures a transit on the declarant's account: the reservation posting to apply, or how much
/// is missing. `available` is the account's available balance as it stands.
pub fn reserve_on_account(
    trader: &TraderId,
    mrn: &Mrn,
    stake: Amount,
    available: Amount,
) -> Result<Posting, NotCovered> {
    match ledger::funding(stake, available) {
        Funding::Covered => Ok(Posting::reservation(trader, mrn.as_str(), stake)),
        Funding::Missing(_) => Err(NotCovered::AccountShort { available, needed: stake }),
    }
}

/// Gives an account guarantee back at completion or cancellation.
pub fn release_on_account(trader: &TraderId, mrn: &Mrn, stake: Amount) -> Posting {
    Posting::reservation_release(trader, mrn.as_str(), stake)
}

/// Secures a transit on a certificate: the access code must open it and its balance cover the
/// stake; the certificate is drawn down only when both hold.
pub fn draw_on_certificate(
    certificate: &mut Certificate,
    named: &str,
    code: &AccessCode,
    stake: Amount,
) -> Result<(), NotCovered> {
    if certificate.reference != named {
        return Err(NotCovered::OtherCertificate { named: named.to_string(), given: certificate.reference.clone() });
    }
    if !certificate.opens_with(code) {
        return Err(NotCovered::AccessCodeWrong { reference: certificate.reference.clone() });
    }
    certificate.draw(stake)
}

#[cfg(test)]
#[path = "guarantee_tests.rs"]
mod tests;
