#!/usr/bin/env bash
# Takes docs/dashboard.png: the dashboard's page of the quickstart experiment, as headless
# Chromium shows it. Runs the quickstart first (scripts/quickstart.sh) unless
# build/quickstart.db holds it already, then serves that file on a free loopback port.
#   scripts/dashboard-screenshot.sh [OUT.png]
# Needs chromium (Debian package chromium) and the Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/dashboard.png}
bin=build/release/apps/mlosbench
command -v chromium > /dev/null || {
    echo "dashboard-screenshot.sh: chromium not found (apt-get install chromium)" >&2
    exit 2
}
if ! [ -x "$bin" ] || ! "$bin" show quickstart --storage build/quickstart.db > /dev/null 2>&1; then
    scripts/quickstart.sh > /dev/null
fi
. scripts/lib/serve.sh
work=$(mktemp -d)
trap 'stop_serve; rm -rf "$work"' EXIT
start_serve "$bin" "$work" --storage build/quickstart.db
url=$serve_url
# The virtual time budget lets the page's fetches and Chart.js's drawing finish first.
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1280,1500 --virtual-time-budget=10000 --screenshot="$work/shot.png" \
    "${url}#/exp/quickstart" > "$work/chromium.log" 2>&1 || { cat "$work/chromium.log" >&2; exit 1; }
mv "$work/shot.png" "$out"
echo "dashboard-screenshot.sh: wrote $out"
