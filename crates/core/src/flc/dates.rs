//! Date rules: the declaration date against today at the office, and the invoice date against
//! the declaration date.

use chrono::Days;

use super::finding::{Context, Findings};
use super::header::Header;
use super::rules::Rule;

/// How far back a declaration date may lie. A declaration made out longer ago than this is
/// stale: rates, licences and the goods' situation may have changed since.
pub(crate) const MAX_AGE_DAYS: u64 = 90;

/// Checks the dates of the declaration against `ctx.today`.
pub(crate) fn check_dates(header: &Header, ctx: &Context, f: &mut Findings) {
    if let Some(date) = header.declaration_date {
        if date > ctx.today {
            f.push(
                Rule::DeclarationDateFuture,
                "$.declaration_date",
                format!("The declaration date {date} is after today ({}).", ctx.today),
                &[("date", &date), ("today", &ctx.today)],
            );
        }
        // `checked_sub_days` is `None` only near the start of the calendar; nothing is too old then.
        if let Some(oldest) = ctx.today.checked_sub_days(Days::new(MAX_AGE_DAYS)) {
            if date < oldest {
                f.push(
                    Rule::DeclarationDateTooOld,
                    "$.declaration_date",
                    format!("The declaration date {date} is more than {MAX_AGE_DAYS} days before today ({}); make out a new declaration.", ctx.today),
                    &[("date", &date), ("days", &MAX_AGE_DAYS), ("today", &ctx.today)],
                );
            }
        }
    }
    if let Some(invoice_date) = header.invoice_date {
        // `after` names the reference for the catalogues' templates, which choose their words by it.
        let (reference, what, after) = match header.declaration_date {
            Some(d) => (d, "the declaration date", "declaration_date"),
            None => (ctx.today, "today", "today"),
        };
        if invoice_date > reference {
            f.push(
                Rule::InvoiceDateAfterDeclaration,
                "$.invoice.date",
                format!("The invoice date {invoice_date} is after {what} ({reference})."),
                &[("invoice_date", &invoice_date), ("after", &after), ("reference", &reference)],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn codes_for(declaration_date: Option<NaiveDate>, invoice_date: Option<NaiveDate>) -> Vec<String> {
        let ctx = Context { today: day(2026, 11, 20).unwrap_or_default(), offices: Default::default() };
        let header = Header { declaration_date, invoice_date, ..Header::default() };
        let mut f = Findings::default();
        check_dates(&header, &ctx, &mut f);
        f.into_vec().into_iter().map(|x| x.code).collect()
    }

    #[test]
    fn a_declaration_made_out_today_is_fine() {
        assert!(codes_for(day(2026, 11, 20), day(2026, 11, 20)).is_empty());
    }

    #[test]
    fn a_declaration_dated_tomorrow_is_in_the_future() {
        assert_eq!(codes_for(day(2026, 11, 21), None), ["FLC_051"]);
    }

    #[test]
    fn ninety_days_old_is_still_accepted_but_ninety_one_is_not() {
        assert!(codes_for(day(2026, 8, 22), None).is_empty());
        assert_eq!(codes_for(day(2026, 8, 21), None), ["FLC_052"]);
    }

    #[test]
    fn an_invoice_after_the_declaration_date_is_refused() {
        assert_eq!(codes_for(day(2026, 11, 10), day(2026, 11, 11)), ["FLC_053"]);
    }

    #[test]
    fn without_a_declaration_date_the_invoice_is_compared_with_today() {
        assert!(codes_for(None, day(2026, 11, 20)).is_empty());
        assert_eq!(codes_for(None, day(2026, 11, 21)), ["FLC_053"]);
    }
}
