//! Why an event's confidence is below high: short texts that thousands of events share.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// One confidence reason (`year inferred from file mtime (...)`, `zone from --tz web-1/**`).
///
/// The resolver gives the same reason to every event of a file it decided for at once, so a
/// reason is a shared string: cloning it for the millionth event costs a reference count,
/// not another allocation of the text.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reason(Arc<str>);

impl Reason {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Reason {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Reason {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Reason {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Reason {
    fn from(s: &str) -> Self {
        Reason(s.into())
    }
}

impl From<String> for Reason {
    fn from(s: String) -> Self {
        Reason(s.into())
    }
}

impl From<&Reason> for Reason {
    fn from(r: &Reason) -> Self {
        r.clone()
    }
}

impl PartialEq<str> for Reason {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Reason {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Debug for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
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
}
