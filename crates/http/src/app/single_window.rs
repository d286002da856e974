//! The Single Window (E1): administrators register other government agencies with their
//! competence; agencies set their requirements (which goods need which document) and issue,
//! amend, suspend, reinstate and revoke their documents; traders and officers read the
//! documents; an agency reads the declarations its requirements concern, within its
//! competence only. The check of a declaration's documents at registration, with the
//! reservation of their quantities, happens in the recording transaction (see
//! `smartcustoms_storage`'s `permits_tx`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::declaration::{DeclarationDoc, GoodsItemDoc, PartyDoc};
use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::permits::{self, Change, Milli, Permit, PermitStatus, Requirement};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{AgencyRecord, DrawRecord, NewRequirement, PermitFilter, PermitRecord, StoreError};

use crate::state::AppState;

/// Why a Single Window request is refused.
#[derive(Debug, thiserror::Error)]
pub enum SingleWindowError {
    /// The caller's role may not do this.
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// A field is not valid.
    #[error("{0}: {1}")]
    Invalid(&'static str, String),
    /// No such agency, requirement, document or declaration for this caller.
    #[error("{0}")]
    NotFound(String),
    /// The change is refused in the document's present state.
    #[error("{0}")]
    Refused(String),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for SingleWindowError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => SingleWindowError::Refused(m),
            e => SingleWindowError::Store(e),
        }
    }
}

type Result<T> = std::result::Result<T, SingleWindowError>;

/// The declaration fields an agency's competence may name.
pub const FIELDS: [&str; 14] = [
    "procedure_code",
    "office",
    "declarant",
    "importer",
    "exporter",
    "transport",
    "location_of_goods",
    "commodity_code",
    "description",
    "origin",
    "quantity",
    "net_mass",
    "price",
    "documents",
];

/// An agency as registered (`PUT /api/v1/agencies/{code}`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyDoc {
    /// Its name.
    pub name: String,
    /// The declaration fields it may read (see the README's list).
    pub fields: Vec<String>,
}

/// Registers an agency or changes its name and competence (administrators).
pub async fn save_agency(state: &AppState, caller: &Principal, code: &str, doc: &AgencyDoc) -> Result<AgencyRecord> {
    super::require(caller, &[Role::Admin], "register agencies")?;
    let valid_code =
        (2..=16).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !valid_code {
        return Err(SingleWindowError::Invalid("code", "2 to 16 capital letters or digits".into()));
    }
    let name = text("name", &doc.name, 200)?;
    if let Some(unknown) = doc.fields.iter().find(|f| !FIELDS.contains(&f.as_str())) {
        return Err(SingleWindowError::Invalid("fields", format!("{unknown:?} is not one of {}", FIELDS.join(", "))));
    }
    let mut fields = doc.fields.clone();
    fields.sort_unstable();
    fields.dedup();
    let record = AgencyRecord {
        code: code.to_string(),
        name,
        fields: fields.join(","),
        created_by: caller.name.clone(),
        created_at_us: Timestamp::now(),
    };
    state.store.save_agency(&record).await?;
    Ok(record)
}

/// Every agency (any signed-in caller but devices: traders need to know whom to ask).
pub async fn agencies(state: &AppState, caller: &Principal) -> Result<Vec<AgencyRecord>> {
    forbid_devices(caller, "read the agencies")?;
    Ok(state.store.agencies().await?)
}

fn forbid_devices(caller: &Principal, action: &'static str) -> std::result::Result<(), super::Forbidden> {
    match caller.role {
        Role::Device => Err(super::Forbidden { role: caller.role.as_str(), action }),
        _ => Ok(()),
    }
}

/// The agency a caller acts for: an agency's own staff for its code, administrators for any.
fn acting_for(caller: &Principal, agency: &str, action: &'static str) -> Result<()> {
    match caller.role {
        Role::Admin => Ok(()),
        Role::Agency if caller.trader.as_ref().is_some_and(|a| a.as_str() == agency) => Ok(()),
        Role::Agency => Err(SingleWindowError::NotFound(format!("agency {agency} is not yours"))),
        _ => Err(super::Forbidden { role: caller.role.as_str(), action }.into()),
    }
}

/// The agency of an agency's staff.
pub(super) fn own_agency<'a>(caller: &'a Principal, action: &'static str) -> Result<&'a str> {
    match (caller.role, &caller.trader) {
        (Role::Agency, Some(code)) => Ok(code.as_str()),
        _ => Err(super::Forbidden { role: caller.role.as_str(), action }.into()),
    }
}

