//! Short texts that thousands of events share: confidence reasons, hosts, actors, actions.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::hash::FastSet;

/// A string held once and shared by reference count.
///
/// A million auth lines name a handful of hosts, a few hundred users and a few dozen
/// actions; as a `String` each event allocated its own copy of each (three allocations and
/// about 100 bytes an event, and the allocation was most of a syslog line's parsing cost).
/// Parsers hand these through [`Interner`] (a sink's [`crate::RecordSink::intern`]), so the
/// millionth `sshd` costs a reference count. Hashing, ordering, equality and serialisation
/// are the text's, so a `SharedStr` is a drop-in for the `String` it replaced in every output.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedStr(Arc<str>);

/// Why an event's confidence is below high (`year inferred from file mtime (...)`, `zone
/// from --tz web-1/**`). The resolver gives the same reason to every event of a file it
/// decided for at once, so a reason is shared, not copied per event.
pub type Reason = SharedStr;

impl SharedStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        SharedStr(s.into())
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        SharedStr(s.into())
    }
}

impl From<&Reason> for SharedStr {
    fn from(r: &SharedStr) -> Self {
        r.clone()
    }
}

impl From<&String> for SharedStr {
    fn from(s: &String) -> Self {
        SharedStr(s.as_str().into())
    }
}

impl From<std::borrow::Cow<'_, str>> for SharedStr {
    fn from(s: std::borrow::Cow<'_, str>) -> Self {
        SharedStr(s.into())
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == &*other.0
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == &*other.0
    }
}

/// Hands out one [`SharedStr`] per distinct text, for one parse of one file or chunk.
///
/// Unbounded on purpose: it holds each distinct text once, which the events would have held
/// at least once each anyway, and it is dropped with the parse (the events keep their
/// references).
#[derive(Debug, Default)]
pub struct Interner(FastSet<SharedStr>);

impl Interner {
    /// The shared copy of `s`, made on first sight.
    pub fn intern(&mut self, s: &str) -> SharedStr {
        if let Some(x) = self.0.get(s) {
            return x.clone();
        }
        let x = SharedStr::from(s);
        self.0.insert(x.clone());
        x
    }

    /// How many distinct texts it holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_text_and_compare_as_text() {
        let a = Reason::from(String::from("year inferred"));
        let b = a.clone();
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(a, "year inferred");
        assert_eq!(
            serde_json::to_string(&[a, b]).unwrap(),
            r#"["year inferred","year inferred"]"#
        );
        assert_eq!([Reason::from("x"), Reason::from("y")].join("; "), "x; y");
    }

    #[test]
    fn the_interner_shares_one_copy_per_text() {
        let mut names = Interner::default();
        let a = names.intern("sshd");
        let b = names.intern(&String::from("sshd"));
        let c = names.intern("cron");
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert!(!Arc::ptr_eq(&a.0, &c.0));
        assert_eq!(names.len(), 2);
        assert_eq!(a, "sshd");
        assert_eq!(a, SharedStr::from("sshd"));
    }
}
