#!/usr/bin/env bash
# Runs every test: installs what the tests need, then builds and runs the suites.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --tests
export ATTEST_PYTHON="${ATTEST_PYTHON:-$(command -v python3)}"
swift build -j 2
swift test -j 2 "$@"
