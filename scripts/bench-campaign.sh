#!/usr/bin/env bash
# Fuzz campaign throughput on loopback (release build): inputs/s and the
# fuzzer's RSS over the campaign, against the bundled reference server and a
# tokio-tungstenite echo server.
#
#   scripts/bench-campaign.sh            # 60 s per server, 16 jobs
#   DURATION=300s JOBS=16 scripts/bench-campaign.sh
#
# Prints one line per server: inputs, inputs/s, RSS at start / max / end (KiB).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-60s}
JOBS=${JOBS:-16}
SEED=${SEED:-1}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$OUT"' EXIT

# BIN_DIR: use prebuilt wsgauntlet and tungstenite_echo binaries from there.
if [ -z "${BIN_DIR:-}" ]; then
    cargo build --release --bin wsgauntlet --example tungstenite_echo >&2
    BIN_DIR="$OUT/bin"
    mkdir -p "$BIN_DIR"
    cp "$TARGET/release/wsgauntlet" "$TARGET/release/examples/tungstenite_echo" "$BIN_DIR/"
fi
BIN="$BIN_DIR/wsgauntlet"
TUNG="$BIN_DIR/tungstenite_echo"

# Samples VmRSS (KiB) of $1 every second into $2 until it exits.
sample_rss() {
    while kill -0 "$1" 2>/dev/null; do
        awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null >> "$2" || true
        sleep 1
    done
}

bench() {
    local name=$1 url=$2
    local dir="$OUT/$name"
    "$BIN" fuzz "$url" --seed "$SEED" --duration "$DURATION" --jobs "$JOBS" \
        --out "$dir" > "$OUT/$name.log" 2>&1 &
    local pid=$!
    sample_rss "$pid" "$OUT/$name.rss" &
    wait "$pid" || true
    sleep 1
    local inputs rate findings
    inputs=$(grep -o '"inputs": [0-9]*' "$dir/campaign.json" | grep -o '[0-9]*$')
    rate=$(grep -o '"inputs_per_second": [0-9.]*' "$dir/campaign.json" | grep -o '[0-9.]*$')
    findings=$(grep -c '"signature"' "$dir/campaign.json" || true)
    local first max last
    first=$(head -n1 "$OUT/$name.rss")
    max=$(sort -n "$OUT/$name.rss" | tail -n1)
    last=$(tail -n1 "$OUT/$name.rss")
    printf '%-12s %8s inputs  %8s inputs/s  findings %-3s  RSS KiB start %s max %s end %s\n' \
        "$name" "$inputs" "$rate" "$findings" "$first" "$max" "$last"
}

"$BIN" echo-server --listen 127.0.0.1:0 > "$OUT/ref.addr" &
"$TUNG" 127.0.0.1:0 > "$OUT/tung.addr" &
sleep 1
REF_URL=$(grep -o 'ws://[^ ]*' "$OUT/ref.addr" | head -n1)
TUNG_URL=$(grep -o 'ws://[^ ]*' "$OUT/tung.addr" | head -n1)

echo "campaign: $DURATION per server, $JOBS jobs, seed $SEED, $(nproc) cores"
bench reference "$REF_URL"
bench tungstenite "$TUNG_URL"
