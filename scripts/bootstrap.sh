#!/usr/bin/env bash
# Installs what attest needs, when it is missing. Safe to run again.
#   scripts/bootstrap.sh          to build and run: OpenSSL headers (libssl-dev), pkg-config, SQLite (libsqlite3-dev)
#   scripts/bootstrap.sh --tests  also what the tests use: the sqlite3 shell (tamper tests), Chromium (the audit
#                                 report's browser test) and the Python peers of the interop tests
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libssl-dev pkg-config libsqlite3-dev)
if [[ "${1:-}" == "--tests" ]]; then
    packages+=(sqlite3 chromium)
fi
missing=()
for pkg in "${packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "bootstrap: installing ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

if [[ "${1:-}" == "--tests" ]] && ! python3 -c 'import securesystemslib, rfc8785, cryptography' >/dev/null 2>&1; then
    echo "bootstrap: installing Python test peers"
    python3 -m pip install --quiet --disable-pip-version-check -r Tests/Interop/requirements.txt
fi
