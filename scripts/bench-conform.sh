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
# Then it prints the tester's peak RSS (GNU time's maximum resident set size) in three
# runs, against the targets: a full conform run (all sections, default jobs) against
# tests/servers/strict_echo.py (≤ 128 MiB), a full run against
# tests/servers/endless_frame.py, which answers every case with one frame that never
# ends (≤ 64 MiB), and `serve` running the whole client catalogue for the
# tokio-tungstenite client of examples/serve_client.rs (≤ 128 MiB).
#
#   RSS_ONLY=1 scripts/bench-conform.sh        # only the peak-RSS figures
#
# permessage-deflate (sections 12 and 13): with DEFLATE=1 the script runs only
# `wsgauntlet conform --cases $DEFLATE_CASES` and, when WSTEST is set, Autobahn's
# fuzzingclient on the same case patterns against the same bundled reference server
# (echo-server, which negotiates permessage-deflate), and prints both wall times and the
# ratio. The default patterns pick the variants 2-5 of every data set (1000 messages of
# 64-4096 bytes), where both tools send exactly the same traffic; wsgauntlet sends
# fewer messages than Autobahn's 1000 in the larger variants (at most 4 MiB a case,
# src/catalog/s12_deflate_data.rs), so comparing those would flatter it.
#   DEFLATE=1 WSTEST=$PWD/.autobahn/bin/wstest scripts/bench-conform.sh
#   DEFLATE=1 DEFLATE_CASES='12.*,13.*' WSTEST=... scripts/bench-conform.sh   # all 216
#   DEFLATE=1 DEFLATE_JOBS=1 ...   # wsgauntlet one case at a time, as wstest runs them
#
# Installing wstest for the comparison (never a dependency of the product):
#   PYTHONUSERBASE=$PWD/.autobahn $(pyenv prefix 2.7.18)/bin/python2.7 -m pip install --user autobahntestsuite==25.10.1
#   WSTEST=$PWD/.autobahn/bin/wstest scripts/bench-conform.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
sections='1.*,2.*,3.*,4.*,5.*,6.*,7.*,9.*,10.*'
# The examples first and the binary alone: built together, the dev-dependencies'
# features reach the binary (ratchet_rs turns on flate2's C zlib, which then
# replaces zlib-rs), and it would not be the binary users install.
cargo build --release --quiet --example tungstenite_echo --example serve_client
cargo build --release --quiet --bin wsgauntlet
bin=${CARGO_TARGET_DIR:-target}/release/wsgauntlet
tmp=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

"$bin" echo-server --listen 127.0.0.1:19101 >/dev/null 2>&1 & pids+=($!)
target/release/examples/tungstenite_echo 127.0.0.1:19102 >/dev/null 2>&1 & pids+=($!)
sleep 0.5

if [[ -n "${DEFLATE:-}" ]]; then
    cases="${DEFLATE_CASES:-12.*.2,12.*.3,12.*.4,12.*.5,13.*.2,13.*.3,13.*.4,13.*.5}"
    t0=$(date +%s.%N)
    "$bin" conform ws://127.0.0.1:19101/ --cases "$cases" ${DEFLATE_JOBS:+--jobs "$DEFLATE_JOBS"} \
        --report-dir "$tmp/d" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    ours=$(echo "$t1 - $t0" | bc -l)
    summary=$(python3 -c "import json,collections;r=json.load(open('$tmp/d/results.json'));print(len(r['cases']),'cases',dict(collections.Counter(c['outcome'] for c in r['cases'])))")
    printf 'wsgauntlet  %s: %8.2f s  %s\n' "$cases" "$ours" "$summary"
    if [[ -n "${WSTEST:-}" && -x "${WSTEST}" ]]; then
        # A --user install (see above) needs its base on the path.
        export PYTHONUSERBASE="${PYTHONUSERBASE:-$(dirname "$(dirname "$WSTEST")")}"
        list=$(python3 -c "import json,sys;print(json.dumps(sys.argv[1].split(',')))" "$cases")
        cat >"$tmp/spec.json" <<SPEC
{"outdir": "$tmp/autobahn", "servers": [{"agent": "reference", "url": "ws://127.0.0.1:19101"}],
 "cases": $list, "exclude-cases": [], "exclude-agent-cases": {}}
SPEC
        t0=$(date +%s.%N)
        (cd "$tmp" && "$WSTEST" -m fuzzingclient -s "$tmp/spec.json" >"$tmp/wstest.log" 2>&1) || true
        t1=$(date +%s.%N)
        wst=$(echo "$t1 - $t0" | bc -l)
        summary=$(python3 -c "import json,collections;r=json.load(open('$tmp/autobahn/index.json'))['reference'];print(len(r),'cases',dict(collections.Counter(c['behavior'] for c in r.values())))" 2>/dev/null || echo "no index.json: $(tail -3 "$tmp/wstest.log")")
        printf 'wstest      %s: %8.2f s  %s\n' "$cases" "$wst" "$summary"
        printf 'ratio wstest / wsgauntlet (permessage-deflate, reference server): %.1fx\n' "$(echo "$wst / $ours" | bc -l)"
    else
        echo "(set WSTEST to Autobahn's wstest to measure it in the same run; see the header of this script)"
    fi
    exit 0
