//! Shared application state: the store, the group-commit writer, configuration, metrics, the
//! reference snapshot every decision reads (profiles, tariff, offices, prices, model,
//! categories) and small caches of principals and keys.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use chrono::NaiveDate;

use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

use smartcustoms_core::access::Principal;
use smartcustoms_core::ids::{OfficeCode, TraderId};
use smartcustoms_core::risk::{self, Categories, Profile};
use smartcustoms_core::signature;
use smartcustoms_core::tariff::Tariff;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::valuation::PriceReference;
use smartcustoms_model::TrainedModel;
use smartcustoms_storage::{GroupCommit, Store, StoreError, StoreResult};

use crate::app::dashboard::Dashboard;
use crate::app::memo::Memo;
use crate::app::time_release::TimeRelease;
use crate::metrics::Metrics;

/// HTTP settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Largest accepted request body, bytes.
    pub body_limit: usize,
    /// The low-value regime of e-commerce parcels (threshold, flat duty, VAT rate, split window).
    pub parcel_regime: smartcustoms_core::parcels::Regime,
    /// Where release notifications are pushed (POST, JSON), if anywhere.
    pub webhook_url: Option<String>,
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
    /// Session lifetimes and cookie flags.
    pub sessions: crate::identity::SessionConfig,
    /// Connection limits and timeouts.
    pub connections: crate::server::ConnectionLimits,
    /// The demo's sign-ins, listed on the sign-in page; set by the demo only.
    pub demo_sign_ins: Option<DemoSignIns>,
    /// How long the release times and the dashboard's figures are reused before they are
    /// computed again (zero: computed for every request).
    pub figures_max_age: Duration,
    /// How often navigation seals report; two periods without a report raise `signal_lost`.
    pub seal_period: Duration,
    /// Refuse unsigned messages even from devices with no registered key.
    pub require_device_signatures: bool,
}

/// The people of a demo database and their shared password, shown on the sign-in page of the
/// demo so that a visitor can try each role. A real deployment never sets it.
#[derive(Debug, Clone, Default)]
pub struct DemoSignIns {
    /// The password every demo user signs in with.
    pub password: String,
    /// User name and who it is (name and role), in the order shown.
    pub users: Vec<(String, String)>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            body_limit: 1024 * 1024,
            parcel_regime: smartcustoms_core::parcels::Regime::default(),
            webhook_url: None,
            price_refresh: Some(std::time::Duration::from_secs(60)),
            random_share: 0.01,
            retrain_every: Some(std::time::Duration::from_secs(24 * 3600)),
            recategorise_every: Some(std::time::Duration::from_secs(3600)),
            retrain: smartcustoms_model::RetrainSettings::default(),
            sessions: crate::identity::SessionConfig::default(),
            connections: crate::server::ConnectionLimits::default(),
            demo_sign_ins: None,
            figures_max_age: Duration::ZERO,
            seal_period: Duration::from_secs(60),
            require_device_signatures: false,
        }
    }
}

