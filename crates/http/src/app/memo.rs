//! Figures computed over many declarations (the release times, the supervisors' dashboard) kept
//! for a few seconds, so that a hundred people watching a dashboard cost one computation, not a
//! hundred. At most one computation per kind of figure runs at a time. A reader never waits for
//! figures it can be given: once they are older than the age allowed, but not twice as old, the
//! reader gets them and they are computed again in the background for the readers after it; only
//! the first reader of a key (or of figures older than twice the age) waits for the computation.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Keys kept at most; beyond, the oldest are dropped.
const MAX_KEYS: usize = 64;

/// Values by key, each with when its computation started.
type Entries<K, V> = Arc<Mutex<HashMap<K, (Instant, Arc<V>)>>>;

/// Values by key, each with when it was computed.
pub struct Memo<K, V> {
    max_age: Duration,
    entries: Entries<K, V>,
    computing: Arc<tokio::sync::Mutex<()>>,
}

impl<K, V> Memo<K, V>
where
    K: Eq + Hash + Clone + Send + 'static,
    V: Send + Sync + 'static,
{
    /// A memo whose values are used for `max_age` (zero: every request computes).
    pub fn new(max_age: Duration) -> Self {
        Memo { max_age, entries: Arc::default(), computing: Arc::new(tokio::sync::Mutex::new(())) }
    }

    fn kept(&self, key: &K, age: Duration) -> Option<Arc<V>> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).filter(|(at, _)| at.elapsed() < age).map(|(_, v)| v.clone())
    }

    /// The value of `key`: kept, or made by `make` (an error is returned and nothing kept).
    pub async fn get<E, F>(&self, key: K, make: impl FnOnce() -> F) -> Result<Arc<V>, E>
    where
        F: Future<Output = Result<V, E>> + Send + 'static,
        E: std::fmt::Display + Send + 'static,
    {
        if self.max_age.is_zero() {
            return make().await.map(Arc::new);
        }
        if let Some(v) = self.kept(&key, self.max_age) {
            return Ok(v);
        }
        let one = match self.computing.clone().try_lock_owned() {
            Ok(guard) => guard,
            Err(_) => match self.kept(&key, self.max_age * 2) {
                Some(v) => return Ok(v),
                None => self.computing.clone().lock_owned().await,
            },
        };
        // Another request may have computed it while this one waited.
        if let Some(v) = self.kept(&key, self.max_age) {
            return Ok(v);
        }
        if let Some(v) = self.kept(&key, self.max_age * 2) {
            let (entries, computing) = (self.entries.clone(), make());
            tokio::spawn(async move {
                let started = Instant::now();
                match computing.await {
                    Ok(value) => keep(&entries, key, started, Arc::new(value)),
                    Err(e) => tracing::warn!(error = %e, "figures could not be computed again; the kept ones stay"),
                }
                drop(one);
            });
            return Ok(v);
        }
        let started = Instant::now();
        let value = Arc::new(make().await?);
        keep(&self.entries, key, started, value.clone());
        drop(one);
        Ok(value)
    }
}

fn keep<K: Eq + Hash + Clone, V>(entries: &Entries<K, V>, key: K, started: Instant, value: Arc<V>) {
    if let Ok(mut entries) = entries.lock() {
        if entries.len() >= MAX_KEYS && !entries.contains_key(&key) {
            let oldest = entries.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| k.clone());
            oldest.map(|k| entries.remove(&k));
        }
        entries.insert(key, (started, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn count(memo: &Memo<u8, usize>, key: u8, calls: &Arc<AtomicUsize>) -> usize {
        let calls = calls.clone();
        let made =
            memo.get(key, move || async move { Ok::<_, String>(calls.fetch_add(1, Ordering::SeqCst) + 1) }).await;
        made.map(|v| *v).unwrap_or(0)
    }

    #[tokio::test]
    async fn a_value_is_kept_for_its_age_per_key_and_zero_keeps_nothing() {
        let calls = Arc::new(AtomicUsize::new(0));
        let memo = Memo::new(Duration::from_secs(60));
        assert_eq!(count(&memo, 1, &calls).await, 1);
        assert_eq!(count(&memo, 1, &calls).await, 1, "kept");
        assert_eq!(count(&memo, 2, &calls).await, 2, "another key is computed");
        let never = Memo::new(Duration::ZERO);
        assert_eq!(count(&never, 1, &calls).await, 3);
        assert_eq!(count(&never, 1, &calls).await, 4, "nothing kept");
    }

    #[tokio::test]
    async fn an_error_is_returned_and_not_kept() {
        let memo: Memo<u8, usize> = Memo::new(Duration::from_secs(60));
        assert_eq!(memo.get(1, || async { Err::<usize, _>("down") }).await.err(), Some("down"));
        assert_eq!(*memo.get(1, || async { Ok::<_, &str>(7) }).await.unwrap_or_default(), 7);
    }

    #[tokio::test]
    async fn an_old_value_is_computed_again() {
        let calls = Arc::new(AtomicUsize::new(0));
        let memo = Memo::new(Duration::from_millis(20));
        assert_eq!(count(&memo, 1, &calls).await, 1);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(count(&memo, 1, &calls).await, 2, "older than twice the age: computed while the reader waits");
    }

    #[tokio::test]
    async fn a_value_past_its_age_is_served_while_it_is_computed_again() {
        let memo: Memo<u8, usize> = Memo::new(Duration::from_millis(100));
        let calls = Arc::new(AtomicUsize::new(0));
        let make =
            |calls: Arc<AtomicUsize>| move || async move { Ok::<_, String>(calls.fetch_add(1, Ordering::SeqCst) + 1) };
        assert_eq!(memo.get(1, make(calls.clone())).await.map(|v| *v), Ok(1));
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(memo.get(1, make(calls.clone())).await.map(|v| *v), Ok(1), "the kept value, at once");
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(memo.get(1, make(calls.clone())).await.map(|v| *v), Ok(2), "computed again meanwhile");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn many_keys_keep_only_the_newest() {
        let calls = Arc::new(AtomicUsize::new(0));
        let memo = Memo::new(Duration::from_secs(60));
        for key in 0..=MAX_KEYS as u8 {
            count(&memo, key, &calls).await;
        }
        assert_eq!(memo.entries.lock().map(|e| e.len()).unwrap_or(0), MAX_KEYS);
        assert_eq!(count(&memo, 0, &calls).await, MAX_KEYS + 2, "the oldest was dropped");
    }
}
