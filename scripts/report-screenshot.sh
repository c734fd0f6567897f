#!/usr/bin/env bash
# Renders an audit report in headless Chromium and saves a screenshot, to look at what an auditor sees.
#   scripts/report-screenshot.sh [LOG] [OUT.png]
# Without LOG, a sample log is made (2,000 made-up receipts over the last 30 days and the demo's manifests).
# Output: OUT.png (default $TMPDIR/attest-report.png) and the page beside it (OUT.html); prints the PNG path.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "chromium is not installed: run scripts/bootstrap.sh --tests" >&2; exit 3; }
swift build -j 2 >/dev/null
attest=$PWD/.build/debug/attest
log=${1:-}
out=$(realpath -m "${2:-${TMPDIR:-/tmp}/attest-report.png}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "$log" ]; then
    log=$work/sample.sqlite
    "$attest" keygen --no-passphrase --out "$work/device" >/dev/null
    "$(dirname "$attest")/AttestDev" audit generate "$log" --count 2000 --device-key "$work/device.key" \
        --start "$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)" --spacing 1296 >/dev/null
    "$attest" demo --keys keys --work-dir "$work/demo" >/dev/null
    "$attest" audit append "$log" "$work"/demo/manifest-good.json "$work"/demo/manifest-wrong-region.json >/dev/null
fi
html=${out%.png}.html
"$attest" audit report "$log" --html "$html" >/dev/null
# --no-sandbox: needed when running as root (CI, containers).
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,2000 \
    --screenshot="$out" "file://$(realpath "$html")" 2>/dev/null
echo "$out"
