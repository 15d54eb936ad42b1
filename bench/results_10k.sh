#!/usr/bin/env bash
# The results commands on one experiment of 10,000 MockEnv trials (as mock_10k.sh makes it):
# show and export (target: under 0.5 s), metrics over the results alone, then, with 10
# telemetry samples per trial added with sqlite3 (100,000 rows), metrics, export -o x.zip,
# plot and report; last, the cost of one `post-metric` call as a trial's script makes it.
# Best of 3 runs each. Needs a Release build (scripts/setup.sh), gnuplot and sqlite3.
#   bench/results_10k.sh [TRIALS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/release/apps/mlosbench
n=${1:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/mock.db"
"$bin" --environment config/examples/mock/mock_env.jsonc --optimizer bench/configs/mock_10k_opt.jsonc \
    --max_suggestions "$n" --storage "$db" --experiment-id mock --log-level warning > /dev/null

# Best wall time of 3 runs of "$@", in ms.
best_ms() {
    local best=
    for _ in 1 2 3; do
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
    printf '%-40s %5s ms\n' "$label" "$(best_ms "$@" --storage "$db")"
}

echo "experiment: $(sqlite3 "$db" "SELECT COUNT(*) FROM trial") trials," \
    "$(sqlite3 "$db" "SELECT COUNT(*) FROM trial_result") result rows"
report "show" "$bin" show
report "show mock" "$bin" show mock
report "show mock --json" "$bin" show mock --json
report "export mock --format csv" "$bin" export mock --format csv
report "metrics mock" "$bin" metrics mock
report "metrics mock --json" "$bin" metrics mock --json

sqlite3 "$db" "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 9)
    INSERT INTO trial_telemetry (exp_id, trial_id, ts, metric_id, metric_value)
    SELECT exp_id, trial_id, strftime('%Y-%m-%d %H:%M:%f000', ts_start, '+' || i || ' seconds'),
           'cpu', printf('%.3f', (trial_id * 7 + i) % 100 / 100.0)
    FROM trial, k"
echo "plus $(sqlite3 "$db" "SELECT COUNT(*) FROM trial_telemetry") telemetry rows"
report "metrics mock" "$bin" metrics mock
report "metrics mock --json" "$bin" metrics mock --json
report "metrics mock --summarize 3" "$bin" metrics mock --summarize 3
report "metrics mock --last 1 --metric cpu" "$bin" metrics mock --last 1 --metric cpu
report "metrics mock --trial 5000" "$bin" metrics mock --trial 5000
report "export mock --format csv -o x.zip" "$bin" export mock --format csv -o "$work/x.zip"
report "export mock --format json -o x.zip" "$bin" export mock --format json -o "$work/j.zip"
report "plot mock -o p.svg" "$bin" plot mock -o "$work/p.svg"
report "plot mock -o p.png" "$bin" plot mock -o "$work/p.png"
report "report mock -o r.html" "$bin" report mock -o "$work/r.html"
ls -l "$work"/*.zip "$work"/p.* "$work"/r.html | awk '{ printf "%-10s %s\n", $5, $NF }' | sed "s|$work/||"

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
ms=$(best_ms bash -c "for i in \$(seq $calls); do '$bin' --version; done")
echo "for scale, mlosbench --version: $calls calls in $ms ms, $(( ms * 1000 / calls )) us per call"