/// A requirement as set (`POST /api/v1/agencies/{code}/requirements`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementDoc {
    /// The kind of document required.
    pub document_kind: String,
    /// Commodity codes concerned, by their first 2 to 10 digits.
    pub hs_prefix: String,
    /// Countries of origin concerned (ISO 3166 alpha-2); empty or absent: every origin.
    #[serde(default)]
    pub origins: Vec<String>,
    /// Procedure codes concerned (4 digits); empty or absent: every procedure.
    #[serde(default)]
    pub procedures: Vec<String>,
    /// First day in force.
    #[schema(value_type = String, format = Date)]
    pub valid_from: NaiveDate,
    /// Last day in force, if known.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_to: Option<NaiveDate>,
    /// What registration does when the document is missing or has not enough left: `refuse`
    /// (the default) or `refer` the goods to the agency for a decision.
    #[serde(default)]
    pub on_missing: permits::OnMissing,
}

/// Adds a requirement of `agency` (its staff, or administrators); every process applies it
/// from its next reload of reference data, this one at once.
pub async fn add_requirement(
    state: &AppState,
    caller: &Principal,
    agency: &str,
    doc: &RequirementDoc,
) -> Result<Requirement> {
    acting_for(caller, agency, "set requirements")?;
    let document_kind = kind(&doc.document_kind)?;
    if !permits::valid_hs_prefix(&doc.hs_prefix) {
        return Err(SingleWindowError::Invalid("hs_prefix", "2 to 10 digits".into()));
    }
    if let Some(bad) = doc.origins.iter().find(|o| smartcustoms_core::codes::CountryCode::parse(o).is_none()) {
        return Err(SingleWindowError::Invalid("origins", format!("{bad:?} is not an ISO 3166 country code")));
    }
    if let Some(bad) = doc.procedures.iter().find(|p| p.len() != 4 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(SingleWindowError::Invalid("procedures", format!("{bad:?} is not a 4-digit procedure code")));
    }
    if doc.valid_to.is_some_and(|to| to < doc.valid_from) {
        return Err(SingleWindowError::Invalid("valid_to", "before valid_from".into()));
    }
    let new = NewRequirement {
        requirement: Requirement {
            id: 0,
            agency: agency.to_string(),
            document_kind,
            hs_prefix: doc.hs_prefix.clone(),
            origins: doc.origins.clone(),
            procedures: doc.procedures.clone(),
            valid_from: doc.valid_from,
            valid_to: doc.valid_to,
            on_missing: doc.on_missing,
        },
        actor: caller.name.clone(),
        at_us: Timestamp::now(),
    };
    let stored = state.store.add_requirement(&new).await.map_err(|e| not_found(e, || format!("no agency {agency}")))?;
    state.reload_reference_data().await?;
    Ok(stored)
}

fn not_found(e: StoreError, what: impl FnOnce() -> String) -> SingleWindowError {
    match e {
        StoreError::NotFound => SingleWindowError::NotFound(what()),
        e => e.into(),
    }
}

/// Ends a requirement of `agency` on `valid_to` (its staff, or administrators).
pub async fn end_requirement(
    state: &AppState,
    caller: &Principal,
    agency: &str,
    id: i64,
    valid_to: NaiveDate,
) -> Result<Requirement> {
    acting_for(caller, agency, "end requirements")?;
    let ended = state
        .store
        .end_requirement(agency, id, valid_to, &caller.name, Timestamp::now())
        .await
        .map_err(|e| not_found(e, || format!("agency {agency} has no requirement {id}")))?;
    state.reload_reference_data().await?;
    Ok(ended)
}

/// The requirements of every agency, or of one (anyone signed in but devices).
pub fn requirements(state: &AppState, caller: &Principal, agency: Option<&str>) -> Result<Vec<Requirement>> {
    forbid_devices(caller, "read requirements")?;
    let all = state.reference().requirements.clone();
    Ok(all.iter().filter(|r| agency.is_none_or(|a| r.agency == a)).cloned().collect())
}

