"""Feeds a timeline.jsonl through Timesketch's own import client, offline.

usage: check_timesketch.py TIMELINE_JSONL
The client's ImportStreamer reads the file exactly as `timesketch_importer` does
(`add_file` -> `add_json` -> `add_dict` -> `_fix_dict`) and buffers the events it would upload;
no server is contacted: the entry threshold is set above the line count so nothing is flushed,
and the sketch is a stand-in object (only the upload path uses it).
Checks: no line rejected (the client logs rejects as errors), every event buffered, the
Timesketch fields present and unchanged (`message`, `timestamp_desc`, `timestamp` µs) and
`datetime` read as the same instant.
Exit 77 when timesketch_import_client is not installed.
"""
import datetime
import json
import logging
import sys
import types

try:
    from timesketch_import_client import importer
except ImportError as e:  # pragma: no cover
    print(f"missing python module: {e}", file=sys.stderr)
    sys.exit(77)


class Rejects(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    original = [json.loads(l) for l in f]

rejects = Rejects()
logging.getLogger().addHandler(rejects)
streamer = importer.ImportStreamer()
# A stand-in sketch: only the upload path (never reached: nothing is flushed) uses it.
streamer.set_sketch(types.SimpleNamespace(api=types.SimpleNamespace(api_root="offline")))
streamer.set_entry_threshold(len(original) + 10)
streamer.add_file(path)
buffered = streamer._data_lines  # what would be uploaded

assert not rejects.records, f"the import client rejected lines: {rejects.records[:5]}"
assert len(buffered) == len(original), f"{len(buffered)} buffered of {len(original)} lines"
epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
for o, b in zip(original, buffered):
    for k in ("message", "timestamp_desc", "timestamp"):
        assert k in o, f"line lacks {k}: {o}"
        assert b[k] == o[k], f"{k} changed by the client: {o[k]!r} -> {b[k]!r}"
    assert isinstance(o["timestamp"], int)
    ours = datetime.datetime.strptime(o["datetime"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)
    theirs = datetime.datetime.fromisoformat(b["datetime"])
    assert theirs == ours, f"datetime {o['datetime']} read as {b['datetime']}"
    assert (ours - epoch) // datetime.timedelta(microseconds=1) == o["timestamp"], (
        o["datetime"], o["timestamp"])
print(f"timesketch-check OK: {len(buffered)} lines accepted by timesketch_import_client")
