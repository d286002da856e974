//! The declaration form: its fields named by the JSON paths of the declaration (`office`,
//! `importer.name`, `items[0].net_mass`), so every finding of format-logical control lands next
//! to the field it concerns; the form's values as typed (kept whatever they hold) and the JSON
//! document made from them.

use std::collections::BTreeMap;
use std::str::FromStr;

use maud::{html, Markup};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use smartcustoms_core::codes::{self, CountryCode, CurrencyCode};
use smartcustoms_core::declaration::DeclarationDoc;
use smartcustoms_core::registration::Reason;

use crate::i18n::{t, t_with};

/// Most goods items a form holds.
pub const MAX_ITEMS: usize = 99;

/// How a field is typed in and turned into JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Free text, a JSON string.
    Text,
    /// A code from a list offered as suggestions (`<datalist>` id), a JSON string.
    Listed(&'static str),
    /// One of a code list's entries (or none, when `true`), a JSON string.
    Choice(&'static [codes::CodeEntry], bool),
    /// A decimal number (a comma is read as the decimal separator), a JSON number.
    Number,
    /// A date `YYYY-MM-DD`.
    Date,
    /// The item's documents, one per line: type code, space, number.
    Documents,
}

/// One field of the form.
#[derive(Debug, Clone, Copy)]
struct Field {
    key: &'static str,
    /// Message id of the label.
    label: &'static str,
    kind: Kind,
}

const fn f(key: &'static str, label: &'static str, kind: Kind) -> Field {
    Field { key, label, kind }
}

const TYPES: &[codes::CodeEntry] =
    &[codes::CodeEntry { code: "IM", name: "import" }, codes::CodeEntry { code: "EX", name: "export" }];

const PARTY: &[Field] = &[
    f("id", "file-party-id", Kind::Text),
    f("name", "file-party-name", Kind::Text),
    f("street", "file-party-street", Kind::Text),
    f("city", "file-party-city", Kind::Text),
    f("postcode", "file-party-postcode", Kind::Text),
    f("country", "file-party-country", Kind::Listed("countries")),
];

/// The groups of the declaration's header: JSON key (empty for top-level fields), legend,
/// fields.
const GROUPS: &[(&str, &str, &[Field])] = &[
    (
        "",
        "file-group-declaration",
        &[
            f("declaration_type", "file-declaration-type", Kind::Choice(TYPES, false)),
            f("procedure_code", "file-procedure-code", Kind::Listed("procedures")),
            f("office", "file-office", Kind::Listed("offices")),
            f("declaration_date", "file-declaration-date", Kind::Date),
            f("location_of_goods", "file-location", Kind::Text),
        ],
    ),
    ("declarant", "file-group-declarant", PARTY),
    ("importer", "file-group-importer", PARTY),
    ("exporter", "file-group-exporter", PARTY),
    (
        "transport",
        "file-group-transport",
        &[
            f("mode", "file-transport-mode", Kind::Choice(codes::TRANSPORT_MODES, true)),
            f("means_id", "file-transport-means", Kind::Text),
            f("nationality", "file-transport-nationality", Kind::Listed("countries")),
        ],
    ),
    (
        "invoice",
        "file-group-invoice",
        &[
            f("currency", "file-invoice-currency", Kind::Listed("currencies")),
            f("total", "file-invoice-total", Kind::Number),
            f("number", "file-invoice-number", Kind::Text),
            f("date", "file-invoice-date", Kind::Date),
        ],
    ),
    (
        "delivery_terms",
        "file-group-delivery",
        &[f("incoterm", "file-incoterm", Kind::Listed("incoterms")), f("place", "file-place", Kind::Text)],
    ),
];

const ITEM: &[Field] = &[
    f("commodity_code", "file-commodity-code", Kind::Text),
    f("description", "file-description", Kind::Text),
    f("origin", "file-origin", Kind::Listed("countries")),
    f("net_mass", "file-net-mass", Kind::Number),
    f("gross_mass", "file-gross-mass", Kind::Number),
    f("quantity", "file-quantity", Kind::Number),
    f("unit", "file-unit", Kind::Listed("units")),
    f("price", "file-price", Kind::Number),
    f("valuation_method", "file-valuation", Kind::Listed("valuation")),
    f("preference", "file-preference", Kind::Listed("preferences")),
    f("documents", "file-documents", Kind::Documents),
];

/// The form's values as typed, by field name, and its number of goods items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    values: BTreeMap<String, String>,
    /// Number of goods items shown (at least one).
    pub items: usize,
}

