#!/usr/bin/env bash
# Every queue discipline on the four shared traces (KTH, HPC2N, RICC, CEA Curie), end to end with the CSV outputs and no charts, timed by hyperfine.
#
#   cargo build --release && benches/queues.sh [RUNS] [TRACE...]
#
# RUNS (default 5) timed runs after one warm-up; TRACE among kth hpc2n ricc curie (default: all).
# Each trace is read under convention P on one pool of its machine's processors, as the oracle
# tests read them. Prints one markdown row per trace and discipline: mean ± σ of the wall time,
# user time, and the ratio to the same trace's FIFO run (the table of docs/queues.md).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
bin=$PWD/target/release/clustersim
shared=$(cd ../shared/workloads && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

declare -A file=([kth]=KTH-SP2-1996-2.1-cln.swf.gz [hpc2n]=HPC2N-2002-2.1-cln.swf.gz
  [ricc]=RICC-2010-2.swf.gz [curie]=CEA-Curie-2011-2.1-cln.swf.gz)
declare -A procs=([kth]=100 [hpc2n]=240 [ricc]=8192 [curie]=93312)
queues=(fifo easy_backfill conservative_backfill srtf fair_share proportional priority_aging)
traces=("$@")
[ ${#traces[@]} -gt 0 ] || traces=(kth hpc2n ricc curie)

echo "| trace | discipline | wall mean ± σ (s) | user (s) | × FIFO |"
echo "|---|---|---|---|---|"
for t in "${traces[@]}"; do
  for q in "${queues[@]}"; do
    cat >"$tmp/$t-$q.toml" <<EOF
name = "$t-$q"
seed = 1
[[cluster.pools]]
name = "pool"
count = 1
cpu = ${procs[$t]}
[workload]
type = "swf"
path = "$shared/${file[$t]}"
convention = "p"
machine = "pool"
[policy]
queue = "$q"
[metrics]
bsld_tau = "10s"
EOF
  done
  hyperfine -N -w1 -r"$runs" --export-json "$tmp/$t.json" -L q "$(IFS=,; echo "${queues[*]}")" \
    "$bin run $tmp/$t-{q}.toml --no-charts -q --out $tmp/out-$t-{q}" >/dev/null 2>&1
  jq -r --arg t "$t" '
    (.results[] | select(.parameters.q == "fifo") | .mean) as $fifo
    | .results[]
    | "| \($t) | \(.parameters.q) | \(.mean * 1000 | round / 1000) ± \((.stddev // 0) * 1000 | round / 1000) | \(.user * 100 | round / 100) | \(.mean / $fifo * 100 | round / 100) |"
  ' "$tmp/$t.json"
done
