//! Shared application state: the store, the group-commit writer, configuration, metrics and
//! small caches of data every request needs (principals, keys, risk profiles, offices).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

use smartcustoms_core::access::Principal;
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::risk::{self, Categories, Profile};
use smartcustoms_core::signature;
use smartcustoms_core::tariff::Tariff;
use smartcustoms_core::valuation::PriceReference;
use smartcustoms_model::TrainedModel;
use smartcustoms_storage::{GroupCommit, Store, StoreError, StoreResult};

use crate::metrics::Metrics;

/// HTTP settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Largest accepted request body, bytes.
    pub body_limit: usize,
    /// Where release notifications are pushed (POST, JSON), if anywhere.
    pub webhook_url: Option<String>,
    /// Benchmark floor only: filings are stored as received, without FLC, signature, risk or
    /// audit. Set by `smartcustoms bench`, never by `serve`.
    pub bare_insert: bool,
    /// How often the price reference is rebuilt from new releases, starting at once (none:
    /// never; whoever builds the state sets it).
    pub price_refresh: Option<std::time::Duration>,
    /// Share of declarations that would be released without an officer sent to a random
    /// inspection instead, 0 to 1.
    pub random_share: f64,
    /// How often the model is retrained on new outcomes (none: only on request).
    pub retrain_every: Option<std::time::Duration>,
    /// How often operator categories are recomputed, starting at once (none: never).
    pub recategorise_every: Option<std::time::Duration>,
    /// How the model is retrained: capacity shares, held-out share, trees.
    pub retrain: smartcustoms_model::RetrainSettings,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            body_limit: 1024 * 1024,
            webhook_url: None,
            bare_insert: false,
            price_refresh: Some(std::time::Duration::from_secs(60)),
            random_share: 0.01,
            retrain_every: Some(std::time::Duration::from_secs(24 * 3600)),
            recategorise_every: Some(std::time::Duration::from_secs(3600)),
            retrain: smartcustoms_model::RetrainSettings::default(),
        }
    }
}

/// State shared by every handler.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// The group-commit writer filings go through.
    pub commit: GroupCommit,
    /// Settings.
    pub config: Arc<HttpConfig>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// The knowledge base: catalogue, glossary, instruments and their search index.
    pub knowledge: Arc<crate::knowledge::Knowledge>,
    caches: Arc<Caches>,
}

/// A trader's keys: key id and public key.
type TraderKeys = Arc<Vec<(String, VerifyingKey)>>;

#[derive(Default)]
struct Caches {
    principals: RwLock<HashMap<String, Principal>>,
    keys: RwLock<HashMap<TraderId, TraderKeys>>,
    profiles: RwLock<Arc<Vec<Profile>>>,
    offices: RwLock<Arc<Vec<String>>>,
    tariff: RwLock<Arc<Tariff>>,
    prices: RwLock<Arc<PriceReference>>,
    model: RwLock<Option<Arc<TrainedModel>>>,
    categories: RwLock<Arc<Categories>>,
    /// Reloads run one at a time: a periodic reload that read the store before a profile was
    /// saved must not overwrite the reload that follows the save.
    reload: tokio::sync::Mutex<()>,
}