fn name(group: &str, key: &str) -> String {
    if group.is_empty() {
        key.to_string()
    } else {
        format!("{group}.{key}")
    }
}

fn item_name(i: usize, key: &str) -> String {
    format!("items[{i}].{key}")
}

/// The goods item a field name belongs to, and the field's key within it.
fn item_of(name: &str) -> Option<(usize, &str)> {
    let rest = name.strip_prefix("items[")?;
    let (i, key) = rest.split_once("].")?;
    Some((i.parse().ok()?, key))
}

/// True when `name` is a field of a form with `items` goods items.
fn is_field(name: &str, items: usize) -> bool {
    if let Some((i, key)) = item_of(name) {
        return i < items && ITEM.iter().any(|f| f.key == key);
    }
    GROUPS.iter().any(|(g, _, fields)| fields.iter().any(|f| self::name(g, f.key) == name))
}

impl Values {
    /// The values of a posted form (fields of other names are left out).
    pub fn posted(fields: &[(String, String)]) -> Values {
        let mut v = Values { values: BTreeMap::new(), items: 1 };
        for (n, value) in fields.iter().filter(|(n, _)| is_field(n, MAX_ITEMS)) {
            if let Some((i, _)) = item_of(n) {
                v.items = v.items.max(i + 1);
            }
            v.values.insert(n.clone(), value.clone());
        }
        v
    }

    /// A blank form for `declarant`, dated `today`.
    pub fn blank(declarant: &str, today: chrono::NaiveDate) -> Values {
        let mut v = Values { values: BTreeMap::new(), items: 1 };
        v.set("declaration_type", "IM");
        v.set("declarant.id", declarant);
        v.set("declaration_date", &today.to_string());
        v
    }

    /// The values of a filed declaration, for a new one made from it.
    pub fn of(doc: &DeclarationDoc) -> Values {
        let json = serde_json::to_value(doc).unwrap_or(Value::Null);
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let mut v = Values { values: BTreeMap::new(), items: 1 };
        for (group, _, fields) in GROUPS {
            let holder = if group.is_empty() { Some(&json) } else { json.get(group) };
            for field in *fields {
                if let Some(t) = holder.and_then(|h| h.get(field.key)).and_then(text) {
                    v.set(&name(group, field.key), &t);
                }
            }
        }
        let items = json.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
        v.items = items.len().clamp(1, MAX_ITEMS);
        for (i, item) in items.iter().take(MAX_ITEMS).enumerate() {
            for field in ITEM {
                let value = match field.kind {
                    Kind::Documents => item.get("documents").and_then(Value::as_array).map(|docs| {
                        docs.iter()
                            .map(|d| {
                                let part = |k| d.get(k).and_then(Value::as_str).unwrap_or("");
                                format!("{} {}", part("type"), part("number")).trim().to_string()
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    }),
                    _ => item.get(field.key).and_then(text),
                };
                if let Some(t) = value {
                    v.set(&item_name(i, field.key), &t);
                }
            }
        }
        v
    }

    fn set(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_string(), value.to_string());
    }

    /// The value of a field as typed.
    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    /// Every field as a `(name, value)` pair, for a draft.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.values.iter().filter(|(_, v)| !v.is_empty()).map(|(n, v)| (n.clone(), v.clone())).collect()
    }

    /// A title for the list of drafts.
    pub fn title(&self) -> String {
        let goods = self.get("items[0].description").trim();
        match goods.is_empty() {
            true => format!("{} declaration of {}", self.get("declaration_type"), self.get("declaration_date")),
            false => goods.to_string(),
        }
    }

    /// Adds an empty goods item.
    pub fn add_item(&mut self) {
        self.items = (self.items + 1).min(MAX_ITEMS);
    }

    /// Removes goods item `n` (from 0); the ones after it move up.
    pub fn remove_item(&mut self, n: usize) {
        if n >= self.items || self.items == 1 {
            return;
        }
        let mut kept = BTreeMap::new();
        for (name, value) in std::mem::take(&mut self.values) {
            match item_of(&name) {
                Some((i, _)) if i == n => {}
                Some((i, key)) if i > n => {
                    kept.insert(item_name(i - 1, key), value);
                }
                _ => {
                    kept.insert(name, value);
                }
            }
        }
        self.values = kept;
        self.items -= 1;
    }

