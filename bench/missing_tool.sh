#!/usr/bin/env bash
# The quickstart (20 trials tuning gzip/xz) with one of its tools missing from PATH: how many
# trials go to the missing tool, for each of several optimizer seeds. The optimizer should
# learn from the first failures that the tool always fails (docs/optimizers.md, "Failures").
#   bench/missing_tool.sh [TOOL] [SEEDS]     default: xz, seeds 1-10
# Needs a Release build (scripts/setup.sh; MLOSBENCH=path picks another binary). Prints one
# line per seed and a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${MLOSBENCH:-$PWD/build/release/apps/mlosbench}
tool=${1:-xz}
seeds=${2:-1-10}
first=${seeds%-*}
last=${seeds#*-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A PATH holding everything of /usr/bin and /bin but the tool.
mkdir "$work/bin"
for dir in /usr/local/bin /usr/bin /bin; do
    for f in "$dir"/*; do
        name=${f##*/}
        [ "$name" = "$tool" ] || [ -e "$work/bin/$name" ] || ln -s "$f" "$work/bin/$name"
    done
done

total=0
worst=0
for seed in $(seq "$first" "$last"); do
    db="$work/seed$seed.db"
    set +e
    sed "s/\"seed\": 42/\"seed\": $seed/" config/examples/quickstart/optimizer.jsonc \
        > "$work/optimizer.jsonc"
    PATH="$work/bin" "$bin" --environment config/examples/quickstart/environment.jsonc \
        --globals config/examples/quickstart/globals.jsonc --optimizer "$work/optimizer.jsonc" \
        --storage "$db" --log-level error > "$work/summary.txt" 2>&1
    code=$?
    set -e
    # Trials that ran the missing tool, and how they ended.
    spent=$(sqlite3 "$db" "SELECT COUNT(*) FROM trial t JOIN config_param p
        ON p.config_id = t.config_id AND p.param_id = 'tool' WHERE p.param_value = '$tool'")
    failed=$(sqlite3 "$db" "SELECT COUNT(*) FROM trial WHERE status = 'FAILED'")
    trials=$(sqlite3 "$db" "SELECT COUNT(*) FROM trial")
    echo "seed $seed: exit $code, $trials trials, $failed failed, $spent with $tool"
    total=$((total + spent))
    [ "$spent" -gt "$worst" ] && worst=$spent
done
n=$((last - first + 1))
awk -v t="$total" -v n="$n" -v w="$worst" -v tool="$tool" \
    'BEGIN { printf "trials spent on %s: mean %.1f, max %d over %d seeds\n", tool, t / n, w, n }'
