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
work=$(mktemp -d)
serve_pid=
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
"$bin" serve --storage build/quickstart.db --bind 127.0.0.1:0 > "$work/serve.out" 2>&1 &
serve_pid=$!
for _ in $(seq 1 200); do
    grep -q "listening on" "$work/serve.out" && break
    sleep 0.05
done
url=$(sed -n 's|.*listening on \(http://[^ ]*/\).*|\1|p' "$work/serve.out")
[ -n "$url" ] || { cat "$work/serve.out" >&2; exit 1; }
# The virtual time budget lets the page's fetches and Chart.js's drawing finish first.
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1280,1500 --virtual-time-budget=10000 --screenshot="$work/shot.png" \
    "${url}#/exp/quickstart" > "$work/chromium.log" 2>&1 || { cat "$work/chromium.log" >&2; exit 1; }
mv "$work/shot.png" "$out"
echo "dashboard-screenshot.sh: wrote $out"
