//! A map of values a client reads once and keeps (product details): clones of the client share it.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

/// A shared map, cheap to clone (clones share the entries).
#[derive(Debug)]
pub struct Cache<K, V>(Arc<Mutex<HashMap<K, V>>>);

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Self(Arc::default())
    }
}

impl<K, V> Clone for Cache<K, V> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    fn map(&self) -> MutexGuard<'_, HashMap<K, V>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value of `key`, if kept.
    pub fn get(&self, key: &K) -> Option<V> {
        self.map().get(key).cloned()
    }

    /// Keep these entries (replacing older values of the same keys).
    pub fn extend(&self, entries: impl IntoIterator<Item = (K, V)>) {
        self.map().extend(entries);
    }

    /// The value of `key`: the kept one, else `fetch`'s (kept when it succeeds).
    pub async fn get_or_fetch<E, F: Future<Output = Result<V, E>>>(&self, key: K, fetch: F) -> Result<V, E> {
        if let Some(v) = self.get(&key) {
            return Ok(v);
        }
        let v = fetch.await?;
        self.map().insert(key, v.clone());
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::Cache;

    #[tokio::test]
    async fn fetches_once_and_clones_share() {
        let cache: Cache<u32, String> = Cache::default();
        let twin = cache.clone();
        let got: Result<_, ()> = cache.get_or_fetch(1, async { Ok("one".to_owned()) }).await;
        assert_eq!(got.unwrap(), "one");
        let again: Result<_, ()> = twin.get_or_fetch(1, async { panic!("fetched twice") }).await;
        assert_eq!(again.unwrap(), "one");
        let failed: Result<String, &str> = cache.get_or_fetch(2, async { Err("no") }).await;
        assert!(failed.is_err() && cache.get(&2).is_none(), "a failure is not kept");
        twin.extend([(3, "three".to_owned())]);
        assert_eq!(cache.get(&3).as_deref(), Some("three"));
    }
}