/// State shared by every handler: one pointer to [`Shared`], so that the clones the router and
/// the extractors make of it for every request cost one reference count, not one per part.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// How many holders the state has (this one included): the server, its jobs and the
    /// requests in flight each hold a clone.
    #[cfg(test)]
    pub(crate) fn holders(&self) -> usize {
        Arc::strong_count(&self.0)
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct Shared {
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
    /// This process's id in job leases (random at start).
    pub instance: Arc<str>,
    /// Figures over many declarations, reused for [`HttpConfig::figures_max_age`].
    pub figures: Arc<Figures>,
    /// The navigation seals' monitors of this process and their writer.
    pub seals: Arc<crate::app::seals::SealDesk>,
    /// Vehicles' changes at the checkpoints, for officers following them in this process.
    pub checkpoints: tokio::sync::broadcast::Sender<crate::app::checkpoint_events::VehicleNotice>,
    /// The filings' lookups of pre-arrival information, answered together.
    pub announced: crate::app::announced::Announced,
    /// The filings' signature checks, verified together.
    pub signatures: crate::app::signatures::Signatures,
    caches: Caches,
}

/// The figures computed over many declarations, each reused for a few seconds.
pub struct Figures {
    /// Release times by period (first and last day).
    pub time_release: Memo<(NaiveDate, NaiveDate), TimeRelease>,
    /// The supervisors' dashboard by window (hours).
    pub dashboard: Memo<i64, Dashboard>,
    /// The checkpoints' waiting and crossing times by period (first and last day).
    pub checkpoint_times: Memo<(NaiveDate, NaiveDate), Vec<crate::app::time_release::CheckpointTimes>>,
}

/// A trader's keys: key id and public key.
type TraderKeys = Arc<Vec<(String, VerifyingKey)>>;

/// The reference data a decision reads, as one immutable snapshot. A request takes the snapshot
/// once and uses it from start to end, so it never sees the profiles of one reload with the
/// tariff of another; a reload builds a whole new snapshot and swaps it in, and a reload that
/// fails leaves the snapshot in force untouched.
#[derive(Clone, Default)]
pub struct Reference {
    /// The risk profiles in force (latest version of each).
    pub profiles: Arc<Vec<Profile>>,
    /// The administration's offices.
    pub offices: Arc<[OfficeCode]>,
    /// The tariff in force (every version valid on some date; the calculation picks by date).
    pub tariff: Arc<Tariff>,
    /// The price reference of the customs value check.
    pub prices: Arc<PriceReference>,
    /// The risk model in force, if any.
    pub model: Option<Arc<TrainedModel>>,
    /// The operator categories in force.
    pub categories: Arc<Categories>,
    /// The devices' registered keys.
    pub device_keys: Arc<crate::app::device_keys::DeviceKeys>,
    /// The Single Window agencies' requirements (of every date; the check picks by date).
    pub requirements: Arc<Vec<smartcustoms_core::permits::Requirement>>,
    /// VAT scheme numbers and the seller (as a key) each belongs to.
    pub vat_numbers: Arc<HashMap<String, String>>,
}

#[derive(Default)]
struct Caches {
    /// Principals by token hash, with when they were read: a token revoked or expired in the
    /// store stops working here within [`PRINCIPAL_TTL`].
    principals: RwLock<HashMap<String, (Principal, Instant)>>,
    keys: RwLock<HashMap<TraderId, TraderKeys>>,
    reference: ArcSwap<Reference>,
    /// Reloads run one at a time: a periodic reload that read the store before a profile was
    /// saved must not overwrite the reload that follows the save.
    reload: tokio::sync::Mutex<()>,
}

/// How long a token's principal is trusted without asking the store again.
pub const PRINCIPAL_TTL: Duration = Duration::from_secs(3);

/// SHA-256 of an API token, hex: only this is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl AppState {
    /// Builds the state and loads the caches.
    pub async fn new(store: Arc<dyn Store>, commit: GroupCommit, config: HttpConfig) -> StoreResult<Self> {
        let age = config.figures_max_age;
        let period = chrono::TimeDelta::from_std(config.seal_period).unwrap_or(chrono::TimeDelta::seconds(60));
        let metrics = Arc::new(Metrics::new());
        let state = AppState(Arc::new(Shared {
            seals: crate::app::seals::SealDesk::start(store.clone(), period),
            checkpoints: tokio::sync::broadcast::channel(4096).0,
            announced: Default::default(),
            signatures: crate::app::signatures::Signatures::new(metrics.signature_batches.clone()),
            store,
            commit,
            figures: Arc::new(Figures {
                time_release: Memo::new(age),
                dashboard: Memo::new(age),
                checkpoint_times: Memo::new(age),
            }),
            config: Arc::new(config),
            metrics,
            knowledge: crate::knowledge::load().map_err(StoreError::Internal)?,
            instance: uuid::Uuid::new_v4().to_string().into(),
            caches: Caches::default(),
        }));
        state.reload_reference_data().await?;
        Ok(state)
    }

    /// The reference snapshot in force. Take it once per request.
    pub fn reference(&self) -> Arc<Reference> {
        self.caches.reference.load_full()
    }

    /// Swaps in a snapshot derived from the one in force (other parts unchanged). Concurrent
    /// updates of different parts never undo each other.
    fn update(&self, change: impl Fn(&mut Reference)) {
        self.caches.reference.rcu(|current| {
            let mut next = Reference::clone(current);
            change(&mut next);
            next
        });
    }

    /// The model in force, if any.
    pub fn model(&self) -> Option<Arc<TrainedModel>> {
        self.caches.reference.load().model.clone()
    }

    /// Puts a model in force. Requests scoring meanwhile keep the model they started with.
    pub fn set_model(&self, model: Arc<TrainedModel>) {
        self.update(|r| r.model = Some(model.clone()));
    }

    /// Replaces the operator categories.
    pub fn set_categories(&self, categories: Categories) {
        let categories = Arc::new(categories);
        self.update(|r| r.categories = categories.clone());
    }

    /// Replaces the price reference (rebuilt from the stored observations).
    pub fn set_prices(&self, prices: PriceReference) {
        let prices = Arc::new(prices);
        self.update(|r| r.prices = prices.clone());
    }

    /// Loads the active model when the store holds another version than the one in force (a
    /// retraining in another process, or at start). A model that cannot be loaded is refused
    /// loudly and the model in force stays.
    pub async fn reload_model(&self) -> StoreResult<()> {
        let active = self.store.risk_models().await?.into_iter().find(|m| m.active).map(|m| m.version);
        if active.is_none() || active == self.model().map(|m| m.info.version) {
            return Ok(());
        }
        match crate::app::risk::active_model(self.store.as_ref()).await {
            Ok(Some(model)) => self.set_model(model),
            Ok(None) => {}
            Err(e) => {
                self.metrics.reference_reload_failures.inc();
                tracing::error!(error = %e, "the active risk model cannot be loaded; the model in force stays")
            }
        }
        Ok(())
    }

    /// Reloads risk profiles, offices, tariff and model from the store (other processes may
    /// have changed them) and swaps them in together. On failure the snapshot in force stays,
    /// the failure is counted in `smartcustoms_reference_reload_failures_total` and returned.
    pub async fn reload_reference_data(&self) -> StoreResult<()> {
        let _one_at_a_time = self.caches.reload.lock().await;
        let loaded = self.load_reference().await;
        if loaded.is_err() {
            self.metrics.reference_reload_failures.inc();
        }
        let (profiles, offices, tariff, categories) = loaded?;
        let (profiles, offices, tariff) = (Arc::new(profiles), Arc::<[OfficeCode]>::from(offices), Arc::new(tariff));
        let categories = Arc::new(categories);
        let device_keys = Arc::new(crate::app::device_keys::DeviceKeys::of(&self.store.device_keys().await?));
        let requirements = Arc::new(self.store.requirements().await?);
        let vat_numbers: HashMap<String, String> =
            self.store.vat_numbers().await?.into_iter().map(|v| (v.number, v.seller_key)).collect();
        let vat_numbers = Arc::new(vat_numbers);
        self.update(|r| {
            r.vat_numbers = vat_numbers.clone();
            r.requirements = requirements.clone();
            r.profiles = profiles.clone();
            r.offices = offices.clone();
            r.tariff = tariff.clone();
            r.categories = categories.clone();
            r.device_keys = device_keys.clone();
        });
        self.reload_model().await
    }

    async fn load_reference(&self) -> StoreResult<(Vec<Profile>, Vec<OfficeCode>, Tariff, Categories)> {
        let records = self.store.current_profiles().await?;
        let mut profiles = Vec::with_capacity(records.len());
        for r in records {
            match risk::parse_profile(&r.source, r.version as u32) {
                Ok(p) => profiles.push(p),
                // Stored profiles were checked when saved; one that no longer parses is skipped loudly.
                Err(e) => {
                    self.metrics.reference_reload_failures.inc();
                    tracing::error!(profile = %r.code, version = r.version, error = %e, "stored risk profile does not parse")
                }
            }
        }
        let offices: Vec<OfficeCode> = self.store.offices().await?.into_iter().map(|o| o.code).collect();
        let tariff = crate::app::tariff::load(self.store.as_ref()).await?;
        // Categories are recomputed by one process of the deployment; the others read them here.
        let mut categorised = Vec::new();
        for stored in self.store.operator_categories().await? {
            let operator = &stored.party;
            match serde_json::from_str::<risk::Categorised>(&stored.record) {
                Ok(c) => categorised.push(c),
                Err(e) => {
                    self.metrics.reference_reload_failures.inc();
                    tracing::error!(%operator, error = %e, "stored operator category does not read");
                }
            }
        }
        let categories = crate::app::risk::categories_map(&categorised);
        Ok((profiles, offices, tariff, categories))
    }

    /// The principal of a live token, from the cache (at most [`PRINCIPAL_TTL`] old) or the store.
    pub async fn principal(&self, token: &str) -> StoreResult<Option<Principal>> {
        let hash = token_hash(token);
        let cached = self.caches.principals.read().ok().and_then(|c| c.get(&hash).cloned());
        if let Some((p, read_at)) = cached {
            if read_at.elapsed() < PRINCIPAL_TTL {
                return Ok(Some(p));
            }
        }
        let found = self.store.principal(&hash, Timestamp::now()).await?;
        if let Ok(mut cache) = self.caches.principals.write() {
            match &found {
                Some(p) => cache.insert(hash, (p.clone(), Instant::now())),
                None => cache.remove(&hash),
            };
        }
        Ok(found)
    }

    /// Forgets every cached principal (after a revocation in this process).
    pub fn forget_principals(&self) {
        if let Ok(mut cache) = self.caches.principals.write() {
            cache.clear();
        }
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
