#!/usr/bin/env bash
# The main job end to end on the committed demo keys and fixtures: sign a deployment manifest as the
# integrator, add the vendor's counter-signature, and inspect who signed it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh >/dev/null
swift build -c release -j 2 >/dev/null
attest=.build/release/attest
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== sign the acme manifest with the integrator's demo key"
$attest sign --key keys/demo-acme-integrator.key --type manifest fixtures/drafts/manifest-acme-mx.json -o "$work/manifest.json"
echo "== inspect it against the integrator's public key"
$attest inspect --key keys/demo-acme-integrator.pub "$work/manifest.json"
