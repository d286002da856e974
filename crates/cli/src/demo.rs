//! The demo: offices, declarants with keys and tokens, officers, sample risk profiles, and a
//! stream of simulated declarations filed through the real API.
//!
//! Demo tokens and keys are derived from fixed names so the README can quote them; they are
//! for the demo database only.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use ed25519_dalek::SigningKey;
use rand::Rng;
use sha2::{Digest, Sha256};

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::knowledge::{SurveyAnswer, SurveyDraft};
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::simulate::{self, SimParty, World, OFFICES, WAREHOUSES};
use smartcustoms_core::tariff;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::{risk, signature};
use smartcustoms_http::identity;
use smartcustoms_storage::{Deposit, DepositOutcome, NewProfile, NewSurveyAnswer, SigningKeyRecord, Store, StoreError};

/// Number of demo declarants.
pub const DEMO_TRADERS: usize = 8;

/// A declarant ready to file: party, API token and signing key.
#[derive(Clone)]
pub struct Declarant {
    /// The party.
    pub party: SimParty,
    /// API token.
    pub token: String,
    /// Signing key.
    pub key: SigningKey,
}

/// The demo signing key of a party (derived from its id; demo only).
pub fn demo_key(party_id: &str) -> SigningKey {
    let seed: [u8; 32] = Sha256::digest(format!("smartcustoms demo key {party_id}").as_bytes()).into();
    SigningKey::from_bytes(&seed)
}

