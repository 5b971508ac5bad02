#!/bin/sh
# Writes the fuzzers' seed corpora from the recordings in shared/ari/captures:
# one file per recorded event frame (events/) and one per recorded REST answer
# body, prefixed with its two status bytes (rest/).
# Usage: seed_corpus.sh <captures dir> <output dir>
set -eu
captures=$1
out=$2
mkdir -p "$out/events" "$out/rest"
python3 - "$captures" "$out" <<'PY'
import json, pathlib, sys
captures, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
n = 0
for f in sorted(captures.glob("*.jsonl")):
    for i, line in enumerate(f.read_text().splitlines()):
        if not line.strip():
            continue
        if ".http." in f.name:
            rec = json.loads(line)
            body = b"" if rec["body"] is None else json.dumps(rec["body"]).encode()
            status = int(rec["status"]) - 100
            (out / "rest" / f"{f.stem}-{i}").write_bytes(bytes([status >> 8, status & 255]) + body)
        else:
            (out / "events" / f"{f.stem}-{i}").write_text(line)
        n += 1
print(f"{n} seeds written to {out}")
PY
