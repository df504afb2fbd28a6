//! Record framing shared by the identity-provider JSON parsers: a bare array, a wrapper
//! object (`{"value":[...]}`, `{"records":[...]}`) or one object per line.

use serde_json::Value;
use tplus_model::{json, lines, Location, RecordSink};

/// Calls `each(value, location)` for every record; framing errors go to the sink.
pub(crate) fn for_each_record(
    data: &[u8],
    wrappers: &[&str],
    sink: &mut dyn RecordSink,
    each: &mut dyn FnMut(Value, Location, &mut dyn RecordSink),
) {
    let start = json::skip_ws(data, 0);
    match data.get(start) {
        Some(b'[') => array(data, start, 0, sink, each),
        Some(b'{') => {
            for w in wrappers {
                if let Ok(Some((s, _))) = json::find_key(data, start, w) {
                    if data.get(json::skip_ws(data, s)) == Some(&b'[') {
                        array(data, s, 0, sink, each);
                        return;
                    }
                }
            }
            per_line(data, sink, each);
        }
        _ => per_line(data, sink, each),
    }
}

fn array(
    data: &[u8],
    pos: usize,
    first: u64,
    sink: &mut dyn RecordSink,
    each: &mut dyn FnMut(Value, Location, &mut dyn RecordSink),
) {
    for (idx, el) in (first..).zip(json::array_elements(data, pos)) {
        match el {
            Ok((s, e)) => {
                let loc = Location::record(idx, s as u64);
                match data.get(s..e).map(serde_json::from_slice::<Value>) {
                    Some(Ok(v)) => each(v, loc, sink),
                    Some(Err(err)) => sink.error(loc, format!("invalid JSON record: {err}")),
                    None => sink.error(loc, "record span out of range".to_owned()),
                }
            }
            Err(err) => {
                sink.error(
                    Location::record(idx, 0),
                    format!("cannot frame record: {err}"),
                );
            }
        }
    }
}

fn per_line(
    data: &[u8],
    sink: &mut dyn RecordSink,
    each: &mut dyn FnMut(Value, Location, &mut dyn RecordSink),
) {
    for (rec, line) in (0u64..).zip(lines::lines(data)) {
        let loc = Location::line_record(line.number, rec, line.offset);
        let trimmed = line.bytes.trim_ascii();
        if trimmed.is_empty() {
            sink.skipped(loc, "blank line");
            continue;
        }
        match serde_json::from_slice::<Value>(trimmed) {
            Ok(v) => each(v, loc, sink),
            Err(err) => sink.error(loc, format!("invalid JSON line: {err}")),
        }
    }
}

/// A string at a JSON pointer, non-empty.
pub(crate) fn s<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .filter(|x| !x.is_empty())
}