/// Stores a token, ignoring one that exists (seeding is repeatable).
pub async fn ensure_token(store: &dyn Store, token: &str, principal: Principal) -> anyhow::Result<()> {
    match store.add_token(&identity::token_record(token, principal), "demo").await {
        Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The demo's staff and partners: user name (also their API token), name and role.
const STAFF: &[(&str, &str, Role)] = &[
    ("demo-officer", "Officer Weber", Role::Officer),
    ("demo-inspector-2", "Inspector Novak", Role::Officer),
    ("demo-inspector-3", "Inspector Ivanova (on leave)", Role::Officer),
    ("demo-inspector-4", "Inspector Kowalski (excise)", Role::Officer),
    ("demo-inspector-5", "Inspector Jensen (sea)", Role::Officer),
    ("demo-supervisor", "Supervisor Braun", Role::Supervisor),
    ("demo-analyst", "Analyst Schulz", Role::Analyst),
    ("demo-admin", "Administrator", Role::Admin),
    ("demo-bank", "Demo Bank", Role::Bank),
    ("demo-member-1", "Customs of Examplestan", Role::Member),
    ("demo-member-2", "Customs of Sampleland", Role::Member),
];

/// The sign-ins the demo's sign-in page lists: the staff who sign in (the bank is a machine)
/// and the traders.
pub fn sign_ins(declarants: &[Declarant]) -> smartcustoms_http::DemoSignIns {
    let staff = STAFF
        .iter()
        .filter(|(_, _, role)| *role != Role::Bank)
        .map(|(user, name, role)| (user.to_string(), format!("{name} ({})", role.as_str())));
    let traders = declarants.iter().map(|d| (d.token.clone(), format!("{} (trader {})", d.party.name, d.party.id)));
    let first = declarants.first().map(|d| d.party.name.clone()).unwrap_or_default();
    let clerks = CLERKS.iter().map(move |(user, name, _)| (user.to_string(), format!("{name}, {first}")));
    let broker = std::iter::once((BROKER.1.to_string(), format!("{} (customs broker {})", BROKER.2, BROKER.0)));
    let users = staff.chain(traders).chain(clerks).chain(broker).collect();
    smartcustoms_http::DemoSignIns { password: DEMO_PASSWORD.to_string(), users }
}

/// The password of every demo user (demo database only; the README quotes it).
pub const DEMO_PASSWORD: &str = "demo-password";

/// Stores a person who signs in with [`DEMO_PASSWORD`], ignoring one that exists.
pub async fn ensure_user(
    store: &dyn Store,
    name: &str,
    display_name: &str,
    principal: Principal,
) -> anyhow::Result<()> {
    if store.user(name).await?.is_some() {
        return Ok(());
    }
    let hash = identity::hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
    match store.add_user(&identity::user_record(name, display_name, &hash, principal), "demo").await {
        Ok(()) | Err(StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Registers a declarant's token and key.
pub async fn provision(store: &dyn Store, d: &Declarant, created_at_us: Timestamp) -> anyhow::Result<()> {
    let trader = TraderId::new(d.party.id.clone())?;
    let principal = Principal::new(d.party.name.clone(), Role::Trader, Some(trader.clone()));
    ensure_token(store, &d.token, principal.clone()).await?;
    ensure_user(store, &d.token, &d.party.name, principal).await?;
    let vk = d.key.verifying_key();
    let key = SigningKeyRecord {
        trader,
        kid: signature::key_id(&vk),
        public_key: signature::encode_public_key(&vk),
        created_at_us,
    };
    match store.add_key(&key).await {
        Ok(()) | Err(StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Opening balance of every demo declarant's account.
pub const OPENING_DEPOSIT: i64 = 250_000 * 100;

/// Credits a deposit as the demo bank (a repeated reference changes nothing).
pub async fn deposit(store: &dyn Store, trader: &str, cents: i64, reference: &str) -> anyhow::Result<DepositOutcome> {
    let now = chrono::Utc::now();
    let deposit = Deposit {
        trader: TraderId::new(trader)?,
        amount: Amount::from_cents(cents),
        reference: reference.to_string(),
        actor: "Demo Bank".into(),
        at_us: now.into(),
        date: now.date_naive(),
    };
    Ok(store.deposit(&deposit).await?)
}

/// Offices, the demo tariff and the demo risk profiles (tariff and profiles only when none
/// exist yet).
pub async fn seed_reference_data(store: &dyn Store) -> anyhow::Result<()> {
    for (code, name) in OFFICES {
        store.upsert_office(code, name).await?;
    }
    if store.tariff_entries().await?.is_empty() {
        smartcustoms_http::app::tariff::apply(store, &tariff::demo(), "demo")
            .await
            .map_err(|e| anyhow::anyhow!("the demo tariff does not load: {e}"))?;
    }
    if store.current_profiles().await?.is_empty() {
        let now = Timestamp::now();
        for text in risk::demo_profiles() {
            let p = risk::parse_profile(text, 1).map_err(|e| anyhow::anyhow!("demo profile does not parse: {e}"))?;
            store
                .add_profile(&NewProfile {
                    code: p.code,
                    source: text.to_string(),
                    author: "demo".into(),
                    created_at_us: now,
                })
                .await?;
        }
    }
    Ok(())
}

/// Seeds the demo and returns its declarants.
pub async fn seed(store: &dyn Store) -> anyhow::Result<Vec<Declarant>> {
    seed_reference_data(store).await?;
    let now = Timestamp::now();
    let world = World::demo(DEMO_TRADERS);
    let mut declarants = Vec::new();
    for (i, party) in world.declarants.iter().enumerate() {
        let d = Declarant { party: party.clone(), token: format!("demo-trader-{}", i + 1), key: demo_key(&party.id) };
        provision(store, &d, now).await?;
        deposit(store, &party.id, OPENING_DEPOSIT, &format!("DEMO-OPENING-{}", party.id)).await?;
        declarants.push(d);
    }
    for &(token, name, role) in STAFF {
        let principal = Principal::new(name, role, None);
        ensure_token(store, token, principal.clone()).await?;
        if role != Role::Bank {
            ensure_user(store, token, name, principal).await?;
        }
    }
    for (i, w) in WAREHOUSES.iter().enumerate() {
        let principal = Principal::new(format!("Temporary storage {w}"), Role::Warehouse, Some(TraderId::new(*w)?));
        ensure_token(store, &format!("demo-warehouse-{}", i + 1), principal).await?;
    }
    seed_dispatch(store, now).await?;
    seed_organisations(store, &declarants, now).await?;
    seed_survey(store, now).await?;
    Ok(declarants)
}

/// The demo's customs broker: its party, sign-in and token, and name.
pub const BROKER: (&str, &str, &str) = ("DE2000000000001", "demo-broker", "Demo Customs Brokers AG");

/// Users of the first declarant's organisation besides its own account: name, shown name,
/// capacities.
const CLERKS: &[(&str, &str, &str)] = &[
    ("demo-clerk-1", "Clerk Müller (files)", "filer,viewer"),
    ("demo-accountant-1", "Accountant Rossi (pays)", "payer,viewer"),
];

/// The first declarant's organisation gets a filing clerk and an accountant; a customs broker
/// is authorised by the first two declarants for a year (not by the third, so it cannot file
/// for it).
async fn seed_organisations(store: &dyn Store, declarants: &[Declarant], now: Timestamp) -> anyhow::Result<()> {
    let first = TraderId::new(declarants[0].party.id.clone())?;
    for &(name, shown, capacities) in CLERKS {
        let principal = Principal::new(name, Role::Trader, Some(first.clone()));
        ensure_user(store, name, shown, principal).await?;
        if store.member_capacities(name).await?.is_none() {
            store.put_member(name, &first, capacities, &declarants[0].token, now).await?;
        }
    }
    let (party, user, name) = BROKER;
    let broker = TraderId::new(party)?;
    let principal = Principal::new(name, Role::Trader, Some(broker.clone()));
    ensure_token(store, user, principal.clone()).await?;
    ensure_user(store, user, name, principal).await?;
    let vk = demo_key(party).verifying_key();
    let key = SigningKeyRecord {
        trader: broker.clone(),
        kid: signature::key_id(&vk),
        public_key: signature::encode_public_key(&vk),
        created_at_us: now,
    };
    match store.add_key(&key).await {
        Ok(()) | Err(StoreError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let held = store.authorisations(&broker).await?;
    let today = chrono::Utc::now().date_naive();
    for d in &declarants[..2] {
        if held.iter().any(|a| a.declarant == d.party.id) {
            continue;
        }
        store
            .grant(&smartcustoms_storage::AuthorisationRecord {
                id: format!("demo-{}-{}", party, d.party.id),
                representative: party.into(),
                declarant: d.party.id.clone(),
                valid_from: today,
                valid_until: today + chrono::Days::new(365),
                granted_by: d.token.clone(),
                granted_at_us: now,
                revoked_by: None,
                revoked_at_us: None,
            })
            .await?;
    }
    Ok(())
}

/// Three declaration centres with their inspectors (one on leave for two weeks) and the first
/// dispatch rules: excisable goods to the excise centre, sea freight to the port centre, the
/// rest to the main centre. Rules are written once; later versions are the administrator's.
pub(crate) async fn seed_dispatch(store: &dyn Store, now: Timestamp) -> anyhow::Result<()> {
    use smartcustoms_core::dispatch::{Centre, Condition, Inspector, Rule, Rules};
    let centres = [
        ("EDC-MAIN", "Main electronic declaration centre", "DE005000"),
        ("EDC-EXCISE", "Excise goods declaration centre", "DE009100"),
        ("EDC-SEA", "Port declaration centre", "DE004000"),
    ];
    for (code, name, office) in centres {
        store.put_centre(&Centre { code: code.into(), name: name.into(), office: Some(office.into()) }).await?;
    }
    let fortnight = chrono::TimeDelta::days(14);
    let inspectors = [
        ("demo-officer", "EDC-MAIN", &["valuation"][..], false),
        ("demo-inspector-2", "EDC-MAIN", &[][..], false),
        ("demo-inspector-3", "EDC-MAIN", &["valuation"][..], true),
        ("demo-inspector-4", "EDC-EXCISE", &["excise"][..], false),
        ("demo-inspector-5", "EDC-SEA", &[][..], false),
    ];
    for (user, centre, competences, on_leave) in inspectors {
        store
            .put_inspector(&Inspector {
                user: user.into(),
                centre: centre.into(),
                competences: competences.iter().map(|c| c.to_string()).collect(),
                leave_from_us: on_leave.then_some(now),
                leave_until_us: on_leave.then_some(now + fortnight),
            })
            .await?;
    }
    if store.dispatch_rules().await?.is_some() {
        return Ok(());
    }
    let excisable = ["2203", "2204", "2205", "2206", "2207", "2208", "24", "2710"];
    let rules = Rules {
        rules: vec![
            Rule {
                name: "excisable goods".into(),
                when: Condition {
                    hs_prefixes: excisable.iter().map(|p| p.to_string()).collect(),
                    ..Condition::default()
                },
                centre: "EDC-EXCISE".into(),
                requires: ["excise".to_string()].into(),
            },
            Rule {
                name: "sea freight".into(),
                when: Condition { transport_modes: vec!["1".into()], ..Condition::default() },
                centre: "EDC-SEA".into(),
                requires: Default::default(),
            },
        ],
        default_centre: "EDC-MAIN".into(),
    };
    store.add_dispatch_rules(&rules, "demo", now).await?;
    Ok(())
}

/// A few survey answers on a new database, one with confidential questions, so the
/// repository, its statistics and its confidentiality can be seen at once.
async fn seed_survey(store: &dyn Store, now: Timestamp) -> anyhow::Result<()> {
    if !store.survey_answers().await?.is_empty() {
        return Ok(());
    }
    let answers = [
        (
            "Customs of Examplestan",
            "EE",
            "Machine-learned risk scoring of consignments",
            "ai_ml",
            &["big_data"][..],
            &["risk_management"][..],
            "adopted",
            "Gradient-boosted trees score every goods item at filing; officers see the reasons.",
            &["11"][..],
        ),
        (
            "Customs of Examplestan",
            "EE",
            "GPS navigation seals for transit",
            "iot",
            &["geospatial"][..],
            &["efficiency", "intelligence"][..],
            "under_development",
            "Seals report position and opening events to the transit system.",
            &[][..],
        ),
        (
            "Customs of Sampleland",
            "FI",
            "Blockchain exchange of certificates of origin",
            "blockchain",
            &["cloud"][..],
            &["governance", "efficiency"][..],
            "planned",
            "A shared ledger with a partner country for preferential origin proofs.",
            &[][..],
        ),
    ];
    for (organization, country, title, technology, secondary, use_cases, status, outline, confidential) in answers {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let draft = SurveyDraft {
            organization: organization.into(),
            respondent: "Demo respondent".into(),
            email: "survey@customs.example".into(),
            country: country.into(),
            stakeholder_group: "customs_administration".into(),
            title: title.into(),
            primary_technology: technology.into(),
            secondary_technologies: strings(secondary),
            use_cases: strings(use_cases),
            status: status.into(),
            outline: outline.into(),
            benefits: vec!["efficiency".into()],
            confidential: strings(confidential),
            ..SurveyDraft::default()
        };
        let answer = SurveyAnswer::validate(&draft, &[])
            .map_err(|f| anyhow::anyhow!("demo survey answer is not valid: {f:?}"))?;
        store
            .add_survey_answer(&NewSurveyAnswer {
                submitter: organization.into(),
                submitted_at_us: now,
                answer: serde_json::to_string(&answer)?,
                attachments: vec![],
            })
            .await?;
    }
    Ok(())
}

/// Signs and files one declaration over HTTP; returns the answer.
pub async fn file(
    client: &reqwest::Client,
    base: &str,
    d: &Declarant,
    body: Vec<u8>,
    idempotency_key: Option<String>,
) -> anyhow::Result<serde_json::Value> {
    let jws = signature::sign_detached(&d.key, &body);
    let mut req = client
        .post(format!("{base}/api/v1/declarations"))
        .bearer_auth(&d.token)
        .header("content-type", "application/json")
        .header("x-jws-signature", jws)
        .body(body);
    if let Some(k) = idempotency_key {
        req = req.header("idempotency-key", k);
    }
    let answer = req.send().await.context("filing")?;
    answer.json().await.context("reading the answer")
}

/// How long a simulated case waits in an inspector's queue before the demo decides it.
const DEMO_CASE_TIME: Duration = Duration::from_secs(90);

/// A simulated case under control: its id, what a control would find, and since when it waits.
type DemoCase = (String, bool, std::time::Instant);

/// Decides, as the inspector each is dispatched to, the simulated cases that have waited
/// [`DEMO_CASE_TIME`]: releases what is in order, refuses what is undervalued (with the
/// additional duty), so the queues of the demo fill and empty and the model keeps learning.
/// The cases a person decided first are dropped.
async fn work_cases(client: &reqwest::Client, base: &str, cases: &mut Vec<DemoCase>) {
    let due: Vec<DemoCase> = cases.extract_if(.., |(_, _, since)| since.elapsed() >= DEMO_CASE_TIME).collect();
    for (id, irregular, since) in due {
        let dispatch =
            client.get(format!("{base}/api/v1/declarations/{id}/dispatch")).bearer_auth("demo-supervisor").send().await;
        let inspector = match dispatch {
            Ok(r) if r.status().is_success() => r
                .json::<serde_json::Value>()
                .await
                .ok()
                .and_then(|d| d["dispatch"]["inspector"].as_str().map(str::to_string)),
            _ => None,
        };
        let Some(inspector) = inspector else {
            // Not dispatched yet, or no inspector present: try again later.
            cases.push((id, irregular, since));
            continue;
        };
        let decision = if irregular {
            serde_json::json!({ "release": false, "reason": "Prices far below the invoices of the same goods; duties reassessed",
                "outcome": { "irregularities": ["undervaluation"], "additional_duty": "250.00" } })
        } else {
            serde_json::json!({ "release": true, "reason": "Documents checked; the goods match the declaration",
                "outcome": { "irregularities": [] } })
        };
        let answer = client
            .post(format!("{base}/api/v1/declarations/{id}/decision"))
            .bearer_auth(&inspector)
            .json(&decision)
            .send()
            .await;
        match answer {
            Ok(r) if r.status().is_success() => {
                tracing::info!(declaration = %id, %inspector, "simulated control decided")
            }
            Ok(r) => {
                tracing::info!(declaration = %id, status = %r.status(), "simulated control not decided (decided by a person?)")
            }
            Err(e) => tracing::warn!(error = %e, "simulated control decision failed"),
        }
    }
}

/// Keeps simulated declarations flowing into the server at `base`, about `per_second` a second.
/// When a declaration waits for payment, the demo bank pays the trader's next advance a little
/// later, so the demo shows declarations registering on payment; the cases sent to control are
/// decided by their inspectors after a while (see [`work_cases`]).
pub async fn traffic(base: String, declarants: Arc<Vec<Declarant>>, per_second: f64) {
    let client = reqwest::Client::new();
    let world = World::demo(DEMO_TRADERS);
    let mut rng = simulate::rng(Timestamp::now().as_micros() as u64);
    let pause = Duration::from_secs_f64(1.0 / per_second.max(0.1));
    let mut cases: Vec<DemoCase> = Vec::new();
    loop {
        tokio::time::sleep(pause).await;
        work_cases(&client, &base, &mut cases).await;
        let index = rng.gen_range(0..declarants.len());
        let d = &declarants[index];
        let (mut body, irregular) = demo_declaration(&world, &mut rng, d, index);
        // Now and then a broker makes a mistake, so refusals show up too.
        if rng.gen_bool(0.03) {
            body = String::from_utf8_lossy(&body).replacen("\"EUR\"", "\"EUX\"", 1).into_bytes();
        }
        match file(&client, &base, d, body, None).await {
            Ok(a) => {
                tracing::info!(
                    declarant = %d.party.id,
                    state = %a["state"].as_str().unwrap_or("?"),
                    lane = %a["lane"].as_str().unwrap_or("-"),
                    number = %a["registration_number"].as_str().unwrap_or("-"),
                    "simulated declaration filed"
                );
                if let (Some("under_control"), Some(id)) = (a["state"].as_str(), a["id"].as_str()) {
                    cases.push((id.to_string(), irregular, std::time::Instant::now()));
                }
                if a["state"] == "awaiting_payment" {
                    let reference = format!("DEMO-ADVANCE-{}", uuid::Uuid::now_v7().simple());
                    let answer = client
                        .post(format!("{base}/api/v1/payments"))
                        .bearer_auth("demo-bank")
                        .json(
                            &serde_json::json!({ "trader": d.party.id, "amount": "100000.00", "reference": reference }),
                        )
                        .send()
                        .await;
                    if let Err(e) = answer {
                        tracing::warn!(error = %e, "demo advance payment failed");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "simulated filing failed"),
        }
    }
}

/// Demo declarants whose declarations are often undervalued (by position, from 0).
const DEMO_UNDERVALUERS: [usize; 2] = [2, 5];
/// Declarations of the demo history filed before the live stream starts.
pub const DEMO_HISTORY: usize = 600;

/// A demo declaration by `d` with its hidden truth: the demo's undervaluers declare about a
/// third of the price on half of their declarations; everyone else is honest, with rare
/// mistakes in the documents. Returns the body and whether a control would find something.
fn demo_declaration(world: &World, rng: &mut rand::rngs::StdRng, d: &Declarant, index: usize) -> (Vec<u8>, bool) {
    let mut doc = world.declaration(rng, &d.party, chrono::Utc::now().date_naive(), 6);
    let undervalues = DEMO_UNDERVALUERS.contains(&index) && rng.gen_bool(0.5);
    if undervalues {
        for item in doc.items.iter_mut().flatten() {
            item.price =
                item.price.map(|p| (p * rust_decimal::Decimal::new(35, 2)).round_dp(2).max(rust_decimal::Decimal::ONE));
        }
        if let Some(invoice) = doc.invoice.as_mut() {
            invoice.total = Some(doc.items.iter().flatten().filter_map(|i| i.price).sum());
        }
    }
    let irregular = undervalues || rng.gen_bool(0.02);
    (serde_json::to_vec(&doc).unwrap_or_default(), irregular)
}

/// Builds the demo's history when the database has no model yet: files [`DEMO_HISTORY`]
/// declarations through the API, records the outcomes of their controls (as an import of
/// earlier results would), then trains the first model and computes operator categories, so
/// that live declarations are scored from the start.
pub async fn history(base: &str, state: &smartcustoms_http::AppState, declarants: &[Declarant]) -> anyhow::Result<()> {
    if state.store.active_risk_model().await?.is_some() {
        return Ok(());
    }
    let client = reqwest::Client::new();
    let world = World::demo(DEMO_TRADERS);
    let mut rng = simulate::rng(2026);
    let mut outcomes = Vec::new();
    for k in 0..DEMO_HISTORY {
        let index = k % declarants.len();
        let (body, irregular) = demo_declaration(&world, &mut rng, &declarants[index], index);
        let answer = file(&client, base, &declarants[index], body, Some(format!("demo-history-{k}"))).await?;
        if let Some(id) = answer["id"].as_str() {
            outcomes.push((id.to_string(), irregular));
        }
    }
    let at_us = Timestamp::now();
    for (id, irregular) in outcomes {
        let outcome = smartcustoms_core::inspection::InspectionOutcome {
            irregularities: if irregular {
                vec![smartcustoms_core::inspection::Irregularity::Undervaluation]
            } else {
                vec![]
            },
            additional_duty: Amount::from_cents(if irregular { 25_000 } else { 0 }),
        };
        let imported = smartcustoms_storage::ImportedOutcome {
            declaration_id: id,
            outcome,
            source: "import:demo-history".into(),
            at_us,
        };
        state.store.import_outcome(&imported).await?;
    }
    smartcustoms_http::app::risk::recategorise_now(state).await?;
    let report = smartcustoms_http::app::risk::retrain_now(state).await?;
    tracing::info!(
        version = report.version.get(),
        outcomes = report.outcomes,
        "demo risk model trained on the demo history"
    );
    Ok(())
}