/// A document as issued (`POST /api/v1/permits`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermitDoc {
    /// Its number, unique across agencies.
    pub number: String,
    /// The kind of document (as the agency's requirements name it).
    pub kind: String,
    /// The trader it is issued to (its party id).
    pub holder: String,
    /// Commodity codes covered, by their first 2 to 10 digits.
    pub hs_prefixes: Vec<String>,
    /// Its unit: `kg` (drawn by net mass) or the unit of quantity the items declare.
    pub unit: String,
    /// Quantity granted, at most three decimals.
    #[schema(value_type = String)]
    pub quantity: Decimal,
    /// First day valid.
    #[schema(value_type = String, format = Date)]
    pub valid_from: NaiveDate,
    /// Last day valid.
    #[schema(value_type = String, format = Date)]
    pub valid_to: NaiveDate,
}

/// A document as served, with what declarations reserved and drew on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PermitView {
    /// Its number.
    pub number: String,
    /// The issuing agency.
    pub agency: String,
    /// The kind of document.
    pub kind: String,
    /// The trader it was issued to.
    pub holder: String,
    /// Commodity codes covered.
    pub hs_prefixes: Vec<String>,
    /// Its unit.
    pub unit: String,
    /// Quantity granted.
    pub quantity: String,
    /// Reserved by registered declarations not yet released.
    pub reserved: String,
    /// Drawn by released declarations.
    pub drawn: String,
    /// Neither reserved nor drawn.
    pub remaining: String,
    /// First day valid.
    #[schema(value_type = String, format = Date)]
    pub valid_from: NaiveDate,
    /// Last day valid.
    #[schema(value_type = String, format = Date)]
    pub valid_to: NaiveDate,
    /// `active`, `suspended` or `revoked`.
    pub status: PermitStatus,
    /// Changes since issue, plus one.
    pub version: i64,
    /// Who issued it.
    pub issued_by: String,
    /// When it was issued.
    #[schema(value_type = i64)]
    pub issued_at_us: Timestamp,
    /// Its last change.
    #[schema(value_type = i64)]
    pub updated_at_us: Timestamp,
}

impl From<PermitRecord> for PermitView {
    fn from(r: PermitRecord) -> Self {
        let p = r.permit;
        PermitView {
            remaining: p.remaining().to_string(),
            quantity: p.quantity.to_string(),
            reserved: p.reserved.to_string(),
            drawn: p.drawn.to_string(),
            number: p.number,
            agency: p.agency,
            kind: p.kind,
            holder: p.holder,
            hs_prefixes: p.hs_prefixes,
            unit: p.unit,
            valid_from: p.valid_from,
            valid_to: p.valid_to,
            status: p.status,
            version: r.version,
            issued_by: r.issued_by,
            issued_at_us: r.issued_at_us,
            updated_at_us: r.updated_at_us,
        }
    }
}

fn text(name: &'static str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(SingleWindowError::Invalid(name, format!("1 to {max} characters without control characters")));
    }
    Ok(v.to_string())
}

fn kind(value: &str) -> Result<String> {
    let k = value.trim();
    if k.is_empty() || k.len() > 16 || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(SingleWindowError::Invalid("kind", "1 to 16 letters, digits, - or _".into()));
    }
    Ok(k.to_string())
}

fn prefixes(list: &[String]) -> Result<Vec<String>> {
    if list.is_empty() || list.iter().any(|p| !permits::valid_hs_prefix(p)) {
        return Err(SingleWindowError::Invalid("hs_prefixes", "one or more prefixes of 2 to 10 digits".into()));
    }
    Ok(list.to_vec())
}

fn quantity(q: Decimal) -> Result<Milli> {
    match Milli::exact(q) {
        Some(m) if m.0 > 0 => Ok(m),
        _ => Err(SingleWindowError::Invalid("quantity", "a positive number with at most three decimals".into())),
    }
}

/// Issues a document of the caller's agency.
pub async fn issue(state: &AppState, caller: &Principal, doc: &PermitDoc) -> Result<PermitView> {
    let agency = own_agency(caller, "issue documents")?;
    let number = text("number", &doc.number, 64)?;
    let holder = TraderId::new(doc.holder.trim()).map_err(|e| SingleWindowError::Invalid("holder", e.to_string()))?;
    if doc.valid_to < doc.valid_from {
        return Err(SingleWindowError::Invalid("valid_to", "before valid_from".into()));
    }
    let unit = text("unit", &doc.unit, 8)?;
    let permit = Permit {
        number,
        agency: agency.to_string(),
        kind: kind(&doc.kind)?,
        holder: holder.to_string(),
        hs_prefixes: prefixes(&doc.hs_prefixes)?,
        unit,
        quantity: quantity(doc.quantity)?,
        reserved: Milli(0),
        drawn: Milli(0),
        valid_from: doc.valid_from,
        valid_to: doc.valid_to,
        status: PermitStatus::Active,
    };
    let stored = state
        .store
        .issue_permit(&permit, &caller.name, Timestamp::now())
        .await
        .map_err(|e| not_found(e, || format!("agency {agency} is not registered")))?;
    Ok(stored.into())
}

