#!/usr/bin/env bash
# The main job end to end on the committed demo keys: a vendor root, an integrator delegation, a signed
# manifest verified for a demo device, and the attacks it is built to stop, each denied.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh >/dev/null
echo "building attest (release)..." >&2
swift build -c release -j 2 >/dev/null
exec .build/release/attest demo --keys keys "$@"
