//! Framing shared by the JSON cloud formats: a bare array, a wrapper object holding an array
//! (`{"records":[...]}`, `{"value":[...]}`, `{"entries":[...]}`), a single object, or one
//! object per line. Each record keeps its location; a record that cannot be framed is one
//! located error.

use tplus_model::json::{array_elements, find_key_start, skip_ws, value_end};
use tplus_model::Location;

/// A framed record: where it is, and its bytes or why it could not be framed.
pub(crate) type Framed<'a> = (Location, Result<&'a [u8], String>);

/// Frames `data`, looking for the array under one of `wrappers` when it is an object.
pub(crate) fn records<'a>(data: &'a [u8], wrappers: &[&str]) -> Vec<Framed<'a>> {
    let start = skip_ws(data, 0);
    let array = if data.get(start) == Some(&b'[') {
        Some(start)
    } else {
        wrappers
            .iter()
            .find_map(|k| match find_key_start(data, start, k) {
                Ok(Some(i)) if data.get(i) == Some(&b'[') => Some(i),
                _ => None,
            })
    };
    if let Some(a) = array {
        return array_elements(data, a)
            .enumerate()
            .map(|(i, span)| match span {
                Ok((s, e)) => (Location::record(i as u64, s as u64), Ok(&data[s..e])),
                Err(err) => (
                    Location::record(i as u64, a as u64),
                    Err(format!("record cannot be framed: {err}")),
                ),
            })
            .collect();
    }
    // One object spanning several lines (pretty-printed) is one record; else one per line.
    if let Ok(end) = value_end(data, start) {
        if skip_ws(data, end) >= data.len() && data[start..end].contains(&b'\n') {
            return vec![(Location::record(0, start as u64), Ok(&data[start..end]))];
        }
    }
    tplus_model::lines::lines(data)
        .map(|l| {
            (
                Location::line_record(l.number, l.number - 1, l.offset),
                Ok(l.bytes),
            )
        })
        .collect()
}
