//! Tolerant serde building blocks shared by the cloud parsers.
//!
//! Real exports disagree on scalar types (`readOnly` is a boolean in S3 delivery files and a
//! string in `lookup-events`; Azure writes `operationName` as an object or a string), so the
//! typed records use [`Text`] and [`Named`] for scalars: they borrow the text when they can
//! and accept any scalar without failing the whole record.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;
use tplus_model::text;

/// Any JSON scalar as text; objects, arrays and null read as absent.
#[derive(Debug, Default, Clone)]
pub(crate) struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    /// The text, if any.
    pub(crate) fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
    /// The text when it is not empty.
    pub(crate) fn non_empty(&self) -> Option<&str> {
        self.get().filter(|s| !s.trim().is_empty())
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON scalar")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v))))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(TextVisitor)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

/// A name written either as a string or as `{"value": ..., "localizedValue": ...}` (Azure).
#[derive(Debug, Default, Clone)]
pub(crate) struct Named<'a>(pub Text<'a>);

struct NamedVisitor;

impl<'de> Visitor<'de> for NamedVisitor {
    type Value = Named<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an object with `value`")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        TextVisitor.visit_borrowed_str(v).map(Named)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        TextVisitor.visit_str(v).map(Named)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        TextVisitor.visit_string(v).map(Named)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        TextVisitor.visit_bool(v).map(Named)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        TextVisitor.visit_i64(v).map(Named)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        TextVisitor.visit_u64(v).map(Named)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        TextVisitor.visit_f64(v).map(Named)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Named(Text(None)))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Named(Text(None)))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(NamedVisitor)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Text(None);
        while let Some(k) = map.next_key::<Cow<'de, str>>()? {
            if k == "value" {
                out = map.next_value::<Text<'de>>()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Named(out))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        TextVisitor.visit_seq(seq).map(Named)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Named<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NamedVisitor)
    }
}

/// Longest request/response excerpt kept on an event, in bytes.
pub(crate) const BODY_MAX: usize = 2048;

/// Whether a key names a secret (compared without case, `_` or `-`).
pub(crate) fn is_secret_key(k: &str) -> bool {
    let norm: String = k
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    const WORDS: [&str; 11] = [
        "password",
        "passwd",
        "secret",
        "token",
        "privatekey",
        "accesskeyid",
        "apikey",
        "passphrase",
        "authorization",
        "credential",
        "keymaterial",
    ];
    WORDS.iter().any(|w| norm.contains(w))
}

/// Whether a string looks like an AWS access key id (`AKIA…`/`ASIA…`, 16-128 upper-case
/// alphanumerics).
pub(crate) fn looks_like_access_key(s: &str) -> bool {
    (s.starts_with("AKIA") || s.starts_with("ASIA"))
        && (16..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

static INLINE_SECRET: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)((?:password|passwd|passphrase|pass|pwd|secret|token|credentials?|access[_-]?key(?:[_-]?id)?|api[_-]?key|private[_-]?key)[A-Za-z0-9_.\-]*\s*[=:]\s*)([^\s\x22',;&]+)",
    )
    .ok()
});

/// Masks `name = value` secrets written inside free text (configuration files carried in a
/// ConfigMap, command lines, user data): `aws_secret_access_key = X` keeps the name only.
pub(crate) fn mask_inline(s: &str) -> Cow<'_, str> {
    match INLINE_SECRET.as_ref() {
        Some(re) => re.replace_all(s, "${1}…"),
        None => Cow::Borrowed(s),
    }
}

