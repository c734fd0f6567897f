#!/usr/bin/env bash
# Device gate costs, side by side in one run (release build, fake 8-GPU host):
#  - `attest run … -- /bin/true` next to `attest verify` of the same manifest (target: run <= 1.5x verify); the
#    mean includes the runs that take the receipt queue into the log (RUNS=700 reaches two of them);
#  - `attest boot` with 8 manifests: CPU time per boot (target: < 50 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
scripts/build-release.sh >/dev/null
attest=$PWD/.build-static/release/attest
host=$PWD/fixtures/hosts/gpu8
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$attest" demo --keys keys --work-dir "$work/demo" >/dev/null
"$attest" device init --region MX-NLE --root "$work/demo/root.json" --state-dir "$work/state" \
    --probe-root "$host" --nvidia-smi "$host/bin/nvidia-smi" >/dev/null
cp "$work/demo/delegation-acme.json" "$work/state/manifests/"
for i in 0 1 2 3 4 5 6 7; do
    "$attest" manifest new --issuer acme-integration --chip "nvidia:H200:165292200123$i" --region MX \
        --workload industrial-inspection --days 30 --sequence 3 -o "$work/draft$i.json" >/dev/null
    "$attest" sign --key keys/demo-acme-integrator.key --type manifest "$work/draft$i.json" -o "$work/state/manifests/m$i.json" >/dev/null
done
cd "$work"
# A device boots before it runs jobs: boot probes the GPUs and keeps what it found for the runs.
"$attest" boot --state-dir state >/dev/null
export CUDA_VISIBLE_DEVICES=0
hyperfine -N --warmup 5 --runs "${RUNS:-100}" --export-json run.json \
    "$attest verify --root demo/root.json --delegation demo/delegation-acme.json state/manifests/m0.json" \
    "$attest run --state-dir state --workload industrial-inspection -- /bin/true"
hyperfine -N --warmup 3 --runs "${RUNS:-100}" --export-json boot.json "$attest boot --state-dir state"
python3 - <<'PY'
import json
v, r = json.load(open("run.json"))["results"]
b = json.load(open("boot.json"))["results"][0]
print(f"run vs verify: verify {v['mean']*1000:.2f} ms, run {r['mean']*1000:.2f} ms, ratio {r['mean']/v['mean']:.2f}x (target <= 1.5x); "
      f"medians {v['median']*1000:.2f} and {r['median']*1000:.2f} ms, {r['median']/v['median']:.2f}x")
print(f"  run's slowest: {r['max']*1000:.1f} ms (a run that takes the receipt queue into the log, once per ~340 jobs)")
print(f"boot, 8 GPUs, 8 manifests: wall {b['mean']*1000:.2f} ms, CPU {(b['user']+b['system'])*1000:.2f} ms "
      f"(user {b['user']*1000:.2f}, system {b['system']*1000:.2f}; target < 50 ms)")
PY
