//! `SortedMap`: a map kept as one sorted `Vec` of pairs, for the core's small maps (a claim's accumulator
//! pools and riders, the registry's handful of packs and catalogs).
//!
//! Why not `BTreeMap`: each `BTreeMap<K, V>` instantiation brings ~6 KB of node code (insert, split, search,
//! iterate, drop, clone) into the wasm modules, five times over in the estimate page's module, for maps of
//! two to ten entries that a binary search over a `Vec` serves as fast. The observable behaviour is the
//! same as `BTreeMap`'s where the API uses it: iteration (and so serialisation) in ascending key order, and
//! a later duplicate key replaces an earlier one, when inserting and when deserialising.

use crate::prelude::*;
use core::borrow::Borrow;
use core::fmt;
use core::marker::PhantomData;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

#[derive(Clone, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    /// Ascending by key, keys distinct.
    pairs: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { pairs: Vec::new() }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub fn new() -> Self {
        SortedMap::default()
    }

    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.pairs.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.pairs[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.pairs[i].1)
    }

    /// Insert or replace; the replaced value is returned (as `BTreeMap::insert`).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(core::mem::replace(&mut self.pairs[i].1, value)),
            Err(i) => {
                self.pairs.insert(i, (key, value));
                None
            }
        }
    }

    /// The value of `key`, inserted as `V::default()` first when absent (`entry(key).or_default()`).
    pub fn or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.pairs.insert(i, (key, V::default()));
                i
            }
        };
        &mut self.pairs[i].1
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// In ascending key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.pairs.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.pairs.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.pairs.iter().map(|(_, v)| v)
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.pairs.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl<'a, K: Ord, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = core::iter::Map<core::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.pairs.iter().map(|(k, v)| (k, v))
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// A later duplicate key replaces an earlier one, as `BTreeMap` does.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut m = SortedMap::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.pairs.len()))?;
        for (k, v) in &self.pairs {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for SortedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for MapVisitor<K, V> {
            type Value = SortedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut m = SortedMap::new();
                while let Some((k, v)) = a.next_entry()? {
                    m.insert(k, v);
                }
                Ok(m)
            }
        }
        d.deserialize_map(MapVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Any sequence of inserts gives the same pairs, order and replaced values as a `BTreeMap`.
    #[test]
    fn behaves_as_a_btreemap() {
        let keys = [
            "rider-b",
            "inpatient",
            "a",
            "rider-b",
            "zz",
            "outpatient",
            "a",
            "",
            "inpatient",
        ];
        let mut m = SortedMap::new();
        let mut b = BTreeMap::new();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(
                m.insert(k.to_string(), i),
                b.insert(k.to_string(), i),
                "insert {k}"
            );
            assert!(m.iter().eq(b.iter()));
        }
        assert_eq!(m.len(), b.len());
        for k in ["a", "rider-b", "missing", ""] {
            assert_eq!(m.get(k), b.get(k));
        }
        *m.or_default("new".to_string()) += 7;
        *b.entry("new".to_string()).or_default() += 7;
        *m.or_default("zz".to_string()) += 1;
        *b.entry("zz".to_string()).or_default() += 1;
        assert!(m.iter().eq(b.iter()));
        let collected: SortedMap<_, _> = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        let expected: BTreeMap<_, _> = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        assert!(collected.iter().eq(expected.iter()));
    }

    /// The same JSON as a `BTreeMap` both ways, duplicates in the input included (the last one wins).
    #[test]
    fn serde_as_a_btreemap() {
        let text = r#"{"b":1,"a":2,"c":3,"a":4}"#;
        let m: SortedMap<String, i32> = serde_json::from_str(text).unwrap();
        let b: BTreeMap<String, i32> = serde_json::from_str(text).unwrap();
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"a":4,"b":1,"c":3}"#);
        let e = serde_json::from_str::<SortedMap<String, i32>>("[1]").unwrap_err();
        let f = serde_json::from_str::<BTreeMap<String, i32>>("[1]").unwrap_err();
        assert_eq!(e.to_string(), f.to_string());
    }
}
