"""Reads a tplus Parquet export with DuckDB and pyarrow and checks it against timeline.jsonl.

usage: check_parquet.py PARQUET_DIR TIMELINE_JSONL [FINDINGS_JSON]
Exit 0: checked; 77: duckdb or pyarrow missing (the caller decides whether that is a skip);
anything else: a failed check (the assertion says which).
"""
import collections
import glob
import json
import os
import sys

try:
    import duckdb
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as papq
except ImportError as e:  # pragma: no cover
    print(f"missing python module: {e}", file=sys.stderr)
    sys.exit(77)

pq_dir, jsonl = sys.argv[1], sys.argv[2]
findings_json = sys.argv[3] if len(sys.argv) > 3 else None
with open(jsonl, encoding="utf-8") as f:
    lines = [json.loads(l) for l in f]

files = sorted(glob.glob(os.path.join(pq_dir, "timeline", "*", "*.parquet")))
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
rel = f"read_parquet('{pq_dir}/timeline/*/*.parquet', hive_partitioning = true)"

if not lines:
    assert not files, f"no events in the JSONL but Parquet files exist: {files}"
else:
    n = con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0]
    assert n == len(lines), f"duckdb counts {n} rows, the JSONL has {len(lines)}"

    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()}
    want = {
        "ts": "TIMESTAMP WITH TIME ZONE",
        "ts_us": "BIGINT",
        "datetime": "VARCHAR",
        "t_offset": "VARCHAR",
        "t_offset_seconds": "DOUBLE",
        "confidence": "VARCHAR",
        "outcome": "VARCHAR",
        "actor_kind": "VARCHAR",
        "confidence_reasons": "VARCHAR[]",
        "tags": "VARCHAR[]",
        "evidence_path": "VARCHAR",
        "evidence_sha256": "VARCHAR",
        "evidence_line": "BIGINT",
        "evidence_record": "BIGINT",
        "evidence_offset": "BIGINT",
        "significance": "INTEGER",
        "count": "BIGINT",
        "attributes": "VARCHAR",
    }
    for col, t in want.items():
        assert types.get(col) == t, f"column {col}: duckdb type {types.get(col)}, expected {t}"
    assert types.get("date") in ("DATE", "VARCHAR"), f"hive partition column date: {types.get('date')}"

    mn, mx, mn_us, mx_us = con.execute(
        f"SELECT strftime(min(ts), '%Y-%m-%dT%H:%M:%S.%fZ'), strftime(max(ts), '%Y-%m-%dT%H:%M:%S.%fZ'),"
        f" min(ts_us), max(ts_us) FROM {rel}"
    ).fetchone()
    assert mn == lines[0]["datetime"], f"min(ts) {mn} != first datetime {lines[0]['datetime']}"
    assert mx == lines[-1]["datetime"], f"max(ts) {mx} != last datetime {lines[-1]['datetime']}"
    assert (mn_us, mx_us) == (lines[0]["timestamp"], lines[-1]["timestamp"])

    bad = con.execute(
        f"SELECT count(*) FROM {rel} WHERE strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ') <> datetime"
        f" OR epoch_us(ts) <> ts_us OR CAST(date AS VARCHAR) <> substr(datetime, 1, 10)"
    ).fetchone()[0]
    assert bad == 0, f"{bad} rows where ts, ts_us, datetime and the partition disagree"

    expected = collections.Counter((l["datetime"][:10], l["source"]) for l in lines)
    got = {
        (d, s): c
        for d, s, c in con.execute(
            f"SELECT CAST(date AS VARCHAR), source, count(*) FROM {rel} GROUP BY ALL"
        ).fetchall()
    }
    assert got == dict(expected), f"per day and source: {got} != {dict(expected)}"
    (day, source), count = expected.most_common(1)[0]
    c = con.execute(
        f"SELECT count(*) FROM {rel} WHERE date = DATE '{day}' AND source = ?", [source]
    ).fetchone()[0]
    assert c == count, f"query by day {day} and source {source}: {c} rows, expected {count}"

    def norm_json(l):
        ev = l["evidence"]
        return (
            l["datetime"], l["timestamp"], l["timestamp_desc"], l["message"], l["t_offset"],
            l["t_offset_seconds"], l["source"], l["host"], l["actor"], l["actor_kind"],
            l["action"], l["target"], l["src_ip"], l["outcome"], l["confidence"],
            tuple(l["confidence_reasons"]), l["event_id"], l["ts_raw"], ev["path"],
            ev["sha256"] or None, ev["line"], ev["record"], ev["offset"], tuple(l["tags"]),
            l["significance"], l["count"], json.dumps(l["attributes"], sort_keys=True),
        )

    cols = (
        "datetime, ts_us, timestamp_desc, message, t_offset, t_offset_seconds, source, host,"
        " actor, actor_kind, action, target, src_ip, outcome, confidence, confidence_reasons,"
        " event_id, ts_raw, evidence_path, evidence_sha256, evidence_line, evidence_record,"
        " evidence_offset, tags, significance, count, attributes"
    )
    rows = con.execute(f"SELECT {cols} FROM {rel}").fetchall()
    from_pq = sorted(
        (*r[:15], tuple(r[15]), *r[16:23], tuple(r[23]), r[24], r[25],
         json.dumps(json.loads(r[26]), sort_keys=True))
        for r in rows
    )
    from_jsonl = sorted(norm_json(l) for l in lines)
    for a, b in zip(from_pq, from_jsonl):
        assert a == b, f"row differs:\nparquet {a}\njsonl   {b}"
    assert len(from_pq) == len(from_jsonl)

    # pyarrow: the Hive dataset, the Arrow types, and the physical encoding of ts.
    d = ds.dataset(os.path.join(pq_dir, "timeline"), format="parquet", partitioning="hive")
    assert d.count_rows() == len(lines)
    s = d.schema
    assert s.field("ts").type == pa.timestamp("us", tz="UTC"), s.field("ts").type
    assert s.field("ts_us").type == pa.int64()
    assert s.field("t_offset_seconds").type == pa.float64()
    assert pa.types.is_list(s.field("confidence_reasons").type)
    for path in files:
        pf = papq.ParquetFile(path)
        col = pf.schema.column(0)
        assert col.name == "ts" and col.physical_type == "INT64", (col.name, col.physical_type)
        lt = str(col.logical_type)
        assert "isAdjustedToUTC=true" in lt and "MICROS" in lt.upper(), lt
        for g in range(pf.metadata.num_row_groups):
            assert pf.metadata.row_group(g).column(0).compression == "ZSTD"
        assert os.path.basename(os.path.dirname(path)).startswith("date=")

if findings_json:
    with open(findings_json, encoding="utf-8") as f:
        fj = json.load(f)["findings"]
    frel = f"read_parquet('{pq_dir}/findings/*.parquet')"
    got = con.execute(f"SELECT kind, severity, summary, strftime(start, '%Y-%m-%dT%H:%M:%S.%fZ') FROM {frel}").fetchall()
    want = [(x["kind"], x["severity"], x["summary"], x["start"]) for x in fj]
    assert sorted(got, key=str) == sorted(want, key=str), f"findings {got} != {want}"
    ftypes = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {frel}").fetchall()}
    assert ftypes["start"] == "TIMESTAMP WITH TIME ZONE" and ftypes["evidence"] == "VARCHAR[]", ftypes

print(f"parquet-check OK: {len(lines)} rows in {len(files)} files read by duckdb {duckdb.__version__} and pyarrow {pa.__version__}")
