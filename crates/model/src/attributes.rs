//! An event's format-specific fields, in a form small enough to hold a million times.
//!
//! A `BTreeMap<String, Value>` allocates a whole tree node (about 650 bytes) for the first
//! entry and one string per key, so the four or five attributes of a syslog line cost more
//! than the rest of the event. [`Attributes`] keeps the same sorted-by-key contract (the JSONL
//! and every other output see the same order) in one vector, and the keys that parsers name
//! from their own tables (`"program"`, `"pid"`...) are borrowed `&'static str`, never copied.

use std::borrow::Cow;
use std::ops::Index;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// An attribute name: a parser's own constant, or a name read from the input.
pub type AttrKey = Cow<'static, str>;

/// Format-specific fields of an event, sorted by key, each key at most once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes(Vec<(AttrKey, Value)>);

impl Attributes {
    /// No attributes (allocates nothing).
    pub const fn new() -> Self {
        Attributes(Vec::new())
    }

    /// Room for `n` attributes, for parsers that know how many they set.
    pub fn with_capacity(n: usize) -> Self {
        Attributes(Vec::with_capacity(n))
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }

    /// Sets `key` to `value` and returns the value it replaces, like a map.
    pub fn insert(&mut self, key: impl Into<AttrKey>, value: Value) -> Option<Value> {
        let key = key.into();
        // Parsers mostly add keys in order: check the end before searching.
        if self.0.last().is_none_or(|(k, _)| k.as_ref() < key.as_ref()) {
            self.0.push((key, value));
            return None;
        }
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).ok().map(|i| &self.0[i].1)
    }

    /// Whether `key` is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// How many attributes are set.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The attributes in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// The values in key order, to change them in place.
    pub fn values_mut(&mut self) -> impl ExactSizeIterator<Item = &mut Value> {
        self.0.iter_mut().map(|(_, v)| v)
    }
}

impl Index<&str> for Attributes {
    type Output = Value;

    /// The value of `key`; panics when it is not set, like a map's index.
    fn index(&self, key: &str) -> &Value {
        self.get(key)
            .unwrap_or_else(|| panic!("no attribute {key:?}"))
    }
}

impl<K: Into<AttrKey>, V: Into<Value>> Extend<(K, V)> for Attributes {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v.into());
        }
    }
}

impl<K: Into<AttrKey>, V: Into<Value>> FromIterator<(K, V)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut a = Attributes::new();
        a.extend(iter);
        a
    }
}

impl Serialize for Attributes {
    /// A JSON object in key order, as a `BTreeMap` would give.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k.as_ref(), v)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn keeps_map_order_and_last_write_wins() {
        let input = [
            ("pid", Value::from(7)),
            ("program", Value::from("sshd")),
            ("facility", Value::from(4)),
            ("Zeta", Value::from(true)),
            ("pid", Value::from(8)),
            ("a", Value::Null),
        ];
        let mut a = Attributes::new();
        let mut m = BTreeMap::new();
        for (k, v) in input.clone() {
            assert_eq!(a.insert(k, v.clone()), m.insert(k.to_owned(), v));
        }
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&m).unwrap()
        );
        assert_eq!(a.len(), m.len());
        assert_eq!(a["pid"], 8);
        assert_eq!(a.get("missing"), None);
        assert!(a.contains_key("a") && !a.contains_key("b"));
        let keys: Vec<&str> = a.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["Zeta", "a", "facility", "pid", "program"]);
    }

    #[test]
    fn owned_and_static_keys_compare_by_text() {
        let mut a: Attributes = [("b".to_owned(), 1), ("a".to_owned(), 2)]
            .into_iter()
            .collect();
        assert_eq!(a.insert("b", 3.into()), Some(Value::from(1)));
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"a":2,"b":3}"#);
    }
}
