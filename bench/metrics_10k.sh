#!/usr/bin/env bash
# The results commands on one experiment of 10,000 MockEnv trials: `metrics` over its results
# (target: under 0.5 s), then over 10 telemetry samples per trial as well (100,000 rows), and
# the cost of one `post-metric` call as a trial's script makes it. Best of 5 runs each.
# Needs a Release build (scripts/setup.sh --release) and the sqlite3 CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/release/apps/mlosbench
n=${1:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/mock.db"
"$bin" --environment config/examples/mock/mock_env.jsonc --optimizer bench/configs/mock_10k_opt.jsonc \
    --max_suggestions "$n" --storage "$db" --experiment-id mock --log-level warning > /dev/null

# Best wall time of 5 runs of "$@", in ms.
best_ms() {
    local best=
    for _ in 1 2 3 4 5; do
        local start end
        start=$(date +%s%N)
        "$@" > /dev/null
        end=$(date +%s%N)
        local ms=$(( (end - start) / 1000000 ))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    echo "$best"
}
report() {
    local label=$1
    shift
    printf '%-52s %5s ms\n' "$label" "$(best_ms "$@")"
}

rows=$("$bin" metrics mock --storage "$db" | tail -n +2 | wc -l)
echo "experiment: $n trials, $rows result rows"
report "metrics mock" "$bin" metrics mock --storage "$db"
report "metrics mock --json" "$bin" metrics mock --storage "$db" --json

sqlite3 "$db" "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 9)
    INSERT INTO trial_telemetry SELECT exp_id, trial_id,
        strftime('%Y-%m-%d %H:%M:%f', ts_start, '+' || i || ' seconds') || '000', 'cpu', i
    FROM trial, k"
rows=$(sqlite3 "$db" "SELECT COUNT(*) FROM trial_telemetry")
echo "plus $rows telemetry rows"
report "metrics mock" "$bin" metrics mock --storage "$db"
report "metrics mock --json" "$bin" metrics mock --storage "$db" --json
report "metrics mock --summarize 3" "$bin" metrics mock --storage "$db" --summarize 3
report "metrics mock --last 1 --metric cpu" "$bin" metrics mock --storage "$db" --last 1 --metric cpu
report "metrics mock --trial 5000" "$bin" metrics mock --storage "$db" --trial 5000

# During a run the orchestrator keeps the file open, so a post-metric is never the last
# connection (which would checkpoint the WAL): a sqlite3 shell holds it open meanwhile.
exec 3> >(sqlite3 "$db" > /dev/null)
echo "SELECT COUNT(*) FROM trial;" >&3
calls=200
post() {
    for i in $(seq "$calls"); do
        MLOSBENCH_STORAGE=$db MLOSBENCH_EXPERIMENT_ID=mock MLOSBENCH_TRIAL_ID=1 \
            "$bin" post-metric "$@" "$i"
    done
}
ms=$(best_ms post ops)
echo "post-metric: $calls calls in $ms ms, $(( ms * 1000 / calls )) us per call"
ms=$(best_ms post ops_total --cumulative)
echo "post-metric --cumulative: $calls calls in $ms ms, $(( ms * 1000 / calls )) us per call"
exec 3>&-
ms=$(best_ms bash -c "for i in \$(seq $calls); do /bin/true; done")
echo "for scale, /bin/true: $calls calls in $ms ms, $(( ms * 1000 / calls )) us per call"
ms=$(best_ms bash -c "for i in \$(seq $calls); do '$bin' --version; done")
echo "for scale, mlosbench --version: $calls calls in $ms ms, $(( ms * 1000 / calls )) us per call"
