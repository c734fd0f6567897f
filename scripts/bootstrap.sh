#!/usr/bin/env bash
# Installs what attest builds and tests with, when it is missing: OpenSSL headers (libssl-dev),
# pkg-config, and the Python packages the interop tests use. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pkg in libssl-dev pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "bootstrap: installing ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

if ! python3 -c 'import securesystemslib, rfc8785, cryptography' >/dev/null 2>&1; then
    echo "bootstrap: installing Python test peers"
    python3 -m pip install --quiet --disable-pip-version-check -r Tests/Interop/requirements.txt
fi
