# Sourced by scripts/real-servers.sh and scripts/real-clients.sh: the pinned
# real implementations (Python websockets from PyPI, node ws from npm, installed
# into the git-ignored .real-servers/), and comparing a results.json with a
# TOML of known deviations (processes: lib/procs.sh). The caller has done `cd`
# to the repository root.
# shellcheck source=procs.sh
. scripts/lib/procs.sh

WEBSOCKETS_VERSION=17.4
WS_VERSION=8.23.0
BASE=.real-servers

# Caches and logs of pip and npm stay inside $BASE too.
export PIP_CACHE_DIR=$PWD/$BASE/cache/pip PIP_DISABLE_PIP_VERSION_CHECK=1
export npm_config_cache=$PWD/$BASE/cache/npm npm_config_update_notifier=false
export PYTHONDONTWRITEBYTECODE=1


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

# verdict NAME RESULTS TOML TOOL_RC NOTE DETAIL: compares RESULTS with TOML and
# prints NAME's line: "as expected" (with NOTE) when both the comparison and
# the tool's own exit code (TOOL_RC, 0 when it has no say) agree, else
# "DIFFERS" (with DETAIL) and each differing case. Returns 1 when it differs.
verdict() {
    local name=$1 results=$2 toml=$3 tool_rc=$4 note=$5 detail=$6 cmp_rc=0 report counts
    report=$(compare "$results" "$toml") || cmp_rc=$?
    counts=$(head -1 <<<"$report")
    if [ "$tool_rc" -eq 0 ] && [ "$cmp_rc" -eq 0 ]; then
        echo "$name: $counts$note: as expected"
        return 0
    fi
    echo "$name: $counts: DIFFERS from $toml ($detail)"
    tail -n +2 <<<"$report"
    return 1
}
