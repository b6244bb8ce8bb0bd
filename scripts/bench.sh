#!/usr/bin/env bash
# Runs the codec benchmarks and prints how our frame reading compares with
# tungstenite and fastwebsockets per payload size, and the masking speed-up.
#
#   scripts/bench.sh [criterion options, e.g. --warm-up-time 1 --measurement-time 3]
#
# Ratios are peer time / our time (median): above 1 means ours is faster.
# Text frames (valid UTF-8, mixed ASCII and multi-byte) by default;
# BENCH_FRAMES=binary reads binary frames, leaving UTF-8 validation out.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo bench --bench codec -- "$@"

CRITERION_DIR="${CARGO_TARGET_DIR:-target}/criterion" python3 - <<'PY'
import json, os

root = os.environ["CRITERION_DIR"]

def median_ns(*parts):
    path = os.path.join(root, *parts, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None

def fmt(ns):
    if ns is None:
        return "-"
    for unit, div in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= div:
            return f"{ns / div:.2f} {unit}"
    return f"{ns:.0f} ns"

def ratio(peer, ours):
    return "-" if peer is None or not ours else f"{peer / ours:.2f}x"

fast = median_ns("mask", "apply_mask", "1MiB")
naive = median_ns("mask", "apply_mask_naive", "1MiB")
if fast and naive:
    gib = (1 << 20) / fast * 1e9 / (1 << 30)
    print(f"\nmask 1 MiB: apply_mask {fmt(fast)} ({gib:.1f} GiB/s), "
          f"naive {fmt(naive)}, speed-up {naive / fast:.1f}x")

kind = os.environ.get("BENCH_FRAMES", "text")
print(f"\nread one masked client {kind} frame (decode + unmask + validate)")
print(f"{'size':>6} {'wsgauntlet':>12} {'tungstenite':>12} {'ratio':>7} "
      f"{'fastwebsockets':>15} {'ratio':>7}")
for size in ("0B", "125B", "1KiB", "64KiB", "1MiB"):
    ours = median_ns("read_frame", "wsgauntlet", size)
    tung = median_ns("read_frame", "tungstenite", size)
    fws = median_ns("read_frame", "fastwebsockets", size)
    print(f"{size:>6} {fmt(ours):>12} {fmt(tung):>12} {ratio(tung, ours):>7} "
          f"{fmt(fws):>15} {ratio(fws, ours):>7}")

print("\nwhere our time goes (decode = copy in + parse + unmask; check_frame includes UTF-8)")
for size in ("1KiB", "1MiB"):
    parts = [(n, median_ns("stages", n, size))
             for n in ("decode", "check_frame", "utf8_validator", "std_from_utf8")]
    print(f"{size:>6} " + "  ".join(f"{n} {fmt(t)}" for n, t in parts))
PY
