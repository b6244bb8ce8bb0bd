#!/usr/bin/env bash
# Runs the client catalogue (`wsgauntlet serve`) against real WebSocket clients
# that negotiate permessage-deflate, and gates on their known deviations:
#
#   websockets   tests/clients/websockets_client.py on Python `websockets` (PyPI)
#   ws           tests/clients/ws_client.js on node `ws` (npm)
#
#   scripts/real-clients.sh                 # every client
#   scripts/real-clients.sh ws              # some of them
#   WSGAUNTLET=/path/to/wsgauntlet scripts/real-clients.sh
#
# serve runs with --quick (section 9 at a sixteenth of its sizes), so the
# known deviations below are those of one profile; it takes about 2.5 minutes.
# Installs the pinned libraries into .real-servers/ (git-ignored, shared with
# scripts/real-servers.sh; nothing is written outside it and target/real-clients/),
# starts `wsgauntlet serve --once --listen 127.0.0.1:0 --report-dir
# target/real-clients/NAME`, runs the client's Autobahn driver against it and
# compares NAME/results.json with tests/real-clients/NAME.toml (the longest
# matching glob; PASS when no glob matches; improvements count as differences
# too, so the TOML files stay exact). Prints one line per client. Exit 1 if any
# client differs, 2 if one could not be set up or tested.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/real-clients
CLIENTS=("$@")
[ ${#CLIENTS[@]} -gt 0 ] || CLIENTS=(websockets ws)
# shellcheck source=lib/real-impls.sh
. scripts/lib/real-impls.sh

status=0
for name in "${CLIENTS[@]}"; do
    dir=$OUT/$name
    rm -rf "$dir" && mkdir -p "$dir"
    case $name in
        websockets) install_websockets || { status=2; continue; }
            driver=("$BASE/venv/bin/python" tests/clients/websockets_client.py) ;;
        ws) install_ws || { status=2; continue; }
            driver=(env NODE_PATH="$BASE/node/node_modules" node tests/clients/ws_client.js) ;;
        *) echo "unknown client $name (websockets, ws)" >&2; exit 2 ;;
    esac
    "$WSGAUNTLET" serve --once --listen 127.0.0.1:0 --report-dir "$dir/reports" \
        --quick >"$dir/serve.out" 2>"$dir/serve.err" &
    PIDS+=($!)
    serve_pid=$!
    await_port "$name" "$dir/serve" || { status=2; continue; }
    t0=$(date +%s)
    drc=0
    "${driver[@]}" "ws://127.0.0.1:$PORT" --agent "$name" >"$dir/driver.log" 2>&1 || drc=$?
    rc=0
    wait "$serve_pid" || rc=$?
    results=$dir/reports/$name/results.json
    if [ "$drc" -ne 0 ] || [ ! -f "$results" ]; then
        echo "$name: driver exit $drc, serve exit $rc, no results (see $dir/driver.log, $dir/serve.err)"
        tail -5 "$dir/driver.log"
        status=2
        continue
    fi
    # serve exits 1 when a case FAILed; the TOML decides whether that is expected.
    verdict "$name" "$results" "tests/real-clients/$name.toml" 0 " in $(( $(date +%s) - t0 )) s" \
        "serve exit $rc" || { [ "$status" -ne 0 ] || status=1; }
done
exit "$status"
