//! `/agency/declarations`: the declarations an agency's requirements concern, newest first, as
//! the agency may see them (`app::single_window::agency_declarations`, as
//! `GET /api/v1/single-window/declarations`): each one's state and registration number, the
//! declaration's fields of the agency's competence, the items its requirements concern and
//! what those items took from the agency's documents.

use axum::extract::State;
use axum::response::IntoResponse;
use maud::{html, Markup};
use serde_json::{Map, Value};

use smartcustoms_core::permits::Milli;

use super::form::agency_of;
use crate::app::single_window::{self as sw, AgencyView, FIELDS};
use crate::auth::Caller;
use crate::i18n::{t, t_or, t_with};
use crate::pages::{column_heads, layout, signed_in, when, PageError, PageResult};
use crate::state::AppState;

const HERE: &str = "/agency/declarations";

/// Declarations on the page.
const SHOWN: i64 = 100;

/// `GET /agency/declarations`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    let agency = agency_of(&caller, HERE)?;
    let declarations = sw::agency_declarations(&state, &caller.0, SHOWN).await.map_err(PageError::at(HERE))?;
    let title = t("sw-declarations-title");
    let body = html! {
        h1 { (title) " " code { (agency) } }
        p { (t("sw-declarations-intro")) }
        p #declaration-count { (t_with("sw-declaration-count", &[("count", declarations.len().into())])) }
        @for (i, d) in declarations.iter().enumerate() { (declaration(i, d)) }
    };
    Ok(layout(&title, Some(&caller), body).into_response())
}

/// A field's name in the request's language (its code when it has none).
fn field_name(code: &str) -> String {
    t_or(&format!("sw-field-{code}"), code)
}

/// A value of the declaration as text: a list one value after another, a pair such as a
/// quantity and its unit or a document's kind and number side by side, anything larger with
/// its keys.
fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => crate::i18n::number_text(&n.to_string()),
        Value::Bool(b) => b.to_string(),
        Value::Array(list) => list.iter().map(text).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("; "),
        Value::Object(map) if map.len() <= 2 && map.values().all(|v| !v.is_object() && !v.is_array()) => {
            map.values().map(text).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
        }
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{k}: {}", text(v)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The value shown in a cell: a dash when there is none.
fn cell(value: Option<&Value>) -> String {
    match value.map(text) {
        Some(s) if !s.is_empty() => s,
        _ => "–".into(),
    }
}

/// The columns of the items: the sequence, then the item fields of the competence, in the order
/// of the declaration's fields.
fn columns(items: &[Map<String, Value>]) -> Vec<&'static str> {
    let mut out = vec!["sequence"];
    out.extend(FIELDS.iter().copied().filter(|f| items.iter().any(|i| i.contains_key(*f))));
    out
}

fn declaration(i: usize, d: &AgencyView) -> Markup {
    let heading = format!("declaration-{i}-title");
    let columns = columns(&d.items);
    let heads: Vec<String> = columns.iter().map(|c| field_name(c)).collect();
    let heads: Vec<&str> = heads.iter().map(String::as_str).collect();
    html! {
        section.declaration id={"declaration-" (i)} data-declaration=(d.id) aria-labelledby=(heading) {
            h2 id=(heading) {
                (t("sw-declaration")) " "
                @match &d.registration_number {
                    Some(n) => span.registration { (n) },
                    None => code { (d.id) },
                }
            }
            dl.facts {
                dt { (t("sw-col-state")) } dd.state data-state=(d.state) { (t_or(&format!("state-{}", d.state), &d.state)) }
                dt { (t("sw-registration-number")) } dd.registration-number { (d.registration_number.clone().unwrap_or_else(|| "–".into())) }
                dt { (t("sw-declaration-id")) } dd { code { (d.id) } }
                dt { (t("sw-received")) } dd { (when(d.received_at_us)) }
                @for (name, value) in &d.fields {
                    dt { (field_name(name)) } dd data-field=(name) { (cell(Some(value))) }
                }
            }
            h3 { (t("sw-items")) }
            @if d.items.is_empty() { p.muted { (t("sw-no-items")) } }
            @else {
                table.items {
                    (column_heads(&heads))
                    tbody {
                        @for item in &d.items {
                            tr { @for c in &columns { td data-field=(c) { (cell(item.get(*c))) } } }
                        }
                    }
                }
            }
            h3 { (t("sw-draws")) }
            @if d.draws.is_empty() { p.muted { (t("sw-no-draws")) } }
            @else {
                table.draws {
                    (column_heads(&[&t("sw-col-number"), &t("sw-col-item"), &t("sw-col-quantity"), &t("sw-col-draw-state"), &t("sw-col-changed")]))
                    tbody {
                        @for draw in &d.draws {
                            tr data-number=(draw.permit) {
                                td { (draw.permit) }
                                td { (draw.item) }
                                td.quantity { (crate::i18n::number(Milli(draw.quantity_milli).to_decimal())) }
                                td.draw-state { (t_or(&format!("sw-draw-{}", draw.state), &draw.state)) }
                                td { (when(draw.at_us)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_as_short_text() {
        assert_eq!(text(&json!({ "quantity": "12.5", "unit": "KGM" })), "12.5 KGM");
        assert_eq!(
            text(&json!([{ "kind": "N853", "number": "VET-1" }, { "kind": "N380", "number": "I-9" }])),
            "N853 VET-1; N380 I-9"
        );
        let party = text(&json!({ "id": "IMP1", "name": "Importer", "country": "EE" }));
        assert!(
            party.contains("id: IMP1") && party.contains("name: Importer") && party.contains("country: EE"),
            "{party}"
        );
        assert_eq!(cell(Some(&Value::Null)), "–");
        assert_eq!(cell(None), "–");
        assert_eq!(text(&json!("0207")), "0207");
    }
}
