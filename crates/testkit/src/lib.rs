//! Test helpers: fresh SQLite and PostgreSQL databases, a running app on a random port with
//! declarants, officers and keys, and signed filing helpers. Dev-dependency only.
#![allow(missing_docs)]

use std::sync::Arc;

use ed25519_dalek::SigningKey;
use sqlx::Connection;
use tokio::net::TcpListener;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::declaration::DeclarationDoc;
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::simulate::{self, World, OFFICES, WAREHOUSES};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::{risk, signature};
use smartcustoms_http::identity::{token_record, user_record};
use smartcustoms_http::{AppState, HttpConfig};
use smartcustoms_storage::{GroupCommit, GroupCommitConfig, NewProfile, SigningKeyRecord, Store};

/// Test set-up that cannot go on: fails the test, saying which step failed and why.
fn setup<T, E: std::fmt::Display>(step: &str, result: Result<T, E>) -> T {
    match result {
        Ok(v) => v,
        Err(e) => panic!("test set-up failed at {step}: {e:#}"),
    }
}

/// A database for one test; the SQLite file lives as long as this value.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh SQLite database file.
pub fn sqlite_db() -> TestDb {
    let dir = setup("creating a temporary directory", tempfile::tempdir());
    let url = format!("sqlite:{}", dir.path().join("test.db").display());
    TestDb { url, _dir: Some(dir) }
}

/// A fresh PostgreSQL database on the server `DATABASE_URL_PG` names, or `None` (and a line
/// saying the test is skipped) when the variable is not set.
pub async fn postgres_db(test: &str) -> Option<TestDb> {
    let Ok(admin_url) = std::env::var("DATABASE_URL_PG") else {
        eprintln!("skipped {test} on PostgreSQL: DATABASE_URL_PG is not set");
        return None;
    };
    let name = format!("sc_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = setup("connecting to DATABASE_URL_PG", sqlx::PgConnection::connect(&admin_url).await);
    setup("creating a test database", sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await);
    // Same server and user, another database: replace the path of the URL.
    let authority_end = admin_url.find("://").map_or(0, |i| i + 3);
    let base = match admin_url[authority_end..].find('/') {
        Some(slash) => &admin_url[..authority_end + slash],
        None => admin_url.as_str(),
    };
    Some(TestDb { url: format!("{base}/{name}"), _dir: None })
}

/// Every database the storage tests should run on: SQLite always, PostgreSQL when configured.
pub async fn all_dbs(test: &str) -> Vec<(&'static str, TestDb)> {
    let mut dbs = vec![("sqlite", sqlite_db())];
    if let Some(pg) = postgres_db(test).await {
        dbs.push(("postgres", pg));
    }
    dbs
}

/// A declarant known to the app.
#[derive(Clone)]
pub struct TestTrader {
    pub id: String,
    pub token: String,
    pub key: SigningKey,
    pub party: simulate::SimParty,
}

/// A running app.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub traders: Vec<TestTrader>,
    pub officer_token: String,
    pub analyst_token: String,
    pub warehouse_token: String,
    pub world: World,
    /// The server's state, for tests that look inside (model in force, categories).
    pub state: AppState,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// What each test declarant has in its account after seeding.
pub const OPENING_BALANCE_CENTS: i64 = 10_000_000 * 100;

/// The password of every test user (each user is named like its token: `test-officer`, …).
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// The argon2 hash of [`TEST_PASSWORD`], made once per test process.
fn test_password_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| setup("hashing the test password", smartcustoms_http::identity::hash_password(TEST_PASSWORD)))
}

/// Seeds offices, the demo tariff, two declarants with keys and an opening balance, an
/// two officers, a supervisor, an analyst, a warehouse, a bank, an administrator, and the demo risk profiles.
pub async fn seed(store: &dyn Store) -> (Vec<TestTrader>, World) {
    setup("seeding the database", try_seed(store).await)
}

async fn try_seed(store: &dyn Store) -> anyhow::Result<(Vec<TestTrader>, World)> {
    for (code, name) in OFFICES {
        store.upsert_office(code, name).await?;
    }
    for text in risk::demo_profiles() {
        let p = risk::parse_profile(text, 1)?;
        store
            .add_profile(&NewProfile {
                code: p.code,
                source: text.to_string(),
                author: "test".into(),
                created_at_us: Timestamp::EPOCH,
            })
            .await?;
    }
    smartcustoms_http::app::tariff::apply(store, &smartcustoms_core::tariff::demo(), "test")
        .await
        .map_err(|e| anyhow::anyhow!("loading the demo tariff: {e}"))?;
    let world = World::demo(2);
    let mut traders = Vec::new();
    for (i, party) in world.declarants.iter().enumerate() {
        let key = SigningKey::from_bytes(&[i as u8 + 1; 32]);
        let token = format!("test-trader-{}", i + 1);
        let trader = TraderId::new(party.id.clone())?;
        let principal = Principal::new(party.name.clone(), Role::Trader, Some(trader.clone()));
        store.add_token(&token_record(&token, principal.clone()), "test").await?;
        store.add_user(&user_record(&token, &party.name, test_password_hash(), principal), "test").await?;
        let vk = key.verifying_key();
        store
            .add_key(&SigningKeyRecord {
                trader: trader.clone(),
                kid: signature::key_id(&vk),
                public_key: signature::encode_public_key(&vk),
                created_at_us: Timestamp::EPOCH,
            })
            .await?;
        let now = chrono::Utc::now();
        store
            .deposit(&smartcustoms_storage::Deposit {
                trader,
                amount: smartcustoms_core::ledger::Amount::from_cents(OPENING_BALANCE_CENTS),
                reference: format!("TEST-OPENING-{}", party.id),
                actor: "test-bank".into(),
                at_us: now.into(),
                date: now.date_naive(),
            })
            .await?;
        traders.push(TestTrader { id: party.id.clone(), token, key, party: party.clone() });
    }
    for (token, role, party) in [
        ("test-officer", Role::Officer, None),
        ("test-officer-2", Role::Officer, None),
        ("test-supervisor", Role::Supervisor, None),
        ("test-analyst", Role::Analyst, None),
        ("test-warehouse", Role::Warehouse, Some(WAREHOUSES[0].to_string())),
        ("test-bank", Role::Bank, None),
        ("test-admin", Role::Admin, None),
        ("test-member-1", Role::Member, None),
        ("test-member-2", Role::Member, None),
        ("test-device", Role::Device, None),
        ("test-agency-vet", Role::Agency, Some("VET".to_string())),
        ("test-agency-phyto", Role::Agency, Some("PHYTO".to_string())),
    ] {
        let principal = Principal::new(token, role, party.map(TraderId::new).transpose()?);
        store.add_token(&token_record(token, principal.clone()), "test").await?;
        store.add_user(&user_record(token, token, test_password_hash(), principal), "test").await?;
    }
    Ok((traders, world))
}

