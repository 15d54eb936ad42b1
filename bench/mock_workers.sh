#!/usr/bin/env bash
# MockEnv trials per second with 1, 4 and 8 worker processes (--join) on one experiment: the
# storage's cost per trial when several workers share it. Needs a Release build.
#   bench/mock_workers.sh [TRIALS] [STORAGE]
#     TRIALS   trials per experiment (default 2000)
#     STORAGE  a postgresql://... URL, or omitted for a SQLite file in a temp dir
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/release/apps/mlosbench
n=${1:-2000}
storage=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "$storage" ] || storage="$work/mock.db"
tag=$(date +%s%N)
for workers in 1 4 8; do
    exp="mock-$workers-$tag"
    start=$(date +%s%N)
    pids=()
    for _ in $(seq "$workers"); do
        "$bin" --environment config/examples/mock/mock_env.jsonc \
            --optimizer bench/configs/mock_10k_opt.jsonc --max_suggestions "$n" \
            --storage "$storage" --experiment-id "$exp" --join --total-trials "$n" \
            --log-level warning > /dev/null &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    awk -v w="$workers" -v n="$n" -v t="$(( $(date +%s%N) - start ))" \
        'BEGIN { printf "%d worker(s): %d trials in %.2f s, %.0f trials/s\n", w, n, t / 1e9, n / (t / 1e9) }'
done
