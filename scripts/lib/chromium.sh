# Sourced by scripts/check-html.sh and scripts/check-browser.sh: sets $browser
# to Debian's chromium, installing the package when it is missing; exits 3
# when it cannot. $who names the calling script in messages.
find_chromium() {
  command -v chromium || command -v chromium-browser || command -v google-chrome || true
}
browser=$(find_chromium)
if [ -z "$browser" ]; then
  echo "$who: installing chromium" >&2
  if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium; } >&2 || true
  browser=$(find_chromium)
fi
if [ -z "$browser" ]; then
  echo "$who: chromium is not available and could not be installed" >&2
  exit 3
fi
