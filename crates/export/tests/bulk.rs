//! The bulk NDJSON and its index template, checked as OpenSearch's `_bulk` API and
//! Elasticsearch's read them (no server is available here: the format is checked instead).

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;
use tplus_export::{bulk_id, index_template, template_path, validate_index_name, write_bulk};

#[test]
fn every_event_is_an_index_action_then_its_jsonl_document() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tl = tplus_export::synthetic_timeline(5000, 3);
    let file = tmp.path().join("events.ndjson");
    let records = write_bulk(&file, "case-42", &tl, false).expect("bulk");
    let text = std::fs::read_to_string(&file).expect("read");

    assert!(
        text.ends_with('\n'),
        "the last line is newline-terminated (the _bulk API needs it)"
    );
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    assert_eq!(lines.len(), 2 * tl.events.len());
    let mut ids = HashSet::new();
    for (pair, e) in lines.chunks(2).zip(&tl.events) {
        let action: Value = serde_json::from_str(pair[0]).expect("action JSON");
        let obj = action.as_object().expect("object");
        assert_eq!(obj.len(), 1);
        let meta = &action["index"];
        assert_eq!(meta["_index"], "case-42");
        let id = meta["_id"].as_str().expect("_id");
        assert_eq!(id, bulk_id(&tl, e));
        assert_eq!(id.len(), 32);
        assert!(ids.insert(id.to_owned()), "ids are unique");
        let doc: Value = serde_json::from_str(pair[1]).expect("document JSON");
        assert_eq!(doc, tplus_report::event_json(&tl, e));
        assert!(!pair[1].contains('\n'));
    }

    // The documents are the timeline.jsonl lines byte for byte.
    let mut jsonl = Vec::new();
    tplus_model::TimelineSink::write(&tplus_report::JsonlSink, &tl, &mut jsonl).expect("jsonl");
    let jsonl = String::from_utf8(jsonl).expect("utf-8");
    let docs: Vec<&str> = lines.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(docs, jsonl.lines().collect::<Vec<_>>());

    // custody records: both files, hashed.
    assert_eq!(records.len(), 2);
    for r in &records {
        let bytes = std::fs::read(&r.path).expect("output");
        assert_eq!(tplus_custody::sha256_hex(&bytes), r.sha256);
    }
    assert_eq!(records[1].path, template_path(&file).display().to_string());
    assert!(records[1].path.ends_with("events.ndjson.template.json"));
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("dir")
        .flatten()
        .collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left");
}

#[test]
fn ids_are_stable_across_runs_paths_and_time_corrections() {
    let tl = tplus_export::synthetic_timeline(300, 1);
    let ids: Vec<String> = tl.events.iter().map(|e| bulk_id(&tl, e)).collect();

    // The same evidence collected under another path, re-read with another T0 and a
    // corrected zone (every time shifted), listed in another order: the same ids.
    let mut again = tl.clone();
    for i in &mut again.inputs {
        i.path = format!("/mnt/case-copy/{}", i.path);
    }
    again.run.t0_us += 3_600_000_000;
    for e in &mut again.events {
        e.ts_us -= 3_600_000_000;
    }
    for (e, id) in again.events.iter().zip(&ids) {
        // The third input has no hash: its path stands in, so moving it changes its ids.
        if tl.inputs[e.input as usize].sha256.is_some() {
            assert_eq!(&bulk_id(&again, e), id);
        }
    }
    again.events.reverse();
    let set: BTreeSet<String> = again
        .events
        .iter()
        .filter(|e| tl.inputs[e.input as usize].sha256.is_some())
        .map(|e| bulk_id(&again, e))
        .collect();
    assert!(set.iter().all(|id| ids.contains(id)));

    // Different evidence, position or format: different ids.
    let e = &tl.events[0];
    let mut other = tl.clone();
    other.inputs[e.input as usize].sha256 = Some("d".repeat(64));
    assert_ne!(bulk_id(&other, e), ids[0]);
    let mut moved = e.clone();
    moved.location.offset += 1;
    assert_ne!(bulk_id(&tl, &moved), ids[0]);
    let mut reread = e.clone();
    reread.source = "other.format";
    assert_ne!(bulk_id(&tl, &reread), ids[0]);

    // Two writes of the same timeline are byte-identical.
    let tmp = tempfile::tempdir().expect("tmp");
    let a = write_bulk(&tmp.path().join("a.ndjson"), "t", &tl, false).expect("a");
    let b = write_bulk(&tmp.path().join("b.ndjson"), "t", &tl, false).expect("b");
    assert_eq!(a[0].sha256, b[0].sha256);
}

fn mapping_type<'a>(props: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = props;
    for (i, k) in path.iter().enumerate() {
        let f = cur.get(k)?;
        if i + 1 == path.len() {
            return Some(f);
        }
        cur = f.get("properties")?;
    }
    None
}

