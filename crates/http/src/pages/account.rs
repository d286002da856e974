//! The trader's single personal account: balances, reservations, declarations awaiting
//! payment, the statement of a period (also as CSV) with deposits and refunds by their
//! references, and a refund request. The same use cases as `GET /api/v1/account`,
//! `GET /api/v1/account/statement` and `POST /api/v1/account/refunds`.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use maud::html;
use rust_decimal::Decimal;
use serde::Deserialize;

use smartcustoms_core::access::Role;
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::tariff::NATIONAL_CURRENCY;
use smartcustoms_storage::{Statement, StoreError};

use super::{column_heads, csrf_field, layout, posted, signed_in, when, PageError, PageResult};
use crate::app::money::{self, MoneyError, RefundRequest};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::{money, number, number_text, t, t_or, t_with};
use crate::state::AppState;

const HERE: &str = "/trader/account";

/// The statement's period as the address gives it (days, `YYYY-MM-DD`).
#[derive(Debug, Default, Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
}

impl Period {
    fn days(&self) -> Result<(Option<chrono::NaiveDate>, Option<chrono::NaiveDate>), String> {
        let day = |name: &str, v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| {
                    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
                        t_with("acct-not-a-date", &[("field", name.into()), ("value", format!("{t:?}").into())])
                    })
                })
                .transpose()
        };
        Ok((day("from", &self.from)?, day("to", &self.to)?))
    }
}

/// The statement of the period asked for, or what is wrong with the period.
async fn statement(state: &AppState, caller: &Caller, period: &Period) -> Result<Result<Statement, String>, PageError> {
    let (from, to) = match period.days() {
        Ok(days) => days,
        Err(problem) => return Ok(Err(problem)),
    };
    match money::statement(state, &caller.0, None, from, to).await {
        Ok(s) => Ok(Ok(s)),
        Err(MoneyError::BadParameter(_, m)) => Ok(Err(m)),
        Err(e) => Err(PageError::at(HERE)(e)),
    }
}

