//! Listing declarations: the filters a reader may give and the `WHERE` clause made of only
//! those given.

use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::risk::Lane;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::workflow::State;

/// Listing filters.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Only this declarant's declarations.
    pub declarant: Option<TraderId>,
    /// Only those filed by this customs representative.
    pub representative: Option<TraderId>,
    /// Only those with a goods item whose commodity code starts with these digits (2 to 6).
    pub hs: Option<String>,
    /// Only in these states (any when empty).
    pub states: Vec<State>,
    /// Only ids sorting before this one (for paging).
    pub before: Option<DeclarationId>,
    /// Only at this office of declaration.
    pub office: Option<String>,
    /// Only in this lane.
    pub lane: Option<Lane>,
    /// Only received at or after this time.
    pub received_from: Option<Timestamp>,
    /// Only received before this time.
    pub received_to: Option<Timestamp>,
    /// Only the declaration with this registration number.
    pub registration_number: Option<String>,
    /// Page size.
    pub limit: i64,
}

/// A value bound to a listing's condition.
pub(crate) enum Value {
    Text(String),
    Int(i64),
}

/// The `WHERE` clause of a listing with only the filters given (so that the planner sees each
/// condition and uses the declarant's index), and the values of its placeholders `$1…`.
pub(crate) fn list_conditions(q: &ListQuery) -> (String, Vec<Value>) {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    let mut add = |condition: &str, value: Value| {
        values.push(value);
        conditions.push(condition.replace('?', &format!("${}", values.len())));
    };
    if let Some(d) = &q.declarant {
        add("declarant = ?", Value::Text(d.to_string()));
    }
    if let Some(r) = &q.representative {
        add("representative = ?", Value::Text(r.to_string()));
    }
    if let Some(h) = &q.hs {
        add("hs_codes LIKE ?", Value::Text(format!("% {h}%")));
    }
    if let Some(b) = q.before {
        add("id < ?", Value::Text(b.to_string()));
    }
    if let Some(o) = &q.office {
        add("office = ?", Value::Text(o.clone()));
    }
    if let Some(l) = q.lane {
        add("lane = ?", Value::Text(l.as_str().to_string()));
    }
    if let Some(t) = q.received_from {
        add("received_at_us >= ?", Value::Int(t.as_micros()));
    }
    if let Some(t) = q.received_to {
        add("received_at_us < ?", Value::Int(t.as_micros()));
    }
    if let Some(n) = &q.registration_number {
        add("registration_number = ?", Value::Text(n.clone()));
    }
    if !q.states.is_empty() {
        // Literals from the closed set of state names.
        let states: Vec<String> = q.states.iter().map(|s| format!("'{}'", s.as_str())).collect();
        conditions.push(format!("state IN ({})", states.join(", ")));
    }
    let clause = match conditions.is_empty() {
        true => String::new(),
        false => format!("WHERE {}", conditions.join(" AND ")),
    };
    (clause, values)
}
