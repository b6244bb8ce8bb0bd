#!/usr/bin/env bash
# Loads a wsgauntlet HTML report in headless Chromium and checks that its
# script ran without console errors and counted the expected outcomes.
#
#   scripts/check-html.sh REPORT.html [EXPECTED_COUNTS] [SCREENSHOT.png]
#
# EXPECTED_COUNTS is the text the page's script writes into #js-counts, e.g.
# "PASS=3 NON-STRICT=1 FAIL=2". With CHECK_ONLY=FAIL,ERROR the page is opened
# with that outcome filter and the "showing N of M cases" line is printed.
# Installs chromium with apt-get if missing.
# Exit 0 on success, 1 on a failed check, 3 when chromium cannot be installed.
set -euo pipefail

report=${1:?usage: check-html.sh REPORT.html [EXPECTED_COUNTS] [SCREENSHOT.png]}
expected=${2:-}
shot=${3:-}

who=check-html
. "$(dirname "$0")/lib/chromium.sh"

url="file://$(realpath "$report")"
page=$url
if [ -n "${CHECK_ONLY:-}" ]; then page="$url#only=$CHECK_ONLY"; fi
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
       --disable-dev-shm-usage --no-first-run --enable-logging=stderr --v=0)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

timeout 60 "$browser" "${flags[@]}" --user-data-dir="$tmp/profile" \
  --virtual-time-budget=2000 --dump-dom "$page" >"$tmp/dom.html" 2>"$tmp/log.txt" || {
  echo "check-html: chromium failed" >&2; cat "$tmp/log.txt" >&2; exit 1; }

status=0
if grep -E 'CONSOLE|Uncaught|SyntaxError|TypeError|ReferenceError' "$tmp/log.txt" >&2; then
  echo "check-html: console errors above" >&2
  status=1
fi
counts=$(sed -n 's:.*<output id="js-counts"[^>]*>\([^<]*\)</output>.*:\1:p' "$tmp/dom.html")
if [ -z "$counts" ]; then
  echo "check-html: the page's script did not run (#js-counts is empty)" >&2
  status=1
elif [ -n "$expected" ] && [ "$counts" != "$expected" ]; then
  echo "check-html: counted \"$counts\", expected \"$expected\"" >&2
  status=1
fi
echo "js-counts: $counts"
echo "shown: $(sed -n 's:.*<span id="shown">\([^<]*\)</span>.*:\1:p' "$tmp/dom.html")"

if [ -n "$shot" ]; then
  timeout 60 "$browser" "${flags[@]}" --user-data-dir="$tmp/profile2" \
    --screenshot="$shot" --window-size=1400,1800 "$url" 2>/dev/null >&2 || status=1
fi
exit $status
