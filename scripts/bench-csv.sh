#!/usr/bin/env bash
# Fleet signing speed: `attest manifest new --from-csv` on a generated 100,000-row CSV with one and two
# signing threads, next to OpenSSL's own Ed25519 signing rate on one core (`openssl speed`).
#   scripts/bench-csv.sh [ROWS]        ATTEST_BIN=path skips the release build; TMPDIR=/dev/shm takes the
#                                      disk out of the figures.
set -euo pipefail
cd "$(dirname "$0")/.."

rows="${1:-100000}"
if [[ -z "${ATTEST_BIN:-}" ]]; then
    swift build -c release -j 2 --product attest >&2
    ATTEST_BIN="$(swift build -c release --show-bin-path)/attest"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/attest-bench-csv.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Serials, a mix of regions and workloads, and a quoted model with a comma every seventh row.
awk -v rows="$rows" 'BEGIN {
    split("MX MX-NLE BR US-CA DE JP", regions, " ")
    print "serial,region,workloads,vendor,model,sequence"
    for (i = 1; i <= rows; i++) {
        model = (i % 7 == 0) ? "\"H200, SXM\"" : "H200"
        work = (i % 2 == 0) ? "industrial-inspection;public-safety" : "industrial-inspection"
        printf "16529%08d,%s,%s,nvidia,%s,%d\n", i, regions[i % 6 + 1], work, model, i % 5 + 1
    }
}' > "$work/devices.csv"

"$ATTEST_BIN" keygen --out "$work/integrator" --no-passphrase > /dev/null

# Prints the "signed N manifests in S s (R/s)" line to stderr and the rate to stdout. Each run gets a new
# directory and starts with nothing left to write back, so one run's files do not slow the next.
run() {
    local jobs="$1" line written
    sync
    line="$("$ATTEST_BIN" manifest new --from-csv "$work/devices.csv" --issuer acme-integration \
        --key "$work/integrator.key" --days 90 --out-dir "$work/out-$jobs" --jobs "$jobs")"
    written="$(find "$work/out-$jobs" -name '*.json' | wc -l)"
    [[ "$written" -eq "$rows" ]] || { echo "expected $rows envelopes, found $written" >&2; exit 1; }
    echo "  --jobs $jobs: $line" >&2
    sed -E 's/.*\(([0-9]+)\/s\).*/\1/' <<< "$line"
}

echo "$rows rows in $work, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')" >&2

# `openssl speed` ends with a table row: "253 bits EdDSA (Ed25519)  0.0000s  0.0001s  27405.5  9832.0";
# sign/s is the second number from the end.
openssl_sign="$(openssl speed -seconds 3 ed25519 2>/dev/null | awk '/\(Ed25519\)/ { print $(NF-1) }' | tail -1)"
openssl_sign="${openssl_sign%.*}"

one="$(run 1)"
two="$(run 2)"

awk -v one="$one" -v two="$two" -v ossl="$openssl_sign" 'BEGIN {
    printf "openssl speed ed25519, one core: %d sign/s\n", ossl
    printf "attest --jobs 1: %d manifests/s  (%.0f%% of one core of bare signing)\n", one, 100 * one / ossl
    printf "attest --jobs 2: %d manifests/s  (%.0f%% of one core, %.0f%% of two; %.2fx --jobs 1)\n", two, 100 * two / ossl, 50 * two / ossl, two / one
}'
