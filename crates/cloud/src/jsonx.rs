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
        self.get().filter(|s| has_non_space(s))
    }
}

/// `!s.trim().is_empty()`, without trimming when the first byte already settles it (an
/// ASCII character that is not white space).
pub(crate) fn has_non_space(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(&b) if b.is_ascii() && !(b as char).is_whitespace() => true,
        _ => !s.trim().is_empty(),
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

/// Words that make a key name a secret, once `_` and `-` are dropped and case is folded.
const SECRET_WORDS: [&str; 11] = [
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

/// Whether one of [`SECRET_WORDS`] occurs in `norm` (already folded). Each position is
/// tried only against the words starting with its two bytes: a key of a few bytes costs a
/// comparison per byte rather than eleven searches.
fn contains_secret_word(norm: &[u8]) -> bool {
    // The shortest word ("token") has five bytes.
    let last = norm.len().saturating_sub(4);
    (0..last).any(|i| {
        let rest = norm.get(i..).unwrap_or_default();
        let words: &[&str] = match rest {
            [b'p', b'a', ..] => &["password", "passwd", "passphrase"],
            [b'p', b'r', ..] => &["privatekey"],
            [b's', b'e', ..] => &["secret"],
            [b't', b'o', ..] => &["token"],
            [b'a', b'c', ..] => &["accesskeyid"],
            [b'a', b'p', ..] => &["apikey"],
            [b'a', b'u', ..] => &["authorization"],
            [b'c', b'r', ..] => &["credential"],
            [b'k', b'e', ..] => &["keymaterial"],
            _ => return false,
        };
        words.iter().any(|w| rest.starts_with(w.as_bytes()))
    })
}

/// Whether a key names a secret (compared without case, `_` or `-`).
pub(crate) fn is_secret_key(k: &str) -> bool {
    if k.is_ascii() && k.len() <= 64 {
        // Same folding as below without allocating: for ASCII, lower case is ASCII's.
        let mut buf = [0u8; 64];
        let mut n = 0;
        for b in k.bytes().filter(|b| *b != b'_' && *b != b'-') {
            if let Some(slot) = buf.get_mut(n) {
                *slot = b.to_ascii_lowercase();
                n += 1;
            }
        }
        let norm = buf.get(..n).unwrap_or_default();
        return contains_secret_word(norm);
    }
    let norm: String = k
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_WORDS.iter().any(|w| norm.contains(w))
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

/// Whether this build's `serde_json::Value` keeps object members in input order (the
/// `preserve_order` feature, which another crate of the workspace may turn on) rather than
/// sorting them.
static PRESERVE_ORDER: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| {
    let doc = r#"{"b":0,"a":0}"#;
    let back = serde_json::from_str::<Value>(doc).and_then(|v| serde_json::to_string(&v));
    back.is_ok_and(|t| t == doc)
});

/// `mask_value` then `Value::to_string` in one pass over the raw text of a value that
/// serde_json reads, for the common shape; `None` sends the value to the general path.
///
/// Taken: strings without escapes, integers of up to 18 digits, `true`/`false`/`null`,
/// objects whose keys are distinct (and, when `Value` sorts its members, already sorted),
/// nesting up to 64. Everything else (escapes, other numbers, duplicate keys, the string
/// `Secret`, which may make the object a Kubernetes Secret) is `None`.
pub(crate) fn masked_compact(raw: &str) -> Option<String> {
    let mut w = Compact {
        b: raw.as_bytes(),
        raw,
        i: 0,
        out: String::with_capacity(raw.len().min(BODY_MAX + 64)),
        keys: Vec::new(),
        sorted: !*PRESERVE_ORDER,
    };
    w.value(false, 0)?;
    w.ws();
    (w.i == w.b.len()).then_some(w.out)
}

struct Compact<'a> {
    b: &'a [u8],
    raw: &'a str,
    i: usize,
    out: String,
    /// Keys of the objects being written, innermost last.
    keys: Vec<&'a str>,
    /// Whether `Value` sorts object members (so only sorted input is written as is).
    sorted: bool,
}

impl<'a> Compact<'a> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// A string without escapes at `i` (on its quote); its contents.
    fn string(&mut self) -> Option<&'a str> {
        let start = self.i + 1;
        // The first quote, backslash or control character: only a quote ends a string
        // written as is.
        let end = start + crate::walk::next_special(self.b.get(start..)?)?;
        if self.b.get(end) != Some(&b'"') {
            return None;
        }
        let s = self.raw.get(start..end)?;
        self.i = end + 1;
        Some(s)
    }

    fn value(&mut self, under_secret: bool, depth: u32) -> Option<()> {
        if depth > 64 {
            return None;
        }
        self.ws();
        match *self.b.get(self.i)? {
            b'"' => {
                let s = self.string()?;
                if s == "Secret" {
                    // Perhaps the `kind` of a Kubernetes Secret, which masks differently.
                    return None;
                }
                self.masked_str(s, under_secret);
                Some(())
            }
            b'{' => self.object(under_secret, depth),
            b'[' => {
                self.i += 1;
                self.out.push('[');
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    self.out.push(']');
                    return Some(());
                }
                loop {
                    self.value(under_secret, depth + 1)?;
                    self.ws();
                    match *self.b.get(self.i)? {
                        b',' => {
                            self.i += 1;
                            self.out.push(',');
                        }
                        b']' => {
                            self.i += 1;
                            self.out.push(']');
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b't' | b'f' | b'n' => {
                let lit: &str = match self.b.get(self.i)? {
                    b't' => "true",
                    b'f' => "false",
                    _ => "null",
                };
                if !self.b.get(self.i..)?.starts_with(lit.as_bytes()) {
                    return None;
                }
                self.i += lit.len();
                if under_secret && lit != "null" {
                    self.out.push_str("\"…\"");
                } else {
                    self.out.push_str(lit);
                }
                Some(())
            }
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                if self.b.get(self.i) == Some(&b'-') {
                    self.i += 1;
                }
                let digits = self
                    .b
                    .get(self.i..)?
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                self.i += digits;
                let text = self.raw.get(start..self.i)?;
                if digits == 0
                    || digits > 18
                    || text == "-0"
                    || matches!(self.b.get(self.i), Some(b'.' | b'e' | b'E'))
                {
                    return None;
                }
                if under_secret {
                    self.out.push_str("\"…\"");
                } else {
                    self.out.push_str(text);
                }
                Some(())
            }
            _ => None,
        }
    }

    fn object(&mut self, under_secret: bool, depth: u32) -> Option<()> {
        self.i += 1;
        self.out.push('{');
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.out.push('}');
            return Some(());
        }
        let mark = self.keys.len();
        loop {
            self.ws();
            if self.b.get(self.i) != Some(&b'"') {
                return None;
            }
            let k = self.string()?;
            let mine = self.keys.get(mark..).unwrap_or_default();
            let fine = if self.sorted {
                mine.last().is_none_or(|p| *p < k)
            } else {
                !mine.contains(&k)
            };
            if !fine {
                return None;
            }
            self.keys.push(k);
            self.eat(b':')?;
            self.out.push('"');
            self.out.push_str(k);
            self.out.push_str("\":");
            self.value(under_secret || is_secret_key(k), depth + 1)?;
            self.ws();
            match *self.b.get(self.i)? {
                b',' => {
                    self.i += 1;
                    self.out.push(',');
                }
                b'}' => {
                    self.i += 1;
                    self.out.push('}');
                    self.keys.truncate(mark);
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A string leaf as `mask_value` leaves it. The string has no character JSON escapes,
    /// and masking only keeps parts of it and adds `…`, so it is written as is.
    fn masked_str(&mut self, s: &str, under_secret: bool) {
        let masked: Cow<'_, str> = if under_secret || looks_like_access_key(s) {
            Cow::Owned(text::mask_secret(s))
        } else if memchr::memchr2(b'=', b':', s.as_bytes()).is_some() {
            mask_inline(s)
        } else {
            Cow::Borrowed(s)
        };
        self.out.push('"');
        if masked.len() > BODY_MAX {
            self.out.push_str(&text::excerpt(&masked, BODY_MAX));
        } else {
            self.out.push_str(&masked);
        }
        self.out.push('"');
    }
}

/// A body read by the parser (parsed as a `Value` only if asked), then masked and cut by
/// [`Body::excerpt`].
#[derive(Debug)]
pub(crate) enum Body<'a> {
    /// Absent or null.
    None,
    /// Present: the raw text, and the value once parsed (or why it could not be).
    Raw(&'a str, std::cell::OnceCell<Result<Value, String>>),
}

impl<'a> Body<'a> {
    /// A body from the raw text of a value.
    pub(crate) fn from_text(raw: Option<&'a str>) -> Body<'a> {
        let Some(s) = raw else { return Body::None };
        if s == "null" {
            return Body::None;
        }
        Body::Raw(s, std::cell::OnceCell::new())
    }
    /// The raw text, if any.
    pub(crate) fn raw(&self) -> Option<&'a str> {
        match self {
            Body::Raw(s, _) => Some(s),
            Body::None => None,
        }
    }
    fn parsed(s: &str) -> Result<Value, String> {
        serde_json::from_str(s).map_err(|e| de_error(&e))
    }
    /// The parsed value, if any (parsed on first use).
    pub(crate) fn value(&self) -> Option<&Value> {
        match self {
            Body::Raw(s, v) => v.get_or_init(|| Self::parsed(s)).as_ref().ok(),
            Body::None => None,
        }
    }
    /// Masks the secrets and returns a bounded excerpt (`None` when empty).
    pub(crate) fn excerpt(self) -> Option<String> {
        let Body::Raw(raw, cell) = self else {
            return None;
        };
        // The one-pass writer takes only values serde_json parses, so a body it writes
        // is one the general path would have parsed.
        let text = match masked_compact(raw) {
            Some(t) if t == "{}" || t == "[]" => return None,
            Some(t) => t,
            None => match cell.into_inner().unwrap_or_else(|| Self::parsed(raw)) {
                Err(e) => return Some(format!("[{} bytes not kept: {e}]", raw.len())),
                Ok(mut v) => {
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
                    v.to_string()
                }
            },
        };
        if text.len() <= BODY_MAX {
            Some(text)
        } else {
            Some(text::excerpt(&text, BODY_MAX).into_owned())
        }
    }
}

/// Parses a raw value as a JSON value, `None` for null or on error.
pub(crate) fn raw_to_value(raw: Option<&RawValue>) -> Option<Value> {
    raw_str_to_value(raw.map(RawValue::get))
}

/// [`raw_to_value`] from the raw text of a value.
pub(crate) fn raw_str_to_value(raw: Option<&str>) -> Option<Value> {
    let raw = raw?;
    if raw == "null" {
        return None;
    }
    serde_json::from_str(raw).ok()
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
    fn non_space_as_trim_says() {
        for s in [
            "", " ", "\t", "\u{b}", "\u{c}", "\u{85}", "\u{a0}", "\u{3000}", " a", "a", "\u{a0}x",
            "é", "\u{1c}", "\u{7f}", "\n\r", ".",
        ] {
            assert_eq!(has_non_space(s), !s.trim().is_empty(), "{s:?}");
        }
        for b in 0u8..128 {
            let s = (b as char).to_string();
            assert_eq!(has_non_space(&s), !s.trim().is_empty(), "{b}");
        }
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

    /// What `Body::excerpt` wrote before the one-pass writer: mask the value, serialise it.
    fn general(raw: &str) -> String {
        let mut v: Value = serde_json::from_str(raw).unwrap();
        mask_value(&mut v, false);
        v.to_string()
    }

    const BODIES: &[&str] = &[
        r#"{"bucketName":"corp-data","key":"reports/2025/q1.csv","Host":"corp-data.s3.us-east-1.amazonaws.com"}"#,
        r#"{"instancesSet":{"items":[{"instanceId":"i-0abc1234def567890"}]},"filterSet":{}}"#,
        r#"{"roleArn":"arn:aws:iam::1:role/deploy","roleSessionName":"ci-12345","durationSeconds":3600}"#,
        r#"{"maxResults":50,"lookupAttributes":[{"attributeKey":"EventName","attributeValue":"ConsoleLogin"}]}"#,
        r#"{"name":"/prod/db/password","withDecryption":true}"#,
        r#"{"password":"hunter2hunter2","SecretString":"abc","nested":{"token":123,"ok":[1,-2,true,false,null]}}"#,
        r#"{"credentials":{"accessKeyId":"ASIAABCDEFGHIJKLMNOP","sessionToken":"zzz","expiration":"2025"}}"#,
        r#"{"note":"AKIAIOSFODNN7EXAMPLE","cmd":"aws_secret_access_key = XYZABC; x=1","url":"https://h:443/p"}"#,
        r#"{"api_key":false,"Private-Key":12,"authorization":null,"tokens":[1,"a",{"x":true}]}"#,
        "{ \"a\" : [ 1 , 2 ] ,\n  \"b\" : { } , \"c\" : [ ] }",
        r#"{"emoji":"😀 snow ☃ é","key":"k/é"}"#,
        r#"[1,"two",{"three":3}]"#,
        r#""just a string""#,
        "42",
        r#"{"n":123456789012345678,"m":-123456789012345678}"#,
        // Bodies the one-pass writer leaves to the general path.
        r#"{"n":1234567890123456789}"#,
        r#"{"n":1.5,"m":1e5,"z":-0}"#,
        r#"{"s":"nul\u0000byte \"q\" \\ \/ \ud83d\ude00"}"#,
        r#"{"a":1,"a":2}"#,
        r#"{"kind":"Secret","data":{"k":"c2VjcmV0"},"metadata":{"annotations":{"x":"y"}}}"#,
        r#"{"b":1,"a":{"d":1,"c":2}}"#,
    ];

    #[test]
    fn one_pass_body_matches_the_general_path() {
        let mut fast = 0;
        for raw in BODIES {
            if let Some(out) = masked_compact(raw) {
                assert_eq!(out, general(raw), "{raw}");
                fast += 1;
            }
        }
        // The common shapes take the one-pass path (all sorted ones whichever way `Value`
        // orders members).
        let want = if *PRESERVE_ORDER { 14 } else { 6 };
        assert!(fast >= want, "{fast}");
        for raw in [
            r#"{"n":1.5}"#,
            r#"{"s":"a\"b"}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"kind":"Secret"}"#,
        ] {
            assert_eq!(masked_compact(raw), None, "{raw}");
        }
        // Long strings are cut before the body is, as `mask_value` does.
        let long = format!(
            r#"{{"a":"{}","b":"{}"}}"#,
            "x".repeat(5000),
            "é".repeat(3000)
        );
        assert_eq!(masked_compact(&long).unwrap(), general(&long));
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(masked_compact(&deep), None);
    }

    #[test]
    fn body_excerpt_is_bounded_and_skips_empty() {
        for raw in BODIES {
            let v: &RawValue = serde_json::from_str(raw).unwrap();
            let out = Body::from_text(Some(v.get())).excerpt().unwrap();
            assert_eq!(out, text::excerpt(&general(raw), BODY_MAX), "{raw}");
        }
        for raw in ["{}", "[]", " { } ", "null"] {
            let v: &RawValue = serde_json::from_str(raw).unwrap();
            assert_eq!(Body::from_text(Some(v.get())).excerpt(), None, "{raw}");
        }
        let big = format!(
            r#"{{"items":[{}]}}"#,
            vec![r#"{"instanceId":"i-0123456789abcdef0"}"#; 500].join(",")
        );
        let v: &RawValue = serde_json::from_str(&big).unwrap();
        let out = Body::from_text(Some(v.get())).excerpt().unwrap();
        assert_eq!(out, text::excerpt(&general(&big), BODY_MAX));
        assert!(out.len() < BODY_MAX + 64);
    }

    #[test]
    fn secret_keys_ascii_and_not() {
        for (k, yes) in [
            ("aws_access_key_id", true),
            ("SessionToken", true),
            ("x-api-key", true),
            ("KeyMaterial", true),
            ("bucketName", false),
            ("", false),
            ("Pässword", false),
            ("PASSWORDé", true),
            ("\u{212A}eyMaterial", true), // KELVIN SIGN folds to `k`
        ] {
            assert_eq!(is_secret_key(k), yes, "{k}");
        }
        assert!(is_secret_key(&format!("{}token", "a".repeat(70))));
    }

    #[test]
    fn secret_word_search_matches_substring_search() {
        // Every word, at every offset, beside near misses: the per-letter search finds
        // exactly what a plain substring search over all the words finds.
        let mut keys: Vec<String> = Vec::new();
        for w in SECRET_WORDS {
            for cut in 0..w.len() {
                keys.push(format!("x{}", &w[..cut]));
                keys.push(format!("{}{}", &w[cut..], &w[..cut]));
            }
            keys.push(w.to_string());
            keys.push(format!("abc{w}"));
            keys.push(format!("pp{w}zz"));
        }
        keys.extend(["", "p", "pass", "passw", "tok", "tokenx", "keymateria"].map(String::from));
        for k in &keys {
            let want = SECRET_WORDS.iter().any(|w| k.contains(w));
            assert_eq!(contains_secret_word(k.as_bytes()), want, "{k}");
        }
    }
}
