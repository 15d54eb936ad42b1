#!/usr/bin/env bash
# Workers on one experiment: N one-second trials (default 32) run by 1 process x 1 runner, then
# by 4 processes (--join) x 2 runners each, on one storage; prints the wall time of each and the
# speed-up (ideal 8x). Needs a Release build.
#   bench/workers.sh [TRIALS] [STORAGE]
#     STORAGE  a postgresql://... URL (each run uses its own experiment id), or omitted for a
#              SQLite file in a temp dir
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/release/apps/mlosbench
n=${1:-32}
storage=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "$storage" ] || storage="$work/workers.db"
tag=$(date +%s%N)

# run PROCESSES RUNNERS: the wall time in seconds of PROCESSES workers of RUNNERS runners each
# finishing N trials of one experiment.
run() {
    local procs=$1 runners=$2 exp="workers-$1x$2-$tag" start pids=()
    start=$(date +%s%N)
    for _ in $(seq "$procs"); do
        "$bin" --environment bench/configs/second_env.jsonc --optimizer bench/configs/mock_10k_opt.jsonc \
            --storage "$storage" --experiment-id "$exp" --join --total-trials "$n" \
            --max_suggestions "$n" --num-trial-runners "$runners" --log-level warning \
            > /dev/null &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    awk -v t="$(( $(date +%s%N) - start ))" 'BEGIN { printf "%.2f", t / 1e9 }'
}

one=$(run 1 1)
eight=$(run 4 2)
echo "$n one-second trials, storage $( [ "${2:-}" ] && echo "${storage%%\?*}" | sed 's|//[^@]*@|//|' || echo SQLite)"
echo "1 process x 1 runner:   $one s"
echo "4 processes x 2 runners: $eight s"
awk -v a="$one" -v b="$eight" 'BEGIN { printf "speed-up: %.2fx (ideal 8x)\n", a / b }'