    /// The declaration as JSON, and what could not be read into it (a number or a date that is
    /// not one), each with the path of its field. Empty fields are left out, so FLC names them.
    pub fn document(&self) -> (Vec<u8>, Vec<Reason>) {
        let mut problems = Vec::new();
        let mut root = Map::new();
        for (group, _, fields) in GROUPS {
            let mut object = Map::new();
            for field in *fields {
                let n = name(group, field.key);
                if let Some(value) = self.json(field, &n, &mut problems) {
                    object.insert(field.key.to_string(), value);
                }
            }
            match group.is_empty() {
                true => root.extend(object),
                false if !object.is_empty() => {
                    root.insert(group.to_string(), Value::Object(object));
                }
                false => {}
            }
        }
        let items: Vec<Value> = (0..self.items)
            .map(|i| {
                let mut item = Map::new();
                item.insert("sequence".into(), Value::from(i + 1));
                for field in ITEM {
                    if let Some(value) = self.json(field, &item_name(i, field.key), &mut problems) {
                        item.insert(field.key.to_string(), value);
                    }
                }
                Value::Object(item)
            })
            .collect();
        root.insert("items".into(), Value::Array(items));
        (serde_json::to_vec_pretty(&Value::Object(root)).unwrap_or_default(), problems)
    }

    fn json(&self, field: &Field, name: &str, problems: &mut Vec<Reason>) -> Option<Value> {
        let text = self.get(name).trim();
        if text.is_empty() {
            return None;
        }
        let problem = |code: &str, message: &str| Reason {
            code: code.to_string(),
            path: Some(format!("$.{name}")),
            message: message.to_string(),
            args: Default::default(),
        };
        match field.kind {
            Kind::Text | Kind::Listed(_) | Kind::Choice(..) => Some(Value::String(text.to_string())),
            Kind::Number => {
                let plain: String = text.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
                let plain = if plain.contains('.') { plain } else { plain.replace(',', ".") };
                match Decimal::from_str(&plain).ok().and_then(|_| serde_json::Number::from_str(&plain).ok()) {
                    Some(n) => Some(Value::Number(n)),
                    None => {
                        problems.push(problem("FORM_001", &t("file-not-a-number")));
                        None
                    }
                }
            }
            Kind::Date => match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(_) => Some(Value::String(text.to_string())),
                Err(_) => {
                    problems.push(problem("FORM_002", &t("file-not-a-date")));
                    None
                }
            },
            Kind::Documents => Some(Value::Array(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|line| {
                        let (kind, number) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                        serde_json::json!({ "type": kind, "number": number.trim() })
                    })
                    .collect(),
            )),
        }
    }
}

/// Where a finding is shown: the field it names, else the nearest group or item that holds the
/// path, else above the form (`""`).
pub fn home(path: Option<&str>, items: usize) -> String {
    let Some(mut name) = path.map(|p| p.trim_start_matches('$').trim_start_matches('.').to_string()) else {
        return String::new();
    };
    loop {
        let item_group =
            name.strip_prefix("items[").and_then(|r| r.strip_suffix(']')).and_then(|i| i.parse::<usize>().ok());
        let group = name == "items" || GROUPS.iter().any(|(g, _, _)| !g.is_empty() && *g == name);
        if is_field(&name, items) || item_group.is_some_and(|i| i < items) || group {
            return name;
        }
        match name.rfind(['.', '[']) {
            Some(cut) => name.truncate(cut),
            None => return String::new(),
        }
    }
}

/// The element id of a field or group.
pub fn id(name: &str) -> String {
    let mut id = String::from("f-");
    id.extend(name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }));
    id.trim_end_matches('-').to_string()
}

/// The findings shown at one place.
fn errors_at<'a>(errors: &'a [(String, Reason)], at: &'a str) -> impl Iterator<Item = &'a Reason> {
    errors.iter().filter(move |(home, _)| home == at).map(|(_, r)| r)
}

/// Places each finding (see [`home`]).
pub fn placed(errors: &[Reason], items: usize) -> Vec<(String, Reason)> {
    errors.iter().map(|r| (home(r.path.as_deref(), items), r.clone())).collect()
}

