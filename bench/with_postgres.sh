#!/usr/bin/env bash
# Runs a benchmark against a private PostgreSQL 15 server: initdb in a temp dir, the server on
# 127.0.0.1 at a free port with PostgreSQL's default durability (fsync and synchronous commit
# on, unlike the tests' server), a fresh database for the benchmark, the server stopped after.
# The benchmark gets the database's URL as its last argument:
#   bench/with_postgres.sh bench/workers.sh 32
#   bench/with_postgres.sh bench/mock_workers.sh 2000
#   bench/with_postgres.sh build/release/bench/storage_bench 10000
# Needs postgresql-15 (scripts/setup.sh installs it). As root the server runs as the
# unprivileged user mlosbench-test (made when missing), as the tests' server does.
set -euo pipefail
cd "$(dirname "$0")/.."
pg=/usr/lib/postgresql/15/bin
[ -x "$pg/initdb" ] || { echo "bench: install postgresql-15 (scripts/setup.sh does)" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: bench/with_postgres.sh BENCHMARK [ARGS...]" >&2; exit 2; }

work=$(mktemp -d)
as_user=()
if [ "$(id -u)" = 0 ]; then
    id mlosbench-test > /dev/null 2>&1 || useradd --system --user-group --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin mlosbench-test
    chown mlosbench-test: "$work"
    as_user=(runuser -u mlosbench-test --)
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
    "${as_user[@]}" "$pg/pg_ctl" -D "$work/data" -m fast -w stop > /dev/null 2>&1 || true
    rm -rf "$work"
}
trap stop EXIT

# Trust on loopback: the server is private to this run and listens on 127.0.0.1 only.
"${as_user[@]}" "$pg/initdb" -D "$work/data" -U bench --auth=trust -E UTF8 --locale=C \
    --no-instructions > "$work/initdb.log"
"${as_user[@]}" "$pg/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w \
    -o "-h 127.0.0.1 -p $port -k $work -c max_connections=100" start > /dev/null
"${as_user[@]}" "$pg/createdb" -h 127.0.0.1 -p "$port" -U bench bench
"$@" "postgresql://bench@127.0.0.1:$port/bench"
