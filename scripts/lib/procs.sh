# Sourced by scripts/real-servers.sh, scripts/real-clients.sh (through
# lib/real-impls.sh) and scripts/determinism.sh: the wsgauntlet binary
# ($WSGAUNTLET, built when it is the default and missing), the processes a
# script starts (killed on exit) and starting one that prints
# "listening on ...:PORT". The caller has done `cd` to the repository root.
WSGAUNTLET=${WSGAUNTLET:-target/release/wsgauntlet}

if [ ! -x "$WSGAUNTLET" ]; then
    [ "$WSGAUNTLET" = target/release/wsgauntlet ] || { echo "no binary at $WSGAUNTLET" >&2; exit 2; }
    cargo build --release
fi

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
    await_port "$name" "$log"
}

# await_port NAME LOG: waits for the last started process to print its port
# ("listening on 127.0.0.1:PORT", or serve's "listening on ws://127.0.0.1:PORT/")
# into LOG.out, and sets PORT.
await_port() {
    local name=$1 log=$2
    for _ in $(seq 100); do
        PORT=$(sed -n 's/^.*listening on \(ws:\/\/\)\{0,1\}127\.0\.0\.1:\([0-9]*\).*$/\2/p' "$log.out" | head -1)
        [ -n "$PORT" ] && return 0
        kill -0 "${PIDS[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "$name: the server did not start:" >&2
    cat "$log.out" "$log.err" >&2
    return 1
}