/// A change of a document (`POST /api/v1/permits/{number}/{change}`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeDoc {
    /// Why (kept in the audit log). Required.
    pub reason: String,
    /// For `amend`: the new quantity granted.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub quantity: Option<Decimal>,
    /// For `amend`: the new last day.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_to: Option<NaiveDate>,
    /// For `amend`: the commodity codes covered.
    #[serde(default)]
    pub hs_prefixes: Option<Vec<String>>,
}

/// Amends, suspends, reinstates or revokes a document of the caller's agency. Declarations
/// registered on it keep what they reserved; a suspended or revoked document refuses new ones.
pub async fn change(
    state: &AppState,
    caller: &Principal,
    number: &str,
    what: &str,
    doc: &ChangeDoc,
) -> Result<PermitView> {
    let agency = own_agency(caller, "change documents")?;
    let reason = text("reason", &doc.reason, 500)?;
    let amending = doc.quantity.is_some() || doc.valid_to.is_some() || doc.hs_prefixes.is_some();
    let change = match what {
        "amend" if amending => Change::Amend {
            quantity: doc.quantity.map(quantity).transpose()?,
            valid_to: doc.valid_to,
            hs_prefixes: doc.hs_prefixes.as_deref().map(prefixes).transpose()?,
        },
        "amend" => {
            return Err(SingleWindowError::Invalid(
                "quantity",
                "an amendment changes quantity, valid_to or hs_prefixes".into(),
            ))
        }
        _ if amending => return Err(SingleWindowError::Invalid("quantity", format!("{what} takes only a reason"))),
        "suspend" => Change::Suspend,
        "reinstate" => Change::Reinstate,
        "revoke" => Change::Revoke,
        other => {
            return Err(SingleWindowError::NotFound(format!(
                "no change {other:?}: amend, suspend, reinstate or revoke"
            )))
        }
    };
    let stored = state
        .store
        .change_permit(agency, number, &change, &reason, &caller.name, Timestamp::now())
        .await
        .map_err(|e| not_found(e, || format!("agency {agency} has no document {number}")))?;
    Ok(stored.into())
}

/// May `caller` read document `p`: its agency, its holder, customs staff.
fn may_read(caller: &Principal, p: &Permit) -> bool {
    let own = |code: &str| caller.trader.as_ref().is_some_and(|t| t.as_str() == code);
    match caller.role {
        Role::Agency => own(&p.agency),
        Role::Trader => own(&p.holder),
        Role::Officer | Role::Supervisor | Role::Analyst | Role::Admin => true,
        Role::Warehouse | Role::Bank | Role::Member | Role::Device => false,
    }
}

/// One document with what each declaration took from it.
pub async fn permit(state: &AppState, caller: &Principal, number: &str) -> Result<(PermitView, Vec<DrawRecord>)> {
    let missing = || SingleWindowError::NotFound(format!("no document {number}"));
    let record = state.store.permit(number).await?.ok_or_else(missing)?;
    if !may_read(caller, &record.permit) {
        return Err(missing());
    }
    let draws = state.store.permit_draws(number, 1000).await?;
    Ok((record.into(), draws))
}

/// Documents: an agency's own, a trader's own, or (customs staff) any agency's or holder's.
pub async fn list(
    state: &AppState,
    caller: &Principal,
    agency: Option<String>,
    holder: Option<String>,
) -> Result<Vec<PermitView>> {
    let own = caller.trader.as_ref().map(|t| t.to_string());
    let filter = match caller.role {
        Role::Agency => PermitFilter { agency: own, holder },
        Role::Trader => PermitFilter { agency, holder: own },
        Role::Officer | Role::Supervisor | Role::Analyst | Role::Admin => PermitFilter { agency, holder },
        _ => return Err(super::Forbidden { role: caller.role.as_str(), action: "read documents" }.into()),
    };
    Ok(state.store.permits(&filter, 500).await?.into_iter().map(PermitView::from).collect())
}

