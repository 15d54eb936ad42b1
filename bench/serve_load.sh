#!/usr/bin/env bash
# `serve` under load, on an experiment of N MockEnv trials (default 10,000) in a SQLite file:
#  1. CLIENTS clients (default 50, one keep-alive connection each) for SECONDS (default 10)
#     on each main endpoint, as fast as answers come: requests/s and latency percentiles.
#  2. A run of RUN trials (default 1,000; trial_overhead's one-line LocalEnv) into the same
#     storage: alone, beside serve with DASHBOARDS (default 5) pages open on the big
#     experiment (each reading what the page reads, as often as it does: every 2 s, or 4
#     times as long as the answer took), and beside the saturating load of 1 (CLIENTS).
#     Target: a few percent at most with the dashboards. The clients run at the lowest
#     priority (nice 19), standing for browsers on other machines; serve at its --nice 10.
#   bench/serve_load.sh [N] [CLIENTS] [SECONDS] [RUN] [DASHBOARDS]
# Needs a Release build (scripts/setup.sh; serve_load is built with it).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/release/apps/mlosbench
load=$PWD/build/release/bench/serve_load
n=${1:-10000}
clients=${2:-50}
seconds=${3:-10}
run_trials=${4:-1000}
dashboards=${5:-5}
. scripts/lib/serve.sh
work=$(mktemp -d)
trap 'stop_serve; rm -rf "$work"' EXIT
db=$work/serve.db

"$bin" --environment config/examples/mock/mock_env.jsonc --optimizer bench/configs/mock_10k_opt.jsonc \
    --max_suggestions "$n" --storage "$db" --experiment-id big --log-level warning > /dev/null
start_serve "$bin" "$work" --storage "$db" --rate-limit 0
port=$serve_port
mid=$((n / 2))

echo "experiment of $n trials, $clients clients, ${seconds} s per endpoint, as fast as answers come"
printf '%-52s %9s %8s %8s %8s %8s %7s %10s\n' endpoint requests req/s p50_ms p90_ms p99_ms failed bytes
for path in /api/v1/experiments \
            /api/v1/experiments/big \
            /api/v1/experiments/big/trials/$mid \
            "/api/v1/experiments/big/trials/$mid/metrics?results=false&last=1" \
            "/api/v1/experiments/big/metrics?summarize=100" \
            /api/v1/experiments/big/export?format=json \
            /; do
    { "$load" 127.0.0.1 "$port" "$path" "$clients" "$seconds" || true; } |
        awk '{ printf "%-52s %9d %8.1f %8.2f %8.2f %8.2f %7d %10d\n", $1, $4, $5, $6, $7, $8, $10, $11 }'
done

# The run: the same binary and storage; one experiment per case.
run_once() {
    local start end
    start=$(date +%s%N)
    "$bin" --environment bench/configs/echo_env.jsonc --optimizer bench/configs/mock_opt.jsonc \
        --max_trials "$run_trials" --storage "$db" --experiment-id "$1" --log-level warning \
        > "$work/summary-$1.txt"
    end=$(date +%s%N)
    grep -q "SUCCEEDED $run_trials" "$work/summary-$1.txt" || { cat "$work/summary-$1.txt"; exit 1; }
    awk -v t=$((end - start)) -v n="$run_trials" 'BEGIN { printf "%.3f", t / n / 1e6 }'
}
# What one dashboard on the experiment's page reads each time it polls.
dashboard_paths=(/api/v1/experiments/big /api/v1/experiments/big/export?format=json)

echo
echo "a run of $run_trials LocalEnv trials into the same storage, ms/trial:"
alone=$(run_once alone)
printf '  %-36s %s\n' "serve idle:" "$alone"
pids=()
for path in "${dashboard_paths[@]}"; do
    nice -n 19 "$load" 127.0.0.1 "$port" "$path" "$dashboards" 3600 2000 > /dev/null &
    pids+=($!)
done
polled=$(run_once polled)
kill "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true
printf '  %-36s %s\n' "beside $dashboards dashboards:" "$polled"
pids=()
nice -n 19 "$load" 127.0.0.1 "$port" /api/v1/experiments/big/trials/$mid "$clients" 3600 > /dev/null &
pids+=($!)
loaded=$(run_once loaded)
kill "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true
printf '  %-36s %s\n' "beside $clients clients without pause:" "$loaded"
awk -v a="$alone" -v p="$polled" -v l="$loaded" \
    'BEGIN { printf "slow-down: %+.1f%% with the dashboards, %+.1f%% under the saturating load\n", (p / a - 1) * 100, (l / a - 1) * 100 }'