fn error_list(errors: &[(String, Reason)], at: &str) -> Markup {
    let id = format!("{}-error", id(at));
    html! {
        @let mine: Vec<&Reason> = errors_at(errors, at).collect();
        @if !mine.is_empty() {
            span.field-error id=(id) {
                @for (n, r) in mine.iter().enumerate() {
                    @if n > 0 { br; }
                    (r.code) ": " (crate::i18n::reason(&r.code, &r.message, &r.args))
                }
            }
        }
    }
}

fn input(values: &Values, field: &Field, name: &str, errors: &[(String, Reason)], readonly: bool) -> Markup {
    let id = id(name);
    let invalid = errors_at(errors, name).next().is_some();
    let described = invalid.then(|| format!("{id}-error"));
    let value = values.get(name);
    html! {
        div.field {
            label for=(id) { (t(field.label)) " " (error_list(errors, name)) }
            @match field.kind {
                Kind::Choice(choices, optional) => {
                    select id=(id) name=(name) aria-invalid=[invalid.then_some("true")] aria-describedby=[described.as_deref()] {
                        @if optional { option value="" { "—" } }
                        @for e in choices {
                            option value=(e.code) selected[e.code == value] { (e.code) " — " (e.name) }
                        }
                    }
                }
                Kind::Documents => {
                    textarea id=(id) name=(name) rows="2" aria-invalid=[invalid.then_some("true")] aria-describedby=[described.as_deref()] { (value) }
                }
                kind => {
                    @let list = match kind { Kind::Listed(l) => Some(l), _ => None };
                    @let mode = match kind { Kind::Number => Some("decimal"), _ => None };
                    input type="text" id=(id) name=(name) value=(value) list=[list] inputmode=[mode]
                        placeholder=[(kind == Kind::Date).then_some("YYYY-MM-DD")] readonly[readonly]
                        aria-invalid=[invalid.then_some("true")] aria-describedby=[described.as_deref()];
                }
            }
        }
    }
}

/// The declarant field: the filer's own party id, or a choice of it and the declarants that
/// authorised the filer as their representative.
fn declarant_field(values: &Values, errors: &[(String, Reason)], declarants: &[String]) -> Markup {
    let name = "declarant.id";
    if declarants.len() < 2 {
        return input(values, &PARTY[0], name, errors, true);
    }
    let chosen = values.get(name);
    html! {
        div.field {
            label for=(id(name)) { (t("file-declarant-choice")) " " (error_list(errors, name)) }
            select id=(id(name)) name=(name) {
                @for (i, d) in declarants.iter().enumerate() {
                    option value=(d) selected[d == chosen] { (d) " " @if i == 0 { (t("file-my-organisation")) } @else { (t("file-as-representative")) } }
                }
                @if !chosen.is_empty() && !declarants.iter().any(|d| d == chosen) {
                    option value=(chosen) selected { (chosen) " " (t("file-no-authorisation")) }
                }
            }
        }
    }
}

/// The form's fields (header groups, goods items with their add and remove buttons, and the
/// code lists), with each finding next to its field. `declarants` are the parties the filer may
/// file for, its own first.
pub fn fields(values: &Values, errors: &[(String, Reason)], offices: &[String], declarants: &[String]) -> Markup {
    html! {
        @for (group, legend, fields) in GROUPS {
            fieldset id=(id(if group.is_empty() { "declaration" } else { group })) {
                legend { (t(legend)) " " (error_list(errors, group)) }
                div.grid {
                    @for field in *fields {
                        @let n = name(group, field.key);
                        @if n == "declarant.id" { (declarant_field(values, errors, declarants)) }
                        @else { (input(values, field, &n, errors, false)) }
                    }
                }
            }
        }
        h2 { (t("file-goods-items")) " " (error_list(errors, "items")) }
        @for i in 0..values.items {
            @let group = format!("items[{i}]");
            fieldset id=(id(&group)) {
                legend { (t_with("file-item", &[("n", (i + 1).into())])) " " (error_list(errors, &group)) }
                div.grid {
                    @for field in ITEM { (input(values, field, &item_name(i, field.key), errors, false)) }
                }
                p.muted {
                    a href="/hs" target="_blank" { (t("file-find-code")) }
                    @if values.items > 1 {
                        " · " button type="submit" name="action" value=(format!("remove_item:{i}")) formnovalidate { (t_with("file-remove-item", &[("n", (i + 1).into())])) }
                    }
                }
            }
        }
        @if values.items < MAX_ITEMS {
            p { button type="submit" name="action" value="add_item" formnovalidate { (t("file-add-item")) } }
        }
        (code_lists(offices))
    }
}

