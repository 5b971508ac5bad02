#!/bin/sh
# The pacing table: every policy on every scenario, median of N seeds, as a
# markdown table (for docs/pacing.md). Each cell is the median; occupancy and
# abandonment also show the seeds' min-max.
#
#   benchmarks/sim/pacing_table.sh [--sim PATH] [--scenarios DIR] [--seeds N] [--policies "a b ..."]
#
# Defaults: dialer-sim from build-sim/ (or $DIALER_SIM), the scenarios in
# /work/shared/scenarios (or $DIALER_SCENARIOS), 5 seeds, policies
# "progressive ratio:2 ratio:3 vicidial-tapered predictive oracle".
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sim=${DIALER_SIM:-}
scenarios=${DIALER_SCENARIOS:-/work/shared/scenarios}
seeds=5
policies="progressive ratio:2 ratio:3 vicidial-tapered predictive oracle"

while [ $# -gt 0 ]; do
  case "$1" in
    --sim) sim=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --policies) policies=$2; shift 2 ;;
    *) echo "usage: $0 [--sim PATH] [--scenarios DIR] [--seeds N] [--policies \"a b ...\"]" >&2; exit 2 ;;
  esac
done
if [ -z "$sim" ]; then
  for candidate in "$root/build-sim/tools/sim/dialer-sim" "$root/build/tools/sim/dialer-sim"; do
    if [ -x "$candidate" ]; then sim=$candidate; break; fi
  done
fi
if [ -z "$sim" ] || [ ! -x "$sim" ]; then
  echo "dialer-sim not found: build it (ninja dialer-sim) or pass --sim PATH" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for file in "$scenarios"/*.json; do
  i=10
  for policy in $policies; do
    i=$((i + 1))
    out="$tmp/$(basename "$file" .json)__${i}_$(echo "$policy" | tr ':' '_').json"
    if ! "$sim" --scenario "$file" --policy "$policy" --seeds "$seeds" --json >"$out" 2>"$out.err"; then
      printf '{"scenario": "%s", "policy": "%s", "error": "%s"}\n' "$(basename "$file" .json)" "$policy" \
        "$(head -c 200 "$out.err" | tr '"\n' "' ")" >"$out"
    fi
  done
done

python3 - "$tmp" "$seeds" <<'PY'
import glob, json, os, sys

tmp, seeds = sys.argv[1], sys.argv[2]
rows = []
for path in sorted(glob.glob(os.path.join(tmp, "*.json"))):
    with open(path) as f:
        rows.append(json.load(f))

def span(doc, key, scale, digits):
    values = [r[key] * scale for r in doc["runs"]]
    return f"{doc['median'][key] * scale:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"

print(f"Median of {seeds} seeds (min-max in parentheses). Rates in %.")
print()
print("| scenario | policy | occupancy % | abandon % | max 1h abandon % | idle/call s | connected/agent-h |")
print("|---|---|---|---|---|---|---|")
for doc in rows:
    if "error" in doc:
        print(f"| {doc['scenario']} | {doc['policy']} | n/a: {doc['error'].strip()} | | | | |")
        continue
    m = doc["median"]
    print(f"| {doc['scenario']} | {doc['policy']} | {span(doc, 'occupancy', 100, 1)} | "
          f"{span(doc, 'abandon_rate', 100, 2)} | {span(doc, 'abandon_max_1h', 100, 2)} | "
          f"{m['idle_per_call_s']:.1f} | {m['connected_per_agent_hour']:.2f} |")
PY
