#!/usr/bin/env bash
# Costs that grow with the size of an input, at 5,000 and 40,000 (8x): a globals file with N
# keys (`validate`), and a trial whose results CSV holds N metrics (one MockOptimizer trial,
# recorded in SQLite). Linear costs grow about 8x, quadratic ones 64x.
#   bench/input_scale.sh
# Needs a Release build (scripts/setup.sh; MLOSBENCH=path picks another binary).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${MLOSBENCH:-$PWD/build/release/apps/mlosbench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '{"name": "e", "class": "MockEnv"}' > "$work/mock.jsonc"

seconds() { # runs "$@", prints its wall time in seconds
    local start end
    start=$(date +%s%N)
    "$@" > /dev/null
    end=$(date +%s%N)
    awk -v t=$((end - start)) 'BEGIN { printf "%.3f", t / 1e9 }'
}

for n in 5000 40000; do
    awk -v n="$n" 'BEGIN { printf "{"; for (i = 0; i < n; i++) printf "%s\"k%d\": %d", (i ? ", " : ""), i, i; print "}" }' \
        > "$work/g$n.jsonc"
    awk -v n="$n" 'BEGIN { print "metric,value"; print "score,1"; for (i = 0; i < n; i++) printf "m%d,%d\n", i, i }' \
        > "$work/results$n.csv"
    cat > "$work/env$n.jsonc" <<JSON
{"name": "wide", "class": "LocalEnv",
 "config": {"run": ["cp $work/results$n.csv results.csv"], "read_results_file": "results.csv"}}
JSON
    g=$(seconds "$bin" validate --environment "$work/mock.jsonc" --globals "$work/g$n.jsonc" \
        --log-level error)
    r=$(seconds "$bin" --environment "$work/env$n.jsonc" --storage "$work/r$n.db" --log-level error)
    echo "$n: validate with $n globals ${g} s, one trial with $n metrics ${r} s"
done
