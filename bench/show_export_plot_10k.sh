#!/usr/bin/env bash
# Times the results commands on a 10,000-trial experiment (MockEnv, as mock_10k.sh makes it):
# show, export -o x.zip (target: under 0.5 s), plot (svg, png) and report. MockEnv records no
# telemetry, so 10 samples per trial are added with sqlite3 for the export to carry some.
# Needs a Release build (scripts/setup.sh), gnuplot and sqlite3.
#   bench/show_export_plot_10k.sh [TRIALS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/release/apps/mlosbench
n=${1:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/mock.db"
"$bin" --environment config/examples/mock/mock_env.jsonc --optimizer bench/configs/mock_10k_opt.jsonc \
    --max_suggestions "$n" --storage "$db" --experiment-id mock10k --log-level warning > /dev/null
sqlite3 "$db" "
    WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 9)
    INSERT INTO trial_telemetry (exp_id, trial_id, ts, metric_id, metric_value)
    SELECT exp_id, trial_id, strftime('%Y-%m-%d %H:%M:%f000', ts_start, '+' || i || ' seconds'),
           'cpu', printf('%.3f', (trial_id * 7 + i) % 100 / 100.0)
    FROM trial, k WHERE exp_id = 'mock10k';"
echo "trials: $(sqlite3 "$db" "SELECT COUNT(*) FROM trial") telemetry rows: $(sqlite3 "$db" "SELECT COUNT(*) FROM trial_telemetry")"
time_it() {
    local label=$1
    shift
    local start end
    start=$(date +%s%N)
    "$@" > /dev/null
    end=$(date +%s%N)
    awk -v l="$label" -v t=$(( end - start )) 'BEGIN { printf "%-26s %.3f s\n", l, t / 1e9 }'
}
time_it "show" "$bin" show --storage "$db"
time_it "show EXP" "$bin" show mock10k --storage "$db"
time_it "show EXP --json" "$bin" show mock10k --json --storage "$db"
time_it "export csv -o x.zip" "$bin" export mock10k --format csv -o "$work/x.zip" --storage "$db"
time_it "export json -o x.zip" "$bin" export mock10k --format json -o "$work/j.zip" --storage "$db"
time_it "export csv (stdout)" "$bin" export mock10k --format csv --storage "$db"
time_it "plot -o p.svg" "$bin" plot mock10k -o "$work/p.svg" --storage "$db"
time_it "plot -o p.png" "$bin" plot mock10k -o "$work/p.png" --storage "$db"
time_it "report -o r.html" "$bin" report mock10k -o "$work/r.html" --storage "$db"
ls -l "$work"/*.zip "$work"/p.* "$work"/r.html | awk '{ printf "%-10s %s\n", $5, $NF }' | sed "s|$work/||"