/// A declaration as an agency sees it: its identity and state, the fields of its competence,
/// the items its requirements concern, and what they took from its documents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyView {
    /// The declaration.
    pub id: String,
    /// Its state.
    pub state: String,
    /// Its registration number, once registered.
    pub registration_number: Option<String>,
    /// When it was filed.
    #[schema(value_type = i64)]
    pub received_at_us: Timestamp,
    /// The declaration-level fields of the agency's competence.
    #[schema(value_type = Object)]
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// The items the agency's requirements concern, with the item fields of its competence.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Map<String, serde_json::Value>>,
    /// What its items took from the agency's documents.
    pub draws: Vec<DrawRecord>,
}

/// The declarations the agency's requirements concern, newest first, as it may see them.
pub async fn agency_declarations(state: &AppState, caller: &Principal, limit: i64) -> Result<Vec<AgencyView>> {
    let agency = own_agency(caller, "read declarations of the Single Window")?;
    let mut out = Vec::new();
    for id in state.store.agency_declarations(agency, limit.clamp(1, 500)).await? {
        let id = id.parse::<DeclarationId>().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        out.push(view(state, agency, id).await?);
    }
    Ok(out)
}

/// One declaration as the agency may see it; `NotFound` when its requirements do not concern it.
pub async fn agency_declaration(state: &AppState, caller: &Principal, id: DeclarationId) -> Result<AgencyView> {
    let agency = own_agency(caller, "read declarations of the Single Window")?;
    if !state.store.concerns_agency(agency, &id.to_string()).await? {
        return Err(SingleWindowError::NotFound(format!("declaration {id} does not concern agency {agency}")));
    }
    view(state, agency, id).await
}

async fn view(state: &AppState, agency: &str, id: DeclarationId) -> Result<AgencyView> {
    let missing = || SingleWindowError::NotFound(format!("no declaration {id}"));
    let record = state.store.declaration(id).await?.ok_or_else(missing)?;
    let competence = state.store.agencies().await?.into_iter().find(|a| a.code == agency).ok_or_else(missing)?;
    let fields: Vec<&str> = competence.field_list();
    let scope: Vec<String> =
        state.reference().requirements.iter().filter(|r| r.agency == agency).map(|r| r.hs_prefix.clone()).collect();
    let doc = DeclarationDoc::from_json(&record.document).map_err(|e| StoreError::Corrupt(e.message))?;
    let mut draws = Vec::new();
    for d in state.store.declaration_draws(&id.to_string()).await? {
        if state.store.permit(&d.permit).await?.is_some_and(|p| p.permit.agency == agency) {
            draws.push(d);
        }
    }
    let s = record.summary;
    Ok(AgencyView {
        id: s.id.to_string(),
        state: s.state.as_str().to_string(),
        registration_number: s.registration_number.map(|n| n.to_string()),
        received_at_us: s.received_at_us,
        fields: declaration_fields(&doc, &fields),
        items: doc
            .items
            .iter()
            .flatten()
            .filter(|i| i.commodity_code.as_deref().is_some_and(|c| scope.iter().any(|p| c.starts_with(p.as_str()))))
            .map(|i| item_fields(i, &fields))
            .collect(),
        draws,
    })
}

fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn declaration_fields(doc: &DeclarationDoc, fields: &[&str]) -> serde_json::Map<String, serde_json::Value> {
    let party = |p: &Option<PartyDoc>| json(p);
    let mut out = serde_json::Map::new();
    for f in fields {
        let value = match *f {
            "procedure_code" => json(&doc.procedure_code),
            "office" => json(&doc.office),
            "declarant" => party(&doc.declarant),
            "importer" => party(&doc.importer),
            "exporter" => party(&doc.exporter),
            "transport" => json(&doc.transport),
            "location_of_goods" => json(&doc.location_of_goods),
            _ => continue,
        };
        out.insert(f.to_string(), value);
    }
    out
}

fn item_fields(item: &GoodsItemDoc, fields: &[&str]) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    out.insert("sequence".into(), json(&item.sequence));
    for f in fields {
        let value = match *f {
            "commodity_code" => json(&item.commodity_code),
            "description" => json(&item.description),
            "origin" => json(&item.origin),
            "quantity" => json(&serde_json::json!({ "quantity": item.quantity, "unit": item.unit })),
            "net_mass" => json(&item.net_mass),
            "price" => json(&item.price),
            "documents" => json(&item.documents),
            _ => continue,
        };
        out.insert(f.to_string(), value);
    }
    out
}