#[test]
fn the_template_maps_every_document_field_with_the_right_type() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tl = tplus_export::synthetic_timeline(200, 1);
    let file = tmp.path().join("bulk.ndjson");
    write_bulk(&file, "tplus-timeline", &tl, false).expect("bulk");
    let t: Value = serde_json::from_slice(&std::fs::read(template_path(&file)).expect("template"))
        .expect("JSON");
    assert_eq!(t["index_patterns"], serde_json::json!(["tplus-timeline"]));
    assert_eq!(t, index_template("tplus-timeline"));
    let m = &t["template"]["mappings"];
    assert_eq!(m["dynamic"], false);
    let props = &m["properties"];

    let ty = |p: &[&str]| {
        mapping_type(props, p)
            .and_then(|f| f.get("type"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    assert_eq!(ty(&["datetime"]).as_deref(), Some("date"));
    assert_eq!(
        props["datetime"]["format"].as_str(),
        Some("strict_date_optional_time_nanos")
    );
    assert_eq!(ty(&["timestamp"]).as_deref(), Some("long"));
    assert_eq!(ty(&["src_ip"]).as_deref(), Some("ip"));
    assert_eq!(ty(&["message"]).as_deref(), Some("text"));
    assert_eq!(props["message"]["fields"]["keyword"]["type"], "keyword");
    assert_eq!(ty(&["t_offset_seconds"]).as_deref(), Some("double"));
    for k in [
        "event_id",
        "source",
        "host",
        "actor",
        "action",
        "confidence",
        "outcome",
        "tags",
    ] {
        assert_eq!(ty(&[k]).as_deref(), Some("keyword"), "{k}");
    }
    assert_eq!(ty(&["evidence", "sha256"]).as_deref(), Some("keyword"));
    assert_eq!(ty(&["evidence", "offset"]).as_deref(), Some("long"));

    // Every field of every document has a mapping (attributes: kept, not indexed).
    let text = std::fs::read_to_string(&file).expect("read");
    for line in text.lines().skip(1).step_by(2) {
        let doc: Value = serde_json::from_str(line).expect("doc");
        for (k, v) in doc.as_object().expect("object") {
            let f = props.get(k).unwrap_or_else(|| panic!("no mapping for {k}"));
            if let Some(inner) = v.as_object() {
                if k == "attributes" {
                    assert_eq!(f["enabled"], false);
                    continue;
                }
                for ik in inner.keys() {
                    assert!(f["properties"].get(ik).is_some(), "no mapping for {k}.{ik}");
                }
            }
            // Values the declared type accepts.
            match f.get("type").and_then(Value::as_str) {
                Some("long" | "short" | "double") => assert!(v.is_number(), "{k}: {v}"),
                Some("date") => {
                    let s = v.as_str().expect("date string");
                    assert!(chrono::DateTime::parse_from_rfc3339(s).is_ok(), "{k}: {s}");
                }
                Some("ip") => {
                    assert!(
                        v.is_null()
                            || v.as_str()
                                .is_some_and(|s| s.parse::<std::net::IpAddr>().is_ok()),
                        "{k}: {v}"
                    );
                }
                Some("keyword" | "text") => assert!(
                    v.is_null()
                        || v.is_string()
                        || v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
                    "{k}: {v}"
                ),
                _ => {}
            }
        }
    }
}

#[test]
fn an_existing_bulk_file_is_refused_unless_replacing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tl = tplus_export::synthetic_timeline(10, 1);
    let file = tmp.path().join("bulk.ndjson");
    std::fs::write(&file, "keep").expect("write");
    let err = write_bulk(&file, "x", &tl, false).expect_err("refused");
    assert!(err.to_string().contains("bulk.ndjson"), "{err}");
    assert_eq!(std::fs::read(&file).expect("read"), b"keep");
    assert!(!template_path(&file).exists());
    write_bulk(&file, "x", &tl, true).expect("replaced");
    assert_ne!(std::fs::read(&file).expect("read"), b"keep");

    // Missing folders are created; a regular file in the way is an error naming the path.
    let nested = tmp.path().join("new/dir/bulk.ndjson");
    write_bulk(&nested, "x", &tl, false).expect("folders created");
    assert!(nested.is_file());
    let blocked = file.join("below-a-file.ndjson");
    let err = write_bulk(&blocked, "x", &tl, false).expect_err("refused");
    assert!(err.to_string().contains("below-a-file.ndjson"), "{err}");
}

#[test]
fn index_names_follow_the_servers_rules() {
    for ok in ["tplus-timeline", "case_42", "a.b", "incident-2025.11.02"] {
        assert!(validate_index_name(ok).is_ok(), "{ok}");
    }
    for bad in [
        "", "Upper", "_x", "-x", "+x", ".", "..", "a b", "a/b", "a*", "a,b", "a#b", "a:b", "a\"b",
    ] {
        assert!(validate_index_name(bad).is_err(), "{bad:?}");
    }
    assert!(validate_index_name(&"a".repeat(256)).is_err());
    let tmp = tempfile::tempdir().expect("tmp");
    let tl = tplus_export::synthetic_timeline(1, 1);
    assert!(write_bulk(&tmp.path().join("b.ndjson"), "Bad Name", &tl, false).is_err());
    assert_eq!(std::fs::read_dir(tmp.path()).expect("dir").count(), 0);
}
