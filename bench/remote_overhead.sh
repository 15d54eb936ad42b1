#!/usr/bin/env bash
# Per-trial overhead over SSH: N RemoteEnv trials, each running one trivial line on 127.0.0.1
# through a private sshd (started here, as the tests do), against N `ssh` commands doing the
# same: one new connection per command (plain), and one shared connection (ControlMaster,
# which is what mlosbench does: one connection per user@host:port for the whole run).
# mlosbench also records every trial in SQLite. Needs a Release build (scripts/setup.sh).
#   bench/remote_overhead.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${MLOSBENCH_BIN:-$PWD/build/release/apps/mlosbench}
n=${1:-200}
work=$(mktemp -d)
sshd_pid=
cleanup() {
    [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null && wait "$sshd_pid" 2>/dev/null
    ssh -o ControlPath="$work/cm" -O exit x 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/user_key"
cp "$work/user_key.pub" "$work/authorized_keys"
[ "$(id -u)" = 0 ] && mkdir -p /run/sshd
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $work/host_key
PidFile $work/sshd.pid
AuthorizedKeysFile $work/authorized_keys
StrictModes no
PermitRootLogin yes
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxStartups 100
LogLevel ERROR
# Debian's bash sources ~/.bashrc for commands run by sshd unless nested: keep it out.
SetEnv SHLVL=1
CONF
/usr/sbin/sshd -D -e -f "$work/sshd_config" 2> "$work/sshd.log" &
sshd_pid=$!
# Ready when it sends its banner.
for _ in $(seq 1 500); do
    if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
        if read -r -t 2 banner <&3 && [ "${banner:0:4}" = SSH- ]; then exec 3>&-; break; fi
        exec 3>&-
    fi
    kill -0 "$sshd_pid" || { cat "$work/sshd.log"; exit 1; }
    sleep 0.01
done
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/host_key.pub")" > "$work/known_hosts"
user=$(id -un)
ssh_opts=(-i "$work/user_key" -o UserKnownHostsFile="$work/known_hosts" -o BatchMode=yes
          -o LogLevel=ERROR -p "$port")

ms_per_trial() { awk -v n="$n" -v t="$1" 'BEGIN { printf "%.2f", t / n / 1e6 }'; }

start=$(date +%s%N)
for i in $(seq 1 "$n"); do
    ssh "${ssh_opts[@]}" "$user@127.0.0.1" "echo score: $i" > /dev/null
done
plain_ns=$(( $(date +%s%N) - start ))

ssh "${ssh_opts[@]}" -o ControlMaster=yes -o ControlPath="$work/cm" -o ControlPersist=600 -fN \
    "$user@127.0.0.1"
start=$(date +%s%N)
for i in $(seq 1 "$n"); do
    ssh "${ssh_opts[@]}" -o ControlPath="$work/cm" "$user@127.0.0.1" "echo score: $i" > /dev/null
done
shared_ns=$(( $(date +%s%N) - start ))

start=$(date +%s%N)
"$bin" --environment bench/configs/remote_env.jsonc --optimizer bench/configs/mock_opt.jsonc \
    --max_trials "$n" --storage "$work/bench.db" --log-level warning \
    --ssh_port "$port" --ssh_priv_key_path "$work/user_key" \
    --ssh_known_hosts_path "$work/known_hosts" > "$work/summary.txt"
ours_ns=$(( $(date +%s%N) - start ))
grep -q "SUCCEEDED $n" "$work/summary.txt" || { cat "$work/summary.txt"; exit 1; }

echo "trials:                    $n"
echo "ssh, new connection each:  $(ms_per_trial "$plain_ns") ms/trial"
echo "ssh, shared (ControlMaster): $(ms_per_trial "$shared_ns") ms/trial"
echo "mlosbench RemoteEnv:       $(ms_per_trial "$ours_ns") ms/trial (start-up and SQLite included)"
awk -v p="$plain_ns" -v s="$shared_ns" -v o="$ours_ns" \
    'BEGIN { printf "ratio: %.2fx plain ssh, %.2fx ssh with a shared connection\n", o / p, o / s }'
