#!/usr/bin/env bash
# Runs the client catalogue of `wsgauntlet serve` in headless Chromium
# through the driver page at `/`, and prints the outcome counts and every
# case that is not PASS (FAIL and ERROR with expected / actual).
#
#   scripts/check-browser.sh [--quick] [--cases PATTERNS] [--exclude PATTERNS]
#                            [--timeout SECONDS] [--report-dir DIR] [--screenshot FILE.png]
#
# --quick runs serve's --quick catalogue (section 9 smaller) without the
# floods and limit cases of sections 9 and 20 and the 256 MiB and 1 GiB
# deflate bombs 22.4.2/22.4.3 (well under a minute).
# Uses $WSGAUNTLET if set, else builds target/release/wsgauntlet. Installs
# Debian's chromium with apt-get when missing (as check-html.sh does) and
# playwright-core from npm into .browser-check/ (git-ignored); never
# downloads a browser.
# Exit 0 when the run completed, whatever the verdicts; 1 when the page or
# the run broke; 3 when chromium or playwright-core cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=; cases=; exclude=; limit=1200; report_dir=; shot=
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --cases) cases=$2; shift ;;
    --exclude) exclude=$2; shift ;;
    --timeout) limit=$2; shift ;;
    --report-dir) report_dir=$2; shift ;;
    --screenshot) shot=$(realpath -m "$2"); shift ;;
    *) echo "check-browser: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$quick" ]; then
  exclude=${exclude:+$exclude,}9.*,20.*,22.4.2,22.4.3
fi

who=check-browser
. scripts/lib/chromium.sh

pw=.browser-check/node_modules/playwright-core
if [ ! -d "$pw" ]; then
  echo "check-browser: installing playwright-core into .browser-check/" >&2
  mkdir -p .browser-check
  npm install --prefix .browser-check --no-audit --no-fund --silent playwright-core@1 >&2 || true
fi
if [ ! -d "$pw" ]; then
  echo "check-browser: playwright-core could not be installed" >&2
  exit 3
fi

bin=${WSGAUNTLET:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=${CARGO_TARGET_DIR:-target}/release/wsgauntlet
fi

tmp=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
report_dir=${report_dir:-$tmp/reports}

args=(serve --listen 127.0.0.1:0 --report-dir "$report_dir")
[ -n "$quick" ] && args+=(--quick)
[ -n "$cases" ] && args+=(--cases "$cases")
[ -n "$exclude" ] && args+=(--exclude "$exclude")
"$bin" "${args[@]}" >"$tmp/serve.log" 2>&1 &
server=$!
addr=
for _ in $(seq 100); do
  addr=$(sed -n 's|^listening on ws://\([^/]*\)/.*|\1|p' "$tmp/serve.log")
  [ -n "$addr" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$addr" ]; then
  echo "check-browser: serve did not start" >&2
  cat "$tmp/serve.log" >&2
  exit 1
fi
echo "serve: $(head -n 1 "$tmp/serve.log")"

status=0
PLAYWRIGHT_CORE=$(realpath "$pw") timeout $((limit + 60)) \
  node scripts/check-browser.cjs "http://$addr/" "$browser" "$tmp/profile" "$limit" $shot || status=$?
if [ $status -ne 0 ]; then
  echo "check-browser: serve's log:" >&2
  tail -n 20 "$tmp/serve.log" >&2
fi
exit $status
