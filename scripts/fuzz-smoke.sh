#!/usr/bin/env bash
# Builds every cargo-fuzz target in fuzz/ and runs each for N seconds
# (default 20) over its checked-in seeds and recorded regressions. The url
# target runs only when WSGAUNTLET_URL names a live server. The targets added
# with permessage-deflate (inflate, ratchet_endpoint) run at most 5 s each,
# so CI stays short; FUZZ_SECS_<target>=N sets any target's time.
#
#   scripts/fuzz-smoke.sh [SECONDS] [TARGET...]
#
# With TARGET names it builds and runs only those (a full build of every
# target is long on a small machine).
#
# Uses nightly with AddressSanitizer when a nightly toolchain is installed,
# otherwise the default (stable) toolchain without a sanitizer (`-s none`). FUZZ_TOOLCHAIN=stable or
# FUZZ_TOOLCHAIN=nightly forces one. New inputs go to the git-ignored
# fuzz/corpus-new/<target>/, crashes to fuzz/artifacts/<target>/.
set -euo pipefail

secs="${1:-20}"
shift || true
only=("$@")
cd "$(dirname "$0")/.."
# Fuzz builds are instrumented: keep them in fuzz/target, apart from normal builds.
unset CARGO_TARGET_DIR

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

toolchain="${FUZZ_TOOLCHAIN:-}"
if [[ -z "$toolchain" ]]; then
    if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
        toolchain=nightly
    else
        toolchain=stable
    fi
fi
if [[ "$toolchain" == nightly ]]; then
    fuzz=(cargo +nightly fuzz)
    sanitizer=()
else
    fuzz=(cargo fuzz)
    sanitizer=(-s none)
fi
echo "fuzz-smoke: $toolchain toolchain, ${secs}s per target"

if (( ${#only[@]} )); then
    targets=("${only[@]}")
    for target in "${targets[@]}"; do
        "${fuzz[@]}" build "${sanitizer[@]}" "$target"
    done
else
    mapfile -t targets < <("${fuzz[@]}" list)
    "${fuzz[@]}" build "${sanitizer[@]}"
fi
for target in "${targets[@]}"; do
    # The url target drives a live server; without one there is nothing to run.
    if [[ "$target" == url && -z "${WSGAUNTLET_URL:-}" ]]; then
        echo "fuzz-smoke: url skipped (set WSGAUNTLET_URL=ws://host:port/ to run it)"
        continue
    fi
    seeds="corpus/$target"
    if [[ -z "$(ls -A "$seeds" 2>/dev/null)" ]]; then
        echo "fuzz-smoke: $seeds holds no seed" >&2
        exit 1
    fi
    dirs=("fuzz/corpus-new/$target" "$seeds")
    [[ -d "corpus/regressions/$target" ]] && dirs+=("corpus/regressions/$target")
    mkdir -p "fuzz/corpus-new/$target"
    log="fuzz/corpus-new/$target.log"
    t=$secs
    case "$target" in inflate|ratchet_endpoint) (( t > 5 )) && t=5 ;; esac
    var="FUZZ_SECS_$target"
    t="${!var:-$t}"
    if ! "${fuzz[@]}" run "${sanitizer[@]}" "$target" "${dirs[@]}" \
        -- -max_total_time="$t" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "fuzz-smoke: $target FAILED (log: $log, crash input in fuzz/artifacts/$target/)" >&2
        exit 1
    fi
    echo "fuzz-smoke: $target ok (${t}s): $(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)"
done
