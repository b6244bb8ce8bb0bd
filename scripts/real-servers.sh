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

WEBSOCKETS_VERSION=17.4
WS_VERSION=8.23.0
BASE=.real-servers
OUT=target/real-servers
WSGAUNTLET=${WSGAUNTLET:-target/release/wsgauntlet}
SERVERS=("$@")
[ ${#SERVERS[@]} -gt 0 ] || SERVERS=(strict_echo websockets ws)

# Caches and logs of pip and npm stay inside $BASE too.
export PIP_CACHE_DIR=$PWD/$BASE/cache/pip PIP_DISABLE_PIP_VERSION_CHECK=1
export npm_config_cache=$PWD/$BASE/cache/npm npm_config_update_notifier=false
export PYTHONDONTWRITEBYTECODE=1

if [ ! -x "$WSGAUNTLET" ]; then
    [ "$WSGAUNTLET" = target/release/wsgauntlet ] || { echo "no binary at $WSGAUNTLET" >&2; exit 2; }
    cargo build --release
fi

install_websockets() {
    local py=$BASE/venv/bin/python
    if [ ! -x "$py" ]; then
        python3 -m venv "$BASE/venv" || {
            rm -rf "$BASE/venv"
            echo "python3 -m venv failed (Debian: apt-get install python3-venv)" >&2
            return 1
        }
    fi
    if [ "$("$py" -c 'import websockets; print(websockets.__version__)' 2>/dev/null)" != "$WEBSOCKETS_VERSION" ]; then
        "$py" -m pip install --quiet "websockets==$WEBSOCKETS_VERSION"
    fi
}

install_ws() {
    local pkg=$BASE/node/node_modules/ws/package.json
    command -v npm >/dev/null || { echo "ws needs node and npm (Debian: apt-get install nodejs npm)" >&2; return 1; }
    if [ "$(node -p "require('./$pkg').version" 2>/dev/null)" != "$WS_VERSION" ]; then
        mkdir -p "$BASE/node"
        npm install --prefix "$BASE/node" --no-audit --no-fund --silent "ws@$WS_VERSION"
    fi
}

PIDS=()
# shellcheck disable=SC2317  # called by the trap
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME LOG CMD...: starts an echo server on port 0, sets PORT.
start() {
    local name=$1 log=$2
    shift 2
    "$@" --port 0 >"$log.out" 2>"$log.err" &
    PIDS+=($!)
    for _ in $(seq 100); do
        PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log.out")
        [ -n "$PORT" ] && return 0
        kill -0 "${PIDS[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "$name: the server did not start:" >&2
    cat "$log.out" "$log.err" >&2
    return 1
}

# compare RESULTS TOML: prints outcome counts, then each case whose outcome
# is not the expected one; exit 1 if there is any.
compare() {
    python3 - "$1" "$2" <<'EOF'
import fnmatch, json, sys
try:
    import tomllib
except ImportError:  # Python < 3.11
    sys.exit("compare: needs Python 3.11 (tomllib)")
results, toml = sys.argv[1:]
cases = json.load(open(results))["cases"]
expect = tomllib.load(open(toml, "rb"))
order = ["PASS", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAIL", "ERROR"]
counts = {o: 0 for o in order}
diffs = []
for c in cases:
    counts[c["outcome"]] = counts.get(c["outcome"], 0) + 1
    # As wsgauntlet's --expect: `*` and `?` over the whole id, the longest glob wins.
    globs = [g for g in expect if fnmatch.fnmatchcase(c["id"], g)]
    entry = expect[max(globs, key=len)] if globs else {"outcome": "PASS"}
    want = entry["outcome"]
    # `also`: outcomes the server gives by its own timing.
    if c["outcome"] != want and c["outcome"] not in entry.get("also", []):
        why = " ".join(str(x) for x in (c.get("reason"), c.get("close_code")) if x)
        diffs.append(f"  {c['id']}: expected {want}, now {c['outcome']} {why}".rstrip())
print(" ".join(f"{o} {n}" for o, n in counts.items()) + f" ({len(cases)} cases)")
print("\n".join(diffs))
sys.exit(1 if diffs else 0)
EOF
}

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
    cmp_rc=0
    report=$(compare "$dir/results.json" "tests/real-servers/$name.toml") || cmp_rc=$?
    counts=$(head -1 <<<"$report")
    if [ "$rc" -eq 0 ] && [ "$cmp_rc" -eq 0 ]; then
        echo "$name: $counts: as expected"
    else
        echo "$name: $counts: DIFFERS from tests/real-servers/$name.toml (conform exit $rc)"
        tail -n +2 <<<"$report"
        [ "$status" -ne 0 ] || status=1
    fi
done
exit "$status"