/// Starts the app on 127.0.0.1:0 against the database at `url`.
pub async fn spawn_app(url: &str) -> TestApp {
    spawn_app_with(url, HttpConfig::default()).await
}

/// Starts the app with a given HTTP configuration.
pub async fn spawn_app_with(url: &str, config: HttpConfig) -> TestApp {
    let store = setup("opening the store", smartcustoms_storage::open(url).await);
    let (traders, world) = seed(store.as_ref()).await;
    let commit = GroupCommit::start(store.clone(), GroupCommitConfig::default());
    let state = setup("building the app state", AppState::new(store.clone(), commit, config).await);
    let listener = setup("binding a port", TcpListener::bind("127.0.0.1:0").await);
    let base = format!("http://{}", setup("reading the bound address", listener.local_addr()));
    let server = tokio::spawn(smartcustoms_http::serve(listener, state.clone(), std::future::pending()));
    TestApp {
        base,
        client: reqwest::Client::new(),
        store,
        traders,
        officer_token: "test-officer".into(),
        analyst_token: "test-analyst".into(),
        warehouse_token: "test-warehouse".into(),
        world,
        state,
        server,
    }
}

/// Starts another server on an existing, seeded database, as a second process of the same
/// deployment would run (its own caches, the same store); returns its base URL. It stops with
/// the test's runtime.
pub async fn another_server(url: &str) -> String {
    let store = setup("opening the store", smartcustoms_storage::open(url).await);
    let commit = GroupCommit::start(store.clone(), GroupCommitConfig::default());
    let state = setup("building the app state", AppState::new(store, commit, HttpConfig::default()).await);
    let listener = setup("binding a port", TcpListener::bind("127.0.0.1:0").await);
    let base = format!("http://{}", setup("reading the bound address", listener.local_addr()));
    tokio::spawn(smartcustoms_http::serve(listener, state, std::future::pending()));
    base
}

impl TestApp {
    /// A valid declaration by trader `i`, dated today.
    pub fn declaration(&self, i: usize, seed: u64) -> DeclarationDoc {
        let today = chrono::Utc::now().date_naive();
        self.world.declaration(&mut simulate::rng(seed), &self.traders[i].party, today, 5)
    }

    /// Files raw bytes with a signature made by `key` (None: unsigned) as trader `i`.
    pub async fn file_raw(
        &self,
        i: usize,
        body: Vec<u8>,
        key: Option<&SigningKey>,
        idempotency_key: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}/api/v1/declarations", self.base))
            .bearer_auth(&self.traders[i].token)
            .header("content-type", "application/json");
        if let Some(k) = key {
            req = req.header("x-jws-signature", signature::sign_detached(k, &body));
        }
        if let Some(k) = idempotency_key {
            req = req.header("idempotency-key", k);
        }
        setup("sending the request", req.body(body).send().await)
    }

    /// Files a declaration signed with trader `i`'s key; returns status and JSON.
    pub async fn file(&self, i: usize, doc: &DeclarationDoc) -> (u16, serde_json::Value) {
        let body = setup("serialising the declaration", serde_json::to_vec(doc));
        let r = self.file_raw(i, body, Some(&self.traders[i].key.clone()), None).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// POST JSON with a token; returns status and JSON.
    pub async fn post(&self, path: &str, token: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.send_json(reqwest::Method::POST, path, token, body).await
    }

    /// PUT JSON with a token; returns status and JSON.
    pub async fn put(&self, path: &str, token: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.send_json(reqwest::Method::PUT, path, token, body).await
    }

    async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let request = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(token).json(body);
        let r = setup("sending the request", request.send().await);
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Saves a risk profile as the analyst (the text in the profile language); it is in force
    /// for the next filing.
    pub async fn add_profile(&self, text: &str) {
        let req = self.client.post(format!("{}/api/v1/risk-profiles", self.base)).bearer_auth(&self.analyst_token);
        let r = setup("saving a risk profile", req.body(text.to_string()).send().await);
        assert_eq!(r.status().as_u16(), 201, "the profile is saved: {}", r.text().await.unwrap_or_default());
    }

    /// GET with a token; returns status and JSON.
    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = setup("sending the request", req.send().await);
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }
}
