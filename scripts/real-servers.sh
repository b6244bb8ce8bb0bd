#!/usr/bin/env bash
# Runs the whole catalogue against real WebSocket servers and gates on their
# known deviations:
#
#   strict_echo  tests/servers/strict_echo.py (Python stdlib, strict)
#   websockets   tests/servers/websockets_echo.py on Python `websockets` (PyPI)
#   ws           tests/servers/ws_echo.js on node `ws` (npm)
#
#   scripts/real-servers.sh                 # every server
#   scripts/real-servers.sh ws websockets   # some of them
#   WSGAUNTLET=/path/to/wsgauntlet scripts/real-servers.sh
#
# Installs the pinned libraries into .real-servers/ (git-ignored; nothing is
# written outside it and target/real-servers/), starts each echo server on a
# free loopback port, runs
#   wsgauntlet conform URL --report-dir target/real-servers/NAME --format json,md
#                          --expect tests/real-servers/NAME.toml
# and prints one line per server. A server differs from its expectations when
# conform with --expect exits non-zero, or when any case's outcome is not
# exactly the one the TOML gives (the longest matching glob; PASS when no glob
# matches), improvements included, so the TOML files stay exact. Exit 1 if any
# server differs, 2 if one could not be set up or tested.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/real-servers
SERVERS=("$@")
[ ${#SERVERS[@]} -gt 0 ] || SERVERS=(strict_echo websockets ws)
# shellcheck source=lib/real-impls.sh
. scripts/lib/real-impls.sh

status=0
for name in "${SERVERS[@]}"; do
    dir=$OUT/$name
    mkdir -p "$dir"
    case $name in
        strict_echo) start "$name" "$dir/server" python3 tests/servers/strict_echo.py || { status=2; continue; } ;;
        websockets)
            install_websockets || { status=2; continue; }
            start "$name" "$dir/server" "$BASE/venv/bin/python" tests/servers/websockets_echo.py || { status=2; continue; } ;;
        ws)
            install_ws || { status=2; continue; }
            start "$name" "$dir/server" env NODE_PATH="$BASE/node/node_modules" node tests/servers/ws_echo.js || { status=2; continue; } ;;
        *) echo "unknown server $name (strict_echo, websockets, ws)" >&2; exit 2 ;;
    esac
    rc=0
    "$WSGAUNTLET" conform "ws://127.0.0.1:$PORT/" --agent "$name" --report-dir "$dir" \
        --format json,md --expect "tests/real-servers/$name.toml" >"$dir/conform.log" 2>&1 || rc=$?
    kill "${PIDS[-1]}" 2>/dev/null || true
    if [ ! -f "$dir/results.json" ]; then
        echo "$name: conform exit $rc, no results (see $dir/conform.log)"
        tail -5 "$dir/conform.log"
        status=2
        continue
    fi
    verdict "$name" "$dir/results.json" "tests/real-servers/$name.toml" "$rc" "" "conform exit $rc" ||
        { [ "$status" -ne 0 ] || status=1; }
done
exit "$status"