/// `GET /trader/account`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>, Query(period): Query<Period>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    render(&state, &caller, &period, None, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    caller: &Caller,
    period: &Period,
    refund: Option<(String, String)>,
    status: StatusCode,
) -> PageResult {
    crate::app::require(&caller.0, &[Role::Trader], "read a trader's account")
        .map_err(|f| PageError::at(HERE)(ApiError::from(f)))?;
    let account = money::account(state, &caller.0, None).await.map_err(PageError::at(HERE))?;
    let statement = statement(state, caller, period).await?;
    let (amount, refund_error) = refund.unwrap_or_default();
    let key = uuid::Uuid::now_v7().simple().to_string();
    let csv = match &statement {
        Ok(s) => format!("{HERE}/statement.csv?from={}&to={}", s.from_us.date().unwrap_or_default(), last_day(s)),
        Err(_) => String::new(),
    };
    let cents = |a: Amount| number(a.to_decimal());
    let body = html! {
        h1 { (t("acct-title")) }
        dl.facts #balance {
            dt { (t("acct-available")) } dd #available { (national(account.balance.available)) }
            dt { (t("acct-reserved-for")) } dd #reserved { (national(account.balance.reserved)) }
        }
        @if !account.awaiting_payment.is_empty() {
            h2 { (t("state-awaiting_payment")) }
            table #awaiting {
                (column_heads(&[&t("list-col-declaration"), &t("list-col-filed"), &t("acct-duties"), &t("acct-deposit-at-least")]))
                tbody { @for a in &account.awaiting_payment {
                    tr { td { a href={"/declarations/" (a.declaration_id)} { code { (a.declaration_id) } } }
                        td { (when(a.received_at_us)) } td { (national(a.duties)) } td { (national(a.missing)) } }
                } }
            }
        }
        @if !account.reservations.is_empty() {
            h2 { (t("acct-reservations")) }
            table #reservations {
                (column_heads(&[&t("acct-col-reference-of"), &t("acct-col-reserved")]))
                tbody { @for r in &account.reservations { tr { td { code { (r.reference) } } td { (national(r.amount)) } } } }
            }
        }
        h2 { (t("acct-statement")) }
        form.filters #period method="get" action=(HERE) aria-label=(t("acct-period")) {
            label { (t("tr-from")) " " input #from type="date" name="from" value=(period.from.clone().unwrap_or_default()); }
            label { (t("tr-to")) " " input #to type="date" name="to" value=(period.to.clone().unwrap_or_default()); }
            button type="submit" { (t("tr-show")) }
        }
        @match &statement {
            Err(problem) => { p.error #period-error role="alert" { (problem) } }
            Ok(s) => {
                p { (t_with("acct-opening", &[("from", super::minute(s.from_us).into()), ("to", super::minute(s.to_us).into()),
                        ("available", national(s.opening.available).into()), ("reserved", national(s.opening.reserved).into())]))
                    " " strong { (national(s.closing.available)) } ", "
                    (t_with("acct-closing-reserved", &[("reserved", national(s.closing.reserved).into())])) " "
                    a #csv href=(csv) download { (t("acct-csv")) } }
                table #statement {
                    (column_heads(&[&t("acct-col-time"), &t("acct-col-kind"), &t("list-col-declaration"), &t("acct-col-reference"),
                        &t("acct-available"), &t("acct-col-reserved"), &t("acct-col-available-after"), &t("acct-col-reserved-after")]))
                    tbody { @for e in &s.entries {
                        tr {
                            td { (when(e.at_us)) } td { (t_or(&format!("posting-{}", e.kind.as_str()), e.kind.as_str())) }
                            td { @if let Some(d) = &e.declaration_id { a href={"/declarations/" (d)} { code { (d) } } } }
                            td { (e.reference.clone().unwrap_or_default()) }
                            td { (number_text(&e.available_change)) } td { (number_text(&e.reserved_change)) }
                            td { (cents(e.available_after)) } td { (cents(e.reserved_after)) }
                        }
                    } }
                }
            }
        }
        h2 #refund-title { (t("acct-refund-title")) }
        form.stack #refund method="post" action={(HERE) "/refunds"} {
            (csrf_field(caller))
            input type="hidden" name="key" value=(key);
            label for="amount" { (t("acct-refund-amount"))
                @if !refund_error.is_empty() { span.field-error #error-amount { (refund_error) } } }
            input #amount type="text" name="amount" inputmode="decimal" value=(amount) placeholder="0.00";
            p { button type="submit" { (t("acct-refund-button")) } }
        }
    };
    Ok((status, layout(&t("acct-title"), Some(caller), body)).into_response())
}

/// An amount of the account's currency, as the language writes it.
fn national(amount: Amount) -> String {
    money(amount.to_decimal(), NATIONAL_CURRENCY)
}

/// The last day a statement covers (its end is the first moment of the next day).
fn last_day(s: &Statement) -> chrono::NaiveDate {
    (s.to_us - chrono::TimeDelta::days(1)).date().unwrap_or_default()
}

/// `GET /trader/account/statement.csv`: the statement of the period as CSV, one row per posting.
pub async fn csv(State(state): State<AppState>, caller: Option<Caller>, Query(period): Query<Period>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    let s = match statement(&state, &caller, &period).await? {
        Ok(s) => s,
        Err(problem) => return Err(PageError::at(HERE)(ApiError::BadParameter("from/to", problem))),
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| PageError::at(HERE)(ApiError::from(StoreError::Internal(e.to_string())));
    out.write_record([
        "posting_id",
        "time_utc",
        "kind",
        "declaration_id",
        "reference",
        "available_change",
        "reserved_change",
        "available_after",
        "reserved_after",
    ])
    .map_err(internal)?;
    for e in &s.entries {
        out.write_record([
            e.posting_id.to_string(),
            e.at_us.rfc3339(),
            e.kind.as_str().to_string(),
            e.declaration_id.clone().unwrap_or_default(),
            e.reference.clone().unwrap_or_default(),
            e.available_change.clone(),
            e.reserved_change.clone(),
            e.available_after.to_string(),
            e.reserved_after.to_string(),
        ])
        .map_err(internal)?;
    }
    let bytes = out.into_inner().map_err(|e| internal(e.into_error().into()))?;
    let name = format!("statement-{}-{}-{}.csv", s.trader, s.from_us.date().unwrap_or_default(), last_day(&s));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /trader/account/refunds`: a refund from the available balance. The form carries a
/// key made when it was shown, so a second click on the same form pays nothing twice.
pub async fn refund(
    State(state): State<AppState>,
    caller: Option<Caller>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let posted = posted(caller, form, HERE)?;
    let caller = &posted.caller;
    let principal = crate::app::require(&caller.0, &[Role::Trader], "ask for refunds")
        .map_err(|f| PageError::at(HERE)(ApiError::from(f)))?;
    let amount_text = posted.field("amount").to_string();
    let again = |message: String| (amount_text.clone(), message);
    let Ok(amount) = amount_text.trim().parse::<Decimal>() else {
        let feedback = again(t("acct-error-amount"));
        return render(&state, caller, &Period::default(), Some(feedback), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    crate::app::organisation::require(principal, crate::app::organisation::Capacity::Pay, "ask for refunds")
        .map_err(|f| PageError::at(HERE)(ApiError::from(f)))?;
    let trader = money::account_holder(principal, None).map_err(PageError::at(HERE))?;
    let key = Some(posted.field("key").to_string()).filter(|k| !k.is_empty());
    let request = RefundRequest { trader, amount, key, actor: principal.name.clone(), at: chrono::Utc::now() };
    let problem = match money::refund(&state, request).await {
        Ok(_) => return Ok(Redirect::to(HERE).into_response()),
        Err(e @ (MoneyError::BadAmount(_) | MoneyError::InsufficientFunds { .. })) => super::errors::money(&e),
        Err(MoneyError::Store(StoreError::Conflict(_))) => t("acct-error-again"),
        Err(e) => return Err(PageError::at(HERE)(e)),
    };
    let mut chars = problem.chars();
    let problem = chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default();
    render(&state, caller, &Period::default(), Some(again(problem + ".")), StatusCode::UNPROCESSABLE_ENTITY).await
}
