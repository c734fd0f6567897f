#!/usr/bin/env bash
# Audit log benchmark (not a test), on the release binary devices run:
#   1. append rate of signed receipts: in bulk (10,000 per transaction) and one per transaction as a device
#      appends (receipt checked against the device key, commit synced, checkpoint signed);
#   2. `audit verify` of the whole log: tree recomputation (leaf hashes from the entry bytes, every node compared)
#      next to raw SHA-256 on blocks of the same size (openssl speed, same run), and signature re-verification with
#      2 threads next to bare OpenSSL Ed25519 verify on 1 and 2 processes; peak memory from /usr/bin/time -v.
#   scripts/bench-audit.sh [N]        N receipts, default 100000 (1000000 takes about 5 minutes and 1.8 GB of disk)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
command -v sqlite3 >/dev/null || scripts/bootstrap.sh --tests >/dev/null
scripts/build-release.sh >/dev/null
attest=$PWD/.build-static/release/attest
work=$(mktemp -d "${TMPDIR:-/var/tmp}/attest-bench-audit.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/receipts.sqlite
"$attest" keygen --no-passphrase --out "$work/device" >/dev/null

echo "== append: $n receipts in bulk, then 2000 more one per transaction"
"$(dirname "$attest")/AttestDev" audit generate "$log" --count "$n" --device-key "$work/device.key" --single 2000 | tee "$work/append.txt"
entries=$(sqlite3 "$log" "SELECT count(*) FROM entries")
avg=$(sqlite3 "$log" "SELECT CAST(round(avg(length(entry))) AS INTEGER) FROM entries")
echo "log: $entries entries, $(du -h "$log" | cut -f1) on disk, $avg bytes per entry on average"

echo "== audit verify (2 threads), peak memory"
/usr/bin/time -v "$attest" audit verify "$log" --timing --threads 2 >"$work/verify.txt" 2>"$work/verify-err.txt" || true
head -1 "$work/verify.txt"
grep -E "tree pass|entries pass" "$work/verify-err.txt"
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$work/verify-err.txt" | sed 's/^\s*//'

echo "== OpenSSL in the same run: SHA-256 on 64-byte blocks (tree nodes) and on $avg-byte blocks (entries), Ed25519"
openssl speed -seconds 3 -bytes 64 sha256 2>/dev/null | tail -1 | tee "$work/sha64.txt"
openssl speed -seconds 3 -bytes "$avg" sha256 2>/dev/null | tail -1 | tee "$work/shaavg.txt"
openssl speed -seconds 3 ed25519 2>/dev/null | tail -1 | tee "$work/ed1.txt"
openssl speed -seconds 3 -multi 2 ed25519 2>/dev/null | tail -1 | tee "$work/ed2.txt"

python3 - "$work" "$avg" <<'PY'
import re, sys
work, avg = sys.argv[1], int(sys.argv[2])
def read(name): return open(f"{work}/{name}").read()
err = read("verify-err.txt")
leaves, mb, nodes, tree_s = re.search(r"tree pass: (\d+) leaves \(([\d.]+) MB\) and (\d+) nodes in ([\d.]+) s", err).groups()
sigs, sig_s = re.search(r"entries pass: (\d+) signatures .* in ([\d.]+) s", err).groups()
leaves, nodes, sigs = int(leaves), int(nodes), int(sigs)
tree_s, sig_s, mb = float(tree_s), float(sig_s), float(mb)
peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
def kbps(name):  # openssl prints thousands of bytes per second
    return float(read(name).split()[-1].rstrip("k")) * 1000
sha64, shaavg = kbps("sha64.txt"), kbps("shaavg.txt")
# What raw SHA-256 needs for the same work: one hash per leaf over its bytes, one per node over 65 bytes.
raw_s = leaves / (shaavg / avg) + nodes / (sha64 / 64)
ed1 = float(read("ed1.txt").split()[-1]); ed2 = float(read("ed2.txt").split()[-1])
app = read("append.txt")
bulk = re.search(r"appended in [\d.]+ s \(([\d.]+) entries/s", app).group(1)
single = re.search(r"single: .*: ([\d.]+) appends/s, ([\d.]+) ms each", app).groups()
print("== summary")
print(f"append, bulk:                {float(bulk):,.0f} entries/s")
print(f"append, one per transaction: {float(single[0]):,.0f} appends/s ({single[1]} ms each)")
print(f"tree recomputation:          {leaves / tree_s:,.0f} leaves/s ({mb / tree_s:,.0f} MB/s) in {tree_s:.2f} s; "
      f"raw SHA-256 for the same hashes: {raw_s:.2f} s ({raw_s / tree_s:.0%} of the pass)")
print(f"signature re-verification:   {sigs / sig_s:,.0f}/s with 2 threads (parse, columns, verify); "
      f"bare OpenSSL Ed25519 verify {ed1:,.0f}/s on 1, {ed2:,.0f}/s on 2 processes ({sigs / sig_s / ed2:.0%})")
print(f"audit verify peak memory:    {peak / 1024:.1f} MiB for {leaves:,} entries")
PY
