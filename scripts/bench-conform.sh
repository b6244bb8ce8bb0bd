#!/usr/bin/env bash
# Wall time of a conformance run of Autobahn sections 1-10 (301 cases), release build,
# against the bundled reference server and a tokio-tungstenite echo server, each
# measured RUNS times (median shown). When Autobahn's wstest is installed (WSTEST=path,
# see below), it runs the same sections against the same reference server in the same
# script, and the ratio wstest / wsgauntlet is printed.
#
#   scripts/bench-conform.sh [RUNS]            # default 3
#   WSTEST=/path/to/bin/wstest scripts/bench-conform.sh
#
# Installing wstest for the comparison (never a dependency of the product):
#   PYTHONUSERBASE=$PWD/.autobahn $(pyenv prefix 2.7.18)/bin/python2.7 -m pip install --user autobahntestsuite==25.10.1
#   WSTEST=$PWD/.autobahn/bin/wstest scripts/bench-conform.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
sections='1.*,2.*,3.*,4.*,5.*,6.*,7.*,9.*,10.*'
cargo build --release --quiet --bin wsgauntlet --example tungstenite_echo
bin=target/release/wsgauntlet
tmp=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

"$bin" echo-server --listen 127.0.0.1:19101 >/dev/null 2>&1 & pids+=($!)
target/release/examples/tungstenite_echo 127.0.0.1:19102 >/dev/null 2>&1 & pids+=($!)
sleep 0.5

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_run() { # url -> seconds
    local t0 t1
    t0=$(date +%s.%N)
    "$bin" conform "$1" --cases "$sections" --report-dir "$tmp/r" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}

declare -A result
for name in reference tungstenite; do
    port=19101; [[ $name == tungstenite ]] && port=19102
    result[$name]=$(for _ in $(seq "$runs"); do time_run "ws://127.0.0.1:$port/"; done | median)
    summary=$(python3 -c "import json;r=json.load(open('$tmp/r/results.json'));import collections;print(dict(collections.Counter(c['outcome'] for c in r['cases'])))")
    printf '%-12s sections 1-10 (301 cases): %6.2f s  %s\n' "$name" "${result[$name]}" "$summary"
done

if [[ -n "${WSTEST:-}" && -x "${WSTEST}" ]]; then
    cat >"$tmp/spec.json" <<SPEC
{"outdir": "$tmp/autobahn", "servers": [{"agent": "reference", "url": "ws://127.0.0.1:19101"}],
 "cases": ["1.*","2.*","3.*","4.*","5.*","6.*","7.*","9.*","10.*"], "exclude-cases": [], "exclude-agent-cases": {}}
SPEC
    t0=$(date +%s.%N)
    (cd "$tmp" && "$WSTEST" -m fuzzingclient -s "$tmp/spec.json" >/dev/null 2>&1) || true
    t1=$(date +%s.%N)
    wst=$(echo "$t1 - $t0" | bc -l)
    printf '%-12s sections 1-10 against the reference server: %6.2f s\n' "wstest" "$wst"
    printf 'ratio wstest / wsgauntlet (reference server): %.1fx\n' "$(echo "$wst / ${result[reference]}" | bc -l)"
else
    echo "(set WSTEST to Autobahn's wstest to measure it in the same run; see the header of this script)"
fi