/// Masks every secret in a JSON value in place: values under secret-named keys, access-key
/// ids anywhere, and the `data`/`stringData` of a Kubernetes `Secret` object.
pub(crate) fn mask_value(v: &mut Value, under_secret: bool) {
    match v {
        Value::String(s) => {
            if under_secret || looks_like_access_key(s) {
                *s = text::mask_secret(s);
            } else if memchr::memchr2(b'=', b':', s.as_bytes()).is_some() {
                if let Cow::Owned(masked) = mask_inline(s) {
                    *s = masked;
                }
            }
            // Cut long strings before the body is serialised, so a huge field costs no copy.
            if s.len() > BODY_MAX {
                *s = text::excerpt(s, BODY_MAX).into_owned();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| mask_value(x, under_secret)),
        Value::Object(m) => {
            let is_k8s_secret = m.get("kind").and_then(Value::as_str) == Some("Secret");
            for (k, x) in m.iter_mut() {
                if is_k8s_secret && (k == "data" || k == "stringData") {
                    let n = x.as_object().map_or(0, |o| o.len());
                    *x = Value::String(format!("[{n} secret values not kept]"));
                } else if is_k8s_secret && k == "metadata" {
                    // `kubectl.kubernetes.io/last-applied-configuration` repeats the data.
                    mask_value(x, under_secret);
                    if let Some(ann) = x.get_mut("annotations").and_then(Value::as_object_mut) {
                        for (_, a) in ann.iter_mut() {
                            if let Value::String(s) = a {
                                *s =
                                    format!("[{} bytes not kept: annotation of a Secret]", s.len());
                            }
                        }
                    }
                } else {
                    mask_value(x, under_secret || is_secret_key(k));
                }
            }
        }
        Value::Number(_) | Value::Bool(_) | Value::Null => {
            if under_secret && !v.is_null() {
                *v = Value::String("…".to_owned());
            }
        }
    }
}

/// A bounded excerpt of a request or response body with secrets masked; `None` for
/// null or an empty object.
pub(crate) fn body_excerpt(raw: Option<&RawValue>) -> Option<String> {
    let raw = raw?;
    let s = raw.get();
    if s == "null" || s == "{}" || s == "[]" {
        return None;
    }
    match serde_json::from_str::<Value>(s) {
        Ok(mut v) => {
            mask_value(&mut v, false);
            if v.as_object().is_some_and(|o| o.is_empty()) {
                return None;
            }
            Some(text::excerpt(&v.to_string(), BODY_MAX).into_owned())
        }
        Err(e) => Some(format!("[{} bytes not kept: {e}]", s.len())),
    }
}

/// A body parsed once, read by the parser, then masked and cut by [`Body::excerpt`].
#[derive(Debug)]
pub(crate) enum Body {
    /// Absent or null.
    None,
    /// Parsed.
    Value(Value),
    /// Present but not parseable as a value (nesting deeper than serde_json allows...).
    Unreadable(usize, String),
}

impl Body {
    /// Parses a raw body.
    pub(crate) fn parse(raw: Option<&RawValue>) -> Body {
        let Some(raw) = raw else { return Body::None };
        let s = raw.get();
        if s == "null" {
            return Body::None;
        }
        match serde_json::from_str(s) {
            Ok(v) => Body::Value(v),
            Err(e) => Body::Unreadable(s.len(), de_error(&e)),
        }
    }
    /// The parsed value, if any.
    pub(crate) fn value(&self) -> Option<&Value> {
        match self {
            Body::Value(v) => Some(v),
            _ => None,
        }
    }
    /// Masks the secrets in place and returns a bounded excerpt (`None` when empty).
    pub(crate) fn excerpt(self) -> Option<String> {
        match self {
            Body::None => None,
            Body::Unreadable(n, e) => Some(format!("[{n} bytes not kept: {e}]")),
            Body::Value(mut v) => {
                let empty = match &v {
                    Value::Object(o) => o.is_empty(),
                    Value::Array(a) => a.is_empty(),
                    Value::Null => true,
                    _ => false,
                };
                if empty {
                    return None;
                }
                mask_value(&mut v, false);
                Some(text::excerpt(&v.to_string(), BODY_MAX).into_owned())
            }
        }
    }
}

/// Parses a raw value as a JSON value, `None` for null or on error.
pub(crate) fn raw_to_value(raw: Option<&RawValue>) -> Option<Value> {
    let raw = raw?;
    if raw.get() == "null" {
        return None;
    }
    serde_json::from_str(raw.get()).ok()
}

/// A short, single-line reason from a serde_json error.
pub(crate) fn de_error(e: &serde_json::Error) -> String {
    let mut s = e.to_string();
    if s.len() > 300 {
        s = text::excerpt(&s, 300).into_owned();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct T<'a> {
        #[serde(borrow, default)]
        a: Text<'a>,
        #[serde(borrow, default)]
        b: Named<'a>,
    }

    #[test]
    fn text_accepts_any_scalar_and_borrows() {
        let t: T =
            serde_json::from_str(r#"{"a":true,"b":{"value":"x","localizedValue":"y"}}"#).unwrap();
        assert_eq!(t.a.get(), Some("true"));
        assert_eq!(t.b.0.get(), Some("x"));
        let t: T = serde_json::from_str(r#"{"a":"q","b":"s"}"#).unwrap();
        assert!(matches!(t.a.0, Some(Cow::Borrowed("q"))));
        assert_eq!(t.b.0.get(), Some("s"));
        let t: T = serde_json::from_str(r#"{"a":{"x":[1]},"b":null}"#).unwrap();
        assert!(t.a.get().is_none() && t.b.0.get().is_none());
        let t: T = serde_json::from_str(r#"{"a":12}"#).unwrap();
        assert_eq!(t.a.get(), Some("12"));
    }

    #[test]
    fn masking() {
        let mut v: Value = serde_json::from_str(
            r#"{"userName":"bob","password":"hunter2hunter2","credentials":{"accessKeyId":"ASIAABCDEFGHIJKLMNOP","expiration":5},
                "note":"AKIAIOSFODNN7EXAMPLE","kind":"Secret","data":{"k":"c2VjcmV0"}}"#,
        )
        .unwrap();
        mask_value(&mut v, false);
        let s = v.to_string();
        assert!(
            !s.contains("hunter2hunter2")
                && !s.contains("AKIAIOSFODNN7EXAMPLE")
                && !s.contains("ASIAABCDEFGHIJKLMNOP")
        );
        assert!(!s.contains("c2VjcmV0"));
        assert!(s.contains("\"userName\":\"bob\""));
        assert!(
            is_secret_key("aws_access_key_id")
                && is_secret_key("SessionToken")
                && !is_secret_key("bucketName")
        );
    }
}
