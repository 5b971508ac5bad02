#!/bin/sh
# Writes the fuzzers' seed corpora from the recordings in shared/ari/captures:
# one file per recorded event frame (events/) and one per recorded REST answer
# body, prefixed with a status byte and a parser byte (rest/; see ari_rest_fuzz.cpp).
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
            statuses = [200, 201, 204, 400, 401, 403, 404, 409, 412, 422, 500, 503]
            status = int(rec["status"])
            s = statuses.index(status) if status in statuses else 12
            for parser in range(9):
                (out / "rest" / f"{f.stem}-{i}-{parser}").write_bytes(bytes([s, parser]) + body)
        else:
            (out / "events" / f"{f.stem}-{i}").write_text(line)
        n += 1
print(f"{n} seeds written to {out}")
PY
