use super::*;
use crate::codes::HsCode;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn eur() -> CurrencyCode {
    CurrencyCode::parse("EUR").unwrap_or_else(|| panic!("EUR"))
}

fn usd() -> CurrencyCode {
    CurrencyCode::parse("USD").unwrap_or_else(|| panic!("USD"))
}

fn item(sequence: u32, code: &str, value: Decimal, currency: CurrencyCode) -> TransitItem {
    TransitItem {
        sequence,
        commodity_code: HsCode::parse(code).unwrap_or_else(|| panic!("{code}")),
        description: "Goods of the test".into(),
        gross_mass: dec!(100),
        value,
        currency,
    }
}

fn rates() -> StakeRates {
    StakeRates {
        default: Rates { duty: dec!(0.10), vat: dec!(0.20) },
        by_prefix: vec![
            PrefixRates { prefix: "2203".into(), rates: Rates { duty: dec!(0.40), vat: dec!(0.19) } },
            PrefixRates { prefix: "22".into(), rates: Rates { duty: dec!(0.25), vat: dec!(0.10) } },
        ],
    }
}

fn exchange() -> ExchangeRates {
    [(eur(), dec!(1)), (usd(), dec!(0.9))].into()
}

fn code(c: &str) -> AccessCode {
    AccessCode::parse(c).unwrap_or_else(|| panic!("{c}"))
}

fn cents(c: i64) -> Amount {
    Amount::from_cents(c)
}

#[test]
fn the_stake_is_duty_and_vat_at_the_highest_applicable_rates() {
    // Beer (2203): duty 40 % (the highest of 10, 25, 40), VAT 20 % (the highest of 20, 10, 19).
    let beer = item(1, "220300", dec!(1000), eur());
    assert_eq!(rates().highest_for("2203000100"), Rates { duty: dec!(0.40), vat: dec!(0.20) });
    let stake = amount_at_stake(&[beer], &rates(), &exchange()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stake.taxes.duty, cents(40_000));
    // VAT on the value plus the duty: (1000 + 400) × 20 %.
    assert_eq!(stake.taxes.vat, cents(28_000));
    assert_eq!(stake.total, cents(68_000));
}

#[test]
fn values_are_converted_and_the_sum_is_rounded_up_to_the_cent() {
    // 10.01 USD × 0.9 = 9.009 EUR; duty 10 % = 0.9009; VAT 20 % of 9.9099 = 1.98198.
    let phones = item(1, "851713", dec!(10.01), usd());
    let stake = amount_at_stake(&[phones], &rates(), &exchange()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stake.taxes.duty, cents(91));
    assert_eq!(stake.taxes.vat, cents(199));
    assert_eq!(stake.items[0].duty, dec!(0.900900));
}

#[test]
fn a_currency_without_rate_or_a_negative_rate_is_refused() {
    let yen = CurrencyCode::parse("JPY").unwrap_or_else(|| panic!("JPY"));
    let err = amount_at_stake(&[item(2, "851713", dec!(5), yen)], &rates(), &exchange());
    assert_eq!(err, Err(StakeError::NoExchangeRate { sequence: 2, currency: yen }));
    let mut negative = rates();
    negative.default.duty = dec!(-0.1);
    let err = amount_at_stake(&[item(1, "851713", dec!(5), eur())], &negative, &exchange());
    assert_eq!(err, Err(StakeError::NegativeRate(dec!(-0.1))));
}

