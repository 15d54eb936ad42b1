#!/usr/bin/env bash
# Sets up (packages, Release build) and runs the quickstart: 20 trials tuning gzip/xz on a
# generated file. Results go to build/quickstart.db; look at them with the summary printed.
# Exits 2 before any trial when a program the workload runs is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --release --no-build

# Every program the workload runs (environment.jsonc's setup line, compress.sh) and its Debian
# package; setup.sh installs them. Checked before building, so that a missing one stops at once
# with its name instead of failing trial after trial with exit code 127.
workload=(sh:dash seq:coreutils awk:mawk date:coreutils wc:coreutils gzip:gzip xz:xz-utils)
absent=0
for entry in "${workload[@]}"; do
    program=${entry%%:*}
    if ! command -v "$program" >/dev/null 2>&1; then
        echo "quickstart.sh: '$program' not found on PATH: the quickstart's workload runs it" \
            "(Debian package ${entry#*:}; scripts/setup.sh installs it)" >&2
        absent=1
    fi
done
[ "$absent" = 0 ] || exit 2

scripts/setup.sh --release

rm -f build/quickstart.db build/quickstart.db-wal build/quickstart.db-shm
build/release/apps/mlosbench --config config/examples/quickstart/cli.jsonc \
    --storage build/quickstart.db "$@"
