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

    /// The shared copy of `s`'s text: the one already held, or `s` itself, kept, when the
    /// text is new (for a string a parser made on its own: no second copy is made).
    pub fn share(&mut self, s: SharedStr) -> SharedStr {
        if let Some(x) = self.0.get(&*s) {
            return x.clone();
        }
        self.0.insert(s.clone());
        s
    }

    /// Whether no other holder has this copy of the text: a string a parser made for one
    /// event, rather than one handed out by an [`Interner`].
    fn is_alone(s: &SharedStr) -> bool {
        Arc::strong_count(&s.0) == 1
    }

    /// Shares each of `fields` that its parser made for the event alone (see
    /// [`Interner::share`]); fields handed out by [`Interner::intern`] are left as they are.
    pub fn share_all<'a>(&mut self, fields: impl IntoIterator<Item = &'a mut Option<SharedStr>>) {
        for f in fields {
            if f.as_ref().is_some_and(Self::is_alone) {
                *f = f.take().map(|s| self.share(s));
            }
        }
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
        // A text a parser made alone is shared from then on, without another copy.
        let own = SharedStr::from("cron");
        let mut fields = [Some(own), Some(SharedStr::from("new")), None];
        names.share_all(fields.iter_mut());
        assert!(Arc::ptr_eq(&fields[0].as_ref().unwrap().0, &c.0));
        assert!(Arc::ptr_eq(
            &fields[1].as_ref().unwrap().0,
            &names.intern("new").0
        ));
        assert_eq!(fields[2], None);
    }
}
