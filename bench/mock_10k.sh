#!/usr/bin/env bash
# 10,000 MockEnv trials in one experiment: the time of the first and of the last 1,000 trials
# (target: the last within 1.2x of the first) and the peak memory. Needs a Release build.
#   bench/mock_10k.sh [N] [postgresql://USER@HOST:PORT/DB]
# With a PostgreSQL URL the trials are recorded there (experiment "mock-<pid>"; the password
# from PGPASSWORD or ~/.pgpass) and psql reads the times back; else in a SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/release/apps/mlosbench
n=${1:-10000}
url=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/mock.db"
exp=mock
storage=$db
if [ -n "$url" ]; then
    exp="mock-$$"
    storage=$url
fi
start=$(date +%s%N)
"$bin" --environment config/examples/mock/mock_env.jsonc --optimizer bench/configs/mock_10k_opt.jsonc \
    --max_suggestions "$n" --storage "$storage" --experiment-id "$exp" --log-level warning \
    > "$work/summary.txt" &
pid=$!
peak=0
while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
    sleep 0.2
done
wait "$pid"
total_ns=$(( $(date +%s%N) - start ))
if [ -n "$url" ]; then
    psql -X -q -t -A "$url" -c "
        SELECT 'first 1000 trials: ' || to_char(EXTRACT(EPOCH FROM MAX(ts_end) - MIN(ts_start)), 'FM990.000') || ' s'
        FROM trial WHERE exp_id = '$exp' AND trial_id <= 1000;
        SELECT 'last 1000 trials:  ' || to_char(EXTRACT(EPOCH FROM MAX(ts_end) - MIN(ts_start)), 'FM990.000') || ' s'
        FROM trial WHERE exp_id = '$exp' AND trial_id > (SELECT MAX(trial_id) - 1000 FROM trial WHERE exp_id = '$exp');
        SELECT 'trials: ' || COUNT(*) FROM trial WHERE exp_id = '$exp' AND status = 'SUCCEEDED';"
else
    sqlite3 "$db" "
        SELECT 'first 1000 trials: ' ||
            printf('%.3f s', (julianday(MAX(ts_end)) - julianday(MIN(ts_start))) * 86400)
        FROM trial WHERE trial_id <= 1000;
        SELECT 'last 1000 trials:  ' ||
            printf('%.3f s', (julianday(MAX(ts_end)) - julianday(MIN(ts_start))) * 86400)
        FROM trial WHERE trial_id > (SELECT MAX(trial_id) - 1000 FROM trial);
        SELECT 'trials: ' || COUNT(*) FROM trial WHERE status = 'SUCCEEDED';"
fi
awk -v t="$total_ns" -v p="$peak" -v n="$n" \
    'BEGIN { printf "total: %.2f s (%.0f trials/s)\npeak RSS: %.1f MiB\n", t / 1e9, n / (t / 1e9), p / 1024 }'