/// The code lists offered as suggestions while typing.
fn code_lists(offices: &[String]) -> Markup {
    let entries = |list: &'static [codes::CodeEntry]| list.iter().map(|e| (e.code, e.name));
    let procedures: Vec<(&str, &str)> =
        entries(codes::IMPORT_PROCEDURES).chain(entries(codes::EXPORT_PROCEDURES)).collect();
    let documents: Vec<(&str, &str)> = codes::DOCUMENT_TYPES.iter().map(|d| (d.code, d.name)).collect();
    let lists: [(&str, Vec<(&str, &str)>); 7] = [
        ("procedures", procedures),
        ("incoterms", entries(codes::INCOTERMS_2020).collect()),
        ("units", entries(codes::UNITS).collect()),
        ("valuation", entries(codes::VALUATION_METHODS).collect()),
        ("preferences", entries(codes::PREFERENCES).collect()),
        ("document-types", documents),
        ("currencies", CurrencyCode::all().iter().map(|c| (*c, "")).collect()),
    ];
    html! {
        @for (id, entries) in &lists {
            datalist id=(id) { @for (code, label) in entries { option value=(code) { (label) } } }
        }
        datalist id="countries" { @for c in CountryCode::all() { option value=(c) {} } }
        datalist id="offices" { @for o in offices { option value=(o) {} } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_form_makes_the_declarations_json_and_names_what_does_not_parse() {
        let v = Values::posted(&pairs(&[
            ("office", "DE005000"),
            ("importer.name", "Muster GmbH"),
            ("items[0].net_mass", "1 234,5"),
            ("items[1].price", "12.x"),
            ("items[1].documents", "N380 INV-1\n\nN954  EUR1-77 "),
            ("invoice.date", "3.12.2026"),
            ("_csrf", "ignored"),
            ("items[500].price", "1"),
        ]));
        assert_eq!(v.items, 2);
        let (json, problems) = v.document();
        let doc = DeclarationDoc::from_json(&json).map_err(|e| e.message).unwrap_or_default();
        assert_eq!(doc.office.as_deref(), Some("DE005000"));
        assert_eq!(doc.importer.and_then(|p| p.name).as_deref(), Some("Muster GmbH"));
        let items = doc.items.unwrap_or_default();
        assert_eq!(items[0].net_mass, Some(Decimal::new(12345, 1)));
        assert_eq!(items[1].sequence, Some(2));
        let docs = items[1].documents.clone().unwrap_or_default();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].number.as_deref(), Some("EUR1-77"));
        let paths: Vec<&str> = problems.iter().filter_map(|p| p.path.as_deref()).collect();
        assert_eq!(paths, vec!["$.invoice.date", "$.items[1].price"]);
    }

    #[test]
    fn a_filed_declaration_comes_back_as_the_same_values() {
        let v = Values::posted(&pairs(&[
            ("declaration_type", "IM"),
            ("importer.country", "DE"),
            ("items[0].commodity_code", "852713"),
            ("items[0].quantity", "35"),
            ("items[1].documents", "N380 INV-1\nN954 EUR1-77"),
        ]));
        let (json, _) = v.document();
        let doc = DeclarationDoc::from_json(&json).map_err(|e| e.message).unwrap_or_default();
        assert_eq!(Values::of(&doc), v);
    }

    #[test]
    fn findings_land_on_their_field_or_the_nearest_group() {
        assert_eq!(home(Some("$.items[1].net_mass"), 2), "items[1].net_mass");
        assert_eq!(home(Some("$.items[1].documents[0].type"), 2), "items[1].documents");
        assert_eq!(home(Some("$.importer"), 1), "importer");
        assert_eq!(home(Some("$.items[3].price"), 2), "items");
        assert_eq!(home(Some("$.importer.nickname"), 1), "importer");
        assert_eq!(home(Some("$"), 1), "");
        assert_eq!(home(None, 1), "");
        assert_eq!(id("items[1].net_mass"), "f-items-1--net_mass");
    }

    #[test]
    fn removing_an_item_moves_the_later_ones_up() {
        let mut v =
            Values::posted(&pairs(&[("items[0].price", "1"), ("items[1].price", "2"), ("items[2].price", "3")]));
        v.remove_item(1);
        assert_eq!((v.items, v.get("items[0].price"), v.get("items[1].price")), (2, "1", "3"));
        v.remove_item(7);
        assert_eq!(v.items, 2);
    }
}