/// SHA-256 of an API token, hex: only this is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl AppState {
    /// Builds the state and loads the caches.
    pub async fn new(store: Arc<dyn Store>, commit: GroupCommit, config: HttpConfig) -> StoreResult<Self> {
        let state = AppState {
            store,
            commit,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            knowledge: crate::knowledge::load().map_err(StoreError::Corrupt)?,
            caches: Arc::new(Caches::default()),
        };
        state.reload_reference_data().await?;
        let categories = state.store.operator_categories().await?;
        let categorised: Vec<risk::Categorised> =
            categories.iter().filter_map(|(_, _, record)| serde_json::from_str(record).ok()).collect();
        state.set_categories(crate::risk_engine::categories_map(&categorised));
        Ok(state)
    }

    /// The model in force, if any.
    pub fn model(&self) -> Option<Arc<TrainedModel>> {
        self.caches.model.read().ok().and_then(|m| m.clone())
    }

    /// Puts a model in force. Requests scoring meanwhile keep the model they started with.
    pub fn set_model(&self, model: Arc<TrainedModel>) {
        if let Ok(mut m) = self.caches.model.write() {
            *m = Some(model);
        }
    }

    /// The operator categories in force.
    pub fn categories(&self) -> Arc<Categories> {
        self.caches.categories.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// Replaces the operator categories.
    pub fn set_categories(&self, categories: Categories) {
        if let Ok(mut c) = self.caches.categories.write() {
            *c = Arc::new(categories);
        }
    }

    /// Loads the active model when the store holds another version than the one in force (a
    /// retraining in another process, or at start). A model that cannot be loaded is refused
    /// loudly and the model in force stays.
    pub async fn reload_model(&self) -> StoreResult<()> {
        let active = self.store.risk_models().await?.into_iter().find(|m| m.active).map(|m| m.version);
        if active.is_none() || active == self.model().map(|m| m.info.version) {
            return Ok(());
        }
        match crate::risk_engine::active_model(self.store.as_ref()).await {
            Ok(Some(model)) => self.set_model(model),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "the active risk model cannot be loaded; the model in force stays"),
        }
        Ok(())
    }

    /// Reloads risk profiles and offices from the store (other processes may have changed them).
    pub async fn reload_reference_data(&self) -> StoreResult<()> {
        let _one_at_a_time = self.caches.reload.lock().await;
        let records = self.store.current_profiles().await?;
        let mut profiles = Vec::with_capacity(records.len());
        for r in records {
            match risk::parse_profile(&r.source, r.version as u32) {
                Ok(p) => profiles.push(p),
                // Stored profiles were checked when saved; one that no longer parses is skipped loudly.
                Err(e) => {
                    tracing::error!(profile = %r.code, version = r.version, error = %e, "stored risk profile does not parse")
                }
            }
        }
        self.reload_model().await?;
        let offices: Vec<String> = self.store.offices().await?.into_iter().map(|o| o.code).collect();
        let tariff = crate::tariff_data::load(self.store.as_ref()).await?;
        if let Ok(mut t) = self.caches.tariff.write() {
            *t = Arc::new(tariff);
        }
        if let Ok(mut p) = self.caches.profiles.write() {
            *p = Arc::new(profiles);
        }
        if let Ok(mut o) = self.caches.offices.write() {
            *o = Arc::new(offices);
        }
        Ok(())
    }

    /// The risk profiles currently in force (latest version of each).
    pub fn profiles(&self) -> Arc<Vec<Profile>> {
        self.caches.profiles.read().map(|p| p.clone()).unwrap_or_default()
    }

    /// The tariff in force (every version valid on some date; the calculation picks by date).
    pub fn tariff(&self) -> Arc<Tariff> {
        self.caches.tariff.read().map(|t| t.clone()).unwrap_or_default()
    }

    /// The price reference of the customs value check.
    pub fn prices(&self) -> Arc<PriceReference> {
        self.caches.prices.read().map(|p| p.clone()).unwrap_or_default()
    }

    /// Replaces the price reference (rebuilt from the stored observations).
    pub fn set_prices(&self, prices: PriceReference) {
        if let Ok(mut p) = self.caches.prices.write() {
            *p = Arc::new(prices);
        }
    }

    /// Codes of the administration's offices.
    pub fn offices(&self) -> Arc<Vec<String>> {
        self.caches.offices.read().map(|o| o.clone()).unwrap_or_default()
    }

    /// The principal of a token, from the cache or the store.
    pub async fn principal(&self, token: &str) -> StoreResult<Option<Principal>> {
        let hash = token_hash(token);
        if let Some(p) = self.caches.principals.read().ok().and_then(|c| c.get(&hash).cloned()) {
            return Ok(Some(p));
        }
        let found = self.store.principal(&hash).await?;
        if let (Some(p), Ok(mut cache)) = (&found, self.caches.principals.write()) {
            cache.insert(hash, p.clone());
        }
        Ok(found)
    }

    /// The public key `kid` of a trader. A miss reloads the trader's keys once, so a key
    /// registered through another server process is found.
    pub async fn key(&self, trader: &TraderId, kid: &str) -> StoreResult<Option<VerifyingKey>> {
        let lookup = |keys: &TraderKeys| keys.iter().find(|(k, _)| k == kid).map(|(_, v)| *v);
        if let Some(keys) = self.caches.keys.read().ok().and_then(|c| c.get(trader).cloned()) {
            if let Some(k) = lookup(&keys) {
                return Ok(Some(k));
            }
        }
        let keys: Vec<(String, VerifyingKey)> = self
            .store
            .keys(trader)
            .await?
            .into_iter()
            .filter_map(|r| signature::decode_public_key(&r.public_key).map(|k| (r.kid, k)))
            .collect();
        let keys = Arc::new(keys);
        let found = lookup(&keys);
        if let Ok(mut cache) = self.caches.keys.write() {
            cache.insert(trader.clone(), keys);
        }
        Ok(found)
    }
}