fi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_run() { # url -> seconds
    local t0 t1
    t0=$(date +%s.%N)
    "$bin" conform "$1" --cases "$sections" --report-dir "$tmp/r" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}

declare -A result
[[ -n "${RSS_ONLY:-}" ]] && runs=0
for name in reference tungstenite; do
    [[ $runs == 0 ]] && break
    port=19101; [[ $name == tungstenite ]] && port=19102
    result[$name]=$(for _ in $(seq "$runs"); do time_run "ws://127.0.0.1:$port/"; done | median)
    summary=$(python3 -c "import json;r=json.load(open('$tmp/r/results.json'));import collections;print(dict(collections.Counter(c['outcome'] for c in r['cases'])))")
    printf '%-12s sections 1-10 (301 cases): %6.2f s  %s\n' "$name" "${result[$name]}" "$summary"
done

if [[ $runs != 0 && -n "${WSTEST:-}" && -x "${WSTEST}" ]]; then
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
elif [[ $runs != 0 ]]; then
    echo "(set WSTEST to Autobahn's wstest to measure it in the same run; see the header of this script)"
fi

# Peak RSS of the tester, in KiB, of a command run under GNU time.
peak_kib() { /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>&1 || true; cat "$tmp/rss" | tail -1; }
show_rss() { # label kib target_mib
    local mib; mib=$(echo "$2 / 1024" | bc -l)
    local verdict=met; (( $(echo "$mib > $3" | bc -l) )) && verdict="NOT met"
    printf '%-52s peak RSS %7.1f MiB  (target <= %d MiB: %s)\n' "$1" "$mib" "$3" "$verdict"
}
listen_port() { # file -> port printed as "listening on HOST:PORT"
    for _ in $(seq 50); do grep -q listening "$1" 2>/dev/null && break; sleep 0.1; done
    sed -n 's/.*listening on [^:]*:\([0-9]*\).*/\1/p' "$1"
}
python3 tests/servers/strict_echo.py --port 0 >"$tmp/echo.out" 2>&1 & pids+=($!)
python3 tests/servers/endless_frame.py --port 0 >"$tmp/endless.out" 2>&1 & pids+=($!)
echo_port=$(listen_port "$tmp/echo.out"); endless_port=$(listen_port "$tmp/endless.out")
show_rss "conform, all sections, vs strict_echo.py" \
    "$(peak_kib "$bin" conform "ws://127.0.0.1:$echo_port/" --report-dir "$tmp/rss-echo")" 128
show_rss "conform, all sections, vs endless_frame.py" \
    "$(peak_kib "$bin" conform "ws://127.0.0.1:$endless_port/" --report-dir "$tmp/rss-endless")" 64
# The deflate bombs of 22.4 (16 MiB, 256 MiB, 1 GiB inflated) against the
# bundled server in a process of its own, so only the tester is measured.
show_rss "conform 22.4 (deflate bombs) vs echo-server" \
    "$(peak_kib "$bin" conform "ws://127.0.0.1:19101/" --cases '22.4.*' --report-dir "$tmp/rss-bombs")" 64
# A server that negotiates permessage-deflate (sections 12, 13, 21, 22 run),
# when scripts/real-servers.sh has installed Python websockets.
if [[ -x .real-servers/venv/bin/python ]]; then
    .real-servers/venv/bin/python tests/servers/websockets_echo.py --port 0 >"$tmp/wsk.out" 2>&1 & pids+=($!)
    wsk_port=$(listen_port "$tmp/wsk.out")
    show_rss "conform, all sections, vs Python websockets (deflate)" \
        "$(peak_kib "$bin" conform "ws://127.0.0.1:$wsk_port/" --report-dir "$tmp/rss-wsk")" 128
else
    echo "(run scripts/real-servers.sh once to measure conform against Python websockets, which negotiates deflate)"
fi
/usr/bin/time -f '%M' -o "$tmp/rss-serve" "$bin" serve --listen 127.0.0.1:19103 --once \
    --report-dir "$tmp/rss-serve-reports" >/dev/null 2>&1 & serve_pid=$!
sleep 0.5
target/release/examples/serve_client 127.0.0.1:19103 bench >/dev/null 2>&1 || true
wait "$serve_pid" || true
show_rss "serve, whole client catalogue, tokio-tungstenite client" "$(tail -1 "$tmp/rss-serve")" 128
