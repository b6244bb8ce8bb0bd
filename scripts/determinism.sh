#!/usr/bin/env bash
# Same server, same verdicts? Runs the whole catalogue N times against
#   bundled      the bundled reference server (`conform` with no URL)
#   strict_echo  tests/servers/strict_echo.py (Python stdlib)
# each run with a second conform run in parallel (against its own bundled
# server, restarted until the measured run ends) loading the machine, and
# compares `id outcome reason` of every case of every run with run 1.
#
#   scripts/determinism.sh [N]        # N runs per server (default 20)
#   QUICK=1 scripts/determinism.sh 5  # with --quick (section 9 smaller)
#   WSGAUNTLET=/path/to/wsgauntlet scripts/determinism.sh
#
# Prints `determinism: N runs × M cases, D differences` per server (D counts
# the (run, case) pairs that differ from run 1), then each differing case
# with its outcome in every run. Results go to target/determinism/. Exit 1 on
# any difference, 2 if a run produced no results.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-20}
OUT=target/determinism
FLAGS=(--format json)
[ "${QUICK:-0}" = 1 ] && FLAGS+=(--quick)

# shellcheck source=lib/procs.sh
. scripts/lib/procs.sh

# load DIR: conform against the bundled server, over and over, until killed.
load() {
    local child=
    trap '[ -z "$child" ] || kill "$child" 2>/dev/null; exit 0' TERM
    while :; do
        "$WSGAUNTLET" conform "${FLAGS[@]}" --report-dir "$1" >/dev/null 2>&1 &
        child=$!
        wait "$child" || true
    done
}

# table RESULTS: one `id outcome reason` line per case, in catalogue order.
table() {
    python3 -c '
import json, sys
for c in json.load(open(sys.argv[1]))["cases"]:
    print(c["id"], c["outcome"], c.get("reason") or "-")
' "$1"
}

# run_server NAME [URL]: N measured runs, then the comparison; returns 1 on a difference.
run_server() {
    local name=$1 url=${2:-} dir=$OUT/$1 i
    rm -rf "$dir"
    mkdir -p "$dir"
    for i in $(seq "$N"); do
        load "$dir/load" &
        local loader=$!
        PIDS+=("$loader")
        "$WSGAUNTLET" conform ${url:+"$url"} "${FLAGS[@]}" --report-dir "$dir/run$i" \
            >"$dir/run$i.log" 2>&1 || true
        kill "$loader" 2>/dev/null || true
        wait "$loader" 2>/dev/null || true
        if [ ! -f "$dir/run$i/results.json" ]; then
            echo "$name: run $i produced no results:" >&2
            tail -5 "$dir/run$i.log" >&2
            return 2
        fi
        table "$dir/run$i/results.json" >"$dir/run$i.txt"
    done
    python3 - "$name" "$dir" "$N" <<'EOF'
import sys
name, d, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = []
for i in range(1, n + 1):
    rows = {}
    for line in open(f"{d}/run{i}.txt"):
        cid, outcome, reason = line.split()
        rows[cid] = f"{outcome} {reason}" if reason != "-" else outcome
    runs.append(rows)
first = runs[0]
ids = list(first) + sorted({c for r in runs[1:] for c in r} - set(first))
diffs, cases = 0, []
for cid in ids:
    seen = [r.get(cid, "missing") for r in runs]
    k = sum(1 for s in seen[1:] if s != seen[0])
    if k:
        diffs += k
        cases.append(f"  {cid}: " + ", ".join(f"run{i + 1} {s}" for i, s in enumerate(seen)))
print(f"{name}: determinism: {n} runs × {len(first)} cases, {diffs} differences")
print("\n".join(cases)) if cases else None
sys.exit(1 if diffs else 0)
EOF
}

status=0
rc=0
run_server bundled || rc=$?
[ "$rc" -le "$status" ] || status=$rc

start strict_echo "$OUT/strict_echo" python3 tests/servers/strict_echo.py || exit 2
rc=0
run_server strict_echo "ws://127.0.0.1:$PORT/" || rc=$?
[ "$rc" -le "$status" ] || status=$rc
exit "$status"
