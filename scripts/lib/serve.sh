# Sourced by scripts that need a running `mlosbench serve` (bench/serve_load.sh,
# scripts/dashboard-screenshot.sh).
#
# start_serve BIN WORKDIR SERVE_ARGS...: starts `BIN serve SERVE_ARGS --bind 127.0.0.1:0` in
# the background (output in WORKDIR/serve.out) and waits up to 10 s for it to listen. Sets
# serve_pid and serve_url (http://127.0.0.1:PORT/) and serve_port; exits 1 with its output
# when it does not listen. stop_serve ends it (call it from the script's EXIT trap).
serve_pid=
start_serve() {
    local bin=$1 work=$2
    shift 2
    "$bin" serve "$@" --bind 127.0.0.1:0 > "$work/serve.out" 2>&1 &
    serve_pid=$!
    for _ in $(seq 1 200); do
        grep -q "listening on" "$work/serve.out" && break
        sleep 0.05
    done
    serve_url=$(sed -n 's|.*listening on \(http://[^ ]*/\).*|\1|p' "$work/serve.out")
    [ -n "$serve_url" ] || { cat "$work/serve.out" >&2; exit 1; }
    serve_port=${serve_url##*:}
    serve_port=${serve_port%/}
}
stop_serve() {
    if [ -n "$serve_pid" ]; then
        kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
    fi
    serve_pid=
}