#[test]
fn an_account_guarantee_is_a_ledger_reservation_or_says_what_is_missing() {
    let trader = TraderId::new("DE123456789012345").unwrap_or_else(|e| panic!("{e}"));
    let de = crate::codes::CountryCode::parse("DE").unwrap_or_else(|| panic!("DE"));
    let mrn = Mrn::new(2026, de, 1);
    let posting = reserve_on_account(&trader, &mrn, cents(500), cents(500)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(posting.kind, ledger::PostingKind::Reservation);
    assert_eq!(posting.declaration.as_deref(), Some(mrn.as_str()));
    assert_eq!(posting.total(), cents(500));
    let short = reserve_on_account(&trader, &mrn, cents(500), cents(120));
    assert_eq!(short, Err(NotCovered::AccountShort { available: cents(120), needed: cents(500) }));
    assert_eq!(
        short.err().map(|e| e.to_string()).as_deref(),
        Some("the single personal account holds 1.20 available, 5.00 is at stake: 3.80 missing")
    );
    let release = release_on_account(&trader, &mrn, cents(500));
    assert_eq!(release.kind, ledger::PostingKind::ReservationRelease);
    let mut book = ledger::Book::new([(ledger::Account::Available(trader.clone()), cents(500))]);
    assert!(book.apply(&posting).is_ok() && book.apply(&release).is_ok());
    assert_eq!(book.balance(&ledger::Account::Available(trader)), cents(500));
}

#[test]
fn a_certificate_opens_only_with_its_code_and_is_never_drawn_below_zero() {
    let mut cert = Certificate::issue("GRN26DE0001", &code("A1B2"), cents(10_000));
    assert!(cert.opens_with(&code("A1B2")));
    assert!(!cert.opens_with(&code("A1B3")));
    assert_ne!(cert.digest(), access_digest("GRN26DE0002", &code("A1B2")), "the reference salts the digest");
    assert_eq!(
        draw_on_certificate(&mut cert, "GRN26DE0001", &code("ZZZZ"), cents(1)),
        Err(NotCovered::AccessCodeWrong { reference: "GRN26DE0001".into() })
    );
    assert!(matches!(
        draw_on_certificate(&mut cert, "GRN26DE0009", &code("A1B2"), cents(1)),
        Err(NotCovered::OtherCertificate { .. })
    ));
    assert_eq!(draw_on_certificate(&mut cert, "GRN26DE0001", &code("A1B2"), cents(7_000)), Ok(()));
    assert_eq!(cert.balance(), cents(3_000));
    let short = cert.draw(cents(3_001));
    assert_eq!(
        short.err().map(|e| e.to_string()).as_deref(),
        Some("guarantee certificate GRN26DE0001 has 30.00 left, 30.01 is at stake: 0.01 missing")
    );
    assert_eq!(cert.balance(), cents(3_000), "a refused draw takes nothing");
    assert_eq!(cert.restore(cents(7_000)), Ok(()));
    assert_eq!(cert.balance(), cert.limit());
    assert!(cert.restore(cents(1)).is_err(), "never above the limit");
    assert!(format!("{:?}", code("SECRET1")).contains('…') && !format!("{:?}", code("SECRET1")).contains("SECRET"));
}

#[test]
fn a_stored_certificate_with_a_balance_outside_its_limit_is_refused() {
    let digest = access_digest("G1", &code("ABCD"));
    assert!(Certificate::from_parts("G1", digest, cents(100), cents(101)).is_err());
    assert!(Certificate::from_parts("G1", digest, cents(100), cents(-1)).is_err());
    let cert = Certificate::from_parts("G1", digest, cents(100), cents(40)).unwrap_or_else(|e| panic!("{e}"));
    assert!(cert.opens_with(&code("ABCD")));
    assert_eq!(cert.balance(), cents(40));
}

#[derive(Debug, Clone)]
enum Op {
    Draw(i64),
    Restore(i64),
}

proptest! {
    /// Whatever draws and restores happen, the balance stays between zero and the limit, equals
    /// the limit less what is drawn and not restored, and a refused operation changes nothing.
    #[test]
    fn draws_and_restores_keep_the_balance_between_zero_and_the_limit(
        limit in 0i64..1_000_000,
        ops in proptest::collection::vec(prop_oneof![
            (0i64..300_000).prop_map(Op::Draw),
            (0i64..300_000).prop_map(Op::Restore),
        ], 0..100),
    ) {
        let mut cert = Certificate::issue("G1", &code("ABCD"), cents(limit));
        let mut outstanding = 0i64;
        for op in ops {
            let before = cert.balance();
            match op {
                Op::Draw(a) => match cert.draw(cents(a)) {
                    Ok(()) => { outstanding += a; prop_assert!(a <= before.cents()); }
                    Err(_) => { prop_assert_eq!(cert.balance(), before); prop_assert!(a > before.cents()); }
                },
                Op::Restore(a) => match cert.restore(cents(a)) {
                    Ok(()) => outstanding -= a,
                    Err(_) => { prop_assert_eq!(cert.balance(), before); prop_assert!(before.cents() + a > limit); }
                },
            }
            prop_assert!(cert.balance().cents() >= 0 && cert.balance() <= cert.limit());
            prop_assert_eq!(cert.balance().cents(), limit - outstanding);
        }
        prop_assert_eq!(cert.restore(cents(outstanding)), Ok(()));
        prop_assert_eq!(cert.balance(), cert.limit());
    }

    /// The stake never falls below the exact duty and VAT and never exceeds them by a cent each.
    #[test]
    fn the_stake_covers_the_exact_taxes_within_a_cent(value in 1i64..1_000_000_000, duty in 0u32..100, vat in 0u32..40) {
        let r = StakeRates { default: Rates { duty: Decimal::new(i64::from(duty), 2), vat: Decimal::new(i64::from(vat), 2) }, by_prefix: vec![] };
        let stake = amount_at_stake(&[item(1, "851713", Decimal::new(value, 2), eur())], &r, &exchange())
            .unwrap_or_else(|e| panic!("{e}"));
        let exact_duty = Decimal::new(value, 2) * r.default.duty;
        let exact_vat = (Decimal::new(value, 2) + exact_duty) * r.default.vat;
        prop_assert!(stake.taxes.duty.to_decimal() >= exact_duty && stake.taxes.duty.to_decimal() - exact_duty < dec!(0.01));
        prop_assert!(stake.taxes.vat.to_decimal() >= exact_vat && stake.taxes.vat.to_decimal() - exact_vat < dec!(0.01));
    }
}
