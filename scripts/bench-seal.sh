#!/usr/bin/env bash
# Sealing throughput, side by side in one run: `attest seal` / `attest unseal` of one file (1 GiB by
# default, SIZE_MB to change) next to `openssl speed -evp aes-256-gcm` (16 KiB blocks, one core) and the
# age tool on the same file. Prints MB/s, the ratio to openssl, and peak memory (max RSS).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
command -v age >/dev/null || apt-get install -y -q age >/dev/null
scripts/build-release.sh >/dev/null
attest=$PWD/.build-static/release/attest
size_mb=${SIZE_MB:-1024}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
host=$PWD/fixtures/hosts/gpu8
"$attest" demo --keys keys --work-dir "$work/demo" >/dev/null
"$attest" device init --region MX-NLE --root "$work/demo/root.json" --state-dir "$work/state" \
    --probe-root "$host" --nvidia-smi "$host/bin/nvidia-smi" >/dev/null
cp "$work/demo/delegation-acme.json" "$work/state/manifests/"
chips=(); for i in 0 1 2 3 4 5 6 7; do chips+=(--chip "nvidia:H200:165292200123$i"); done
"$attest" manifest new --issuer acme-integration "${chips[@]}" --region MX --workload industrial-inspection \
    --days 30 -o "$work/m.draft.json" >/dev/null
"$attest" sign --key keys/demo-acme-integrator.key --type manifest "$work/m.draft.json" -o "$work/state/manifests/m.json" >/dev/null
"$attest" boot --state-dir "$work/state" >/dev/null
head -c $((size_mb * 1024 * 1024)) /dev/urandom > "$work/plain.bin"
age-keygen -o "$work/age.key" 2>/dev/null
recipient=$(grep -o 'age1[0-9a-z]*' "$work/age.key")

ossl=$(openssl speed -evp aes-256-gcm -bytes 16384 -seconds 3 2>/dev/null | awk '/^AES-256-GCM/ {sub("k","",$2); print $2 * 1000}')
measure() {  # label, command...: prints "label seconds maxrss_kb"
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }
    echo "$label $(cat "$work/time.txt")"
}
cd "$work"
{
    measure "attest-seal-to-file" "$attest" seal --to state/device-x25519.pub --from $repo/keys/demo-acme-integrator.key --manifest state/manifests/m.json plain.bin -o sealed.bin
    measure "attest-seal-to-pipe" sh -c "$attest seal --to state/device-x25519.pub --from $repo/keys/demo-acme-integrator.key --manifest state/manifests/m.json plain.bin -o - > /dev/null"
    measure "attest-unseal-to-file" "$attest" unseal --state-dir state --manifest state/manifests/m.json --workload industrial-inspection sealed.bin -o opened.bin
    measure "attest-unseal-to-pipe" sh -c "$attest unseal --state-dir state --manifest state/manifests/m.json --workload industrial-inspection sealed.bin -o - > /dev/null"
    measure "age-encrypt-to-file" age -r "$recipient" -o plain.age plain.bin
    measure "age-encrypt-to-pipe" sh -c "age -r $recipient plain.bin > /dev/null"
    measure "age-decrypt-to-file" age -d -i age.key -o opened-age.bin plain.age
    measure "age-decrypt-to-pipe" sh -c "age -d -i age.key plain.age > /dev/null"
} > results.txt
cmp -s plain.bin opened.bin || { echo "unsealed output differs" >&2; exit 1; }
awk -v mb="$size_mb" -v ossl="$ossl" 'BEGIN {
    printf "openssl speed -evp aes-256-gcm, 16 KiB blocks, one core: %.0f MB/s\n", ossl / 1e6
    printf "%-24s %9s %9s %12s\n", "", "MB/s", "of openssl", "max RSS MiB"
} {
    rate = mb * 1048576 / $2
    printf "%-24s %9.0f %8.0f%% %12.1f\n", $1, rate / 1e6, 100 * rate / ossl, $3 / 1024
}' results.txt
