#!/usr/bin/env bash
# The release binary devices run: a fully static executable (Swift runtime and libcrypto linked in), so a
# process starts without the dynamic loader resolving thousands of symbols. Output: .build-static/release/attest
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh >/dev/null
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift build -c release -j 2 -Xswiftc -static-executable --scratch-path .build-static >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
# glibc warns that getaddrinfo/dlopen in a static binary need its shared libraries at run time; attest
# uses neither (OpenSSL's built-in providers need no dlopen), so those lines are left out.
grep -v "in statically linked applications requires at runtime" "$log" | grep -E "warning|error" >&2 || true
echo ".build-static/release/attest"
