#!/usr/bin/env bash
# Cold start: one `attest verify` process (full chain: root with 2 keys, delegation, manifest) next to one
# `openssl pkeyutl -verify` process on the same manifest's PAE bytes, timed side by side by hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get install -y -q hyperfine >/dev/null; }
scripts/build-release.sh >/dev/null
attest=$PWD/.build-static/release/attest
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$attest" demo --keys keys --work-dir "$work" >/dev/null
python3 - "$work" <<'PY'
import base64, json, sys
d = sys.argv[1]
e = json.load(open(f"{d}/manifest-good.json"))
p = base64.b64decode(e["payload"]); t = e["payloadType"].encode()
open(f"{d}/pae.bin", "wb").write(b"DSSEv1 %d %s %d %s" % (len(t), t, len(p), p))
open(f"{d}/sig.bin", "wb").write(base64.b64decode(e["signatures"][0]["sig"]))
PY
cd "$work"
hyperfine -N --warmup 10 --runs "${RUNS:-200}" --export-json times.json \
    "openssl pkeyutl -verify -pubin -inkey $OLDPWD/keys/demo-acme-integrator.pub -rawin -in pae.bin -sigfile sig.bin" \
    "$attest verify --root root.json --delegation delegation-acme.json manifest-good.json"
python3 - <<'PY'
import json
r = json.load(open("times.json"))["results"]
o, a = r[0]["mean"], r[1]["mean"]
print(f"cold start: openssl {o*1000:.2f} ms, attest verify {a*1000:.2f} ms, ratio {a/o:.2f}x (target <= 1.30x)")
PY
