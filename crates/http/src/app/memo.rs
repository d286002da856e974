//! Figures computed over many declarations (the release times, the supervisors' dashboard) kept
//! for a few seconds, so that a hundred people watching a dashboard cost one computation, not a
//! hundred. At most one computation per kind of figure runs at a time: while it runs, others
//! are served the figures it replaces (never older than twice the age allowed); the first
//! request for a key waits for it.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Keys kept at most; beyond, the oldest are dropped.
const MAX_KEYS: usize = 64;

/// Values by key, each with when it was computed.
pub struct Memo<K, V> {
    max_age: Duration,
    entries: Mutex<HashMap<K, (Instant, Arc<V>)>>,
    computing: tokio::sync::Mutex<()>,
}

impl<K: Eq + Hash + Clone, V> Memo<K, V> {
    /// A memo whose values are used for `max_age` (zero: every request computes).
    pub fn new(max_age: Duration) -> Self {
        Memo { max_age, entries: Mutex::new(HashMap::new()), computing: tokio::sync::Mutex::new(()) }
    }

    fn kept(&self, key: &K, age: Duration) -> Option<Arc<V>> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).filter(|(at, _)| at.elapsed() < age).map(|(_, v)| v.clone())
    }

    /// The value of `key`: kept, or made by `make` (an error is returned and nothing kept).
    pub async fn get<E, F>(&self, key: K, make: impl FnOnce() -> F) -> Result<Arc<V>, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        if self.max_age.is_zero() {
            return make().await.map(Arc::new);
        }
        if let Some(v) = self.kept(&key, self.max_age) {
            return Ok(v);
        }
        let _one = match self.computing.try_lock() {
            Ok(guard) => guard,
            Err(_) => match self.kept(&key, self.max_age * 2) {
                Some(v) => return Ok(v),
                None => self.computing.lock().await,
            },
        };
        // Another request may have computed it while this one waited.
        if let Some(v) = self.kept(&key, self.max_age) {
            return Ok(v);
        }
        let started = Instant::now();
        let value = Arc::new(make().await?);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_KEYS {
                let oldest = entries.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| k.clone());
                oldest.map(|k| entries.remove(&k));
            }
            entries.insert(key, (started, value.clone()));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn count(memo: &Memo<u8, usize>, key: u8, calls: &AtomicUsize) -> usize {
        let made = memo.get(key, || async { Ok::<_, ()>(calls.fetch_add(1, Ordering::SeqCst) + 1) }).await;
        made.map(|v| *v).unwrap_or(0)
    }

    #[tokio::test]
    async fn a_value_is_kept_for_its_age_per_key_and_zero_keeps_nothing() {
        let calls = AtomicUsize::new(0);
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
        let calls = AtomicUsize::new(0);
        let memo = Memo::new(Duration::from_millis(20));
        assert_eq!(count(&memo, 1, &calls).await, 1);
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(count(&memo, 1, &calls).await, 2);
    }

    #[tokio::test]
    async fn many_keys_keep_only_the_newest() {
        let calls = AtomicUsize::new(0);
        let memo = Memo::new(Duration::from_secs(60));
        for key in 0..=MAX_KEYS as u8 {
            count(&memo, key, &calls).await;
        }
        assert_eq!(memo.entries.lock().map(|e| e.len()).unwrap_or(0), MAX_KEYS);
        assert_eq!(count(&memo, 0, &calls).await, MAX_KEYS + 2, "the oldest was dropped");
    }
}
