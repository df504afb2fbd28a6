//! `timeline.jsonl` through Timesketch's own import client, offline (see
//! `tests/py/check_timesketch.py`): every line accepted unchanged.

mod common;

use tplus_model::TimelineSink;

#[test]
fn timesketch_import_client_accepts_our_jsonl_unchanged() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tl = tplus_export::synthetic_timeline(3000, 3);
    // The client picks its reader by the file's extension: .jsonl.
    let path = tmp.path().join("timeline.jsonl");
    let mut buf = Vec::new();
    tplus_report::JsonlSink.write(&tl, &mut buf).expect("jsonl");
    std::fs::write(&path, buf).expect("write");
    common::run_checker("check_timesketch.py", &[&path]);
}
