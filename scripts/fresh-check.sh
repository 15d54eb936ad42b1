#!/usr/bin/env bash
# Runs README's two commands on a fresh, minimal Debian 12, as a new user would: makes a
# `debootstrap --variant=minbase bookworm` root with this machine's apt mirror, clones the
# committed HEAD into it (so a file that exists only in this working tree cannot hide a missing
# step), and runs `scripts/quickstart.sh` then `scripts/test.sh` there as root, timing each.
# Too slow for every CI run (30-50 minutes on 2 cores); run it before closing any change to
# set-up, dependencies or the quickstart.
#
#   scripts/fresh-check.sh [--keep] [--worktree] [--only quickstart|test] [DIR]
#     DIR         where the root goes (default /var/tmp/mlosbench-fresh); a root left there by
#                 an earlier run is removed first, anything else there is refused
#     --keep      keep the root afterwards (to look around: chroot DIR bash)
#     --worktree  copy this working tree (tracked and untracked files, not ignored ones)
#                 instead of cloning HEAD
#     --only X    run only quickstart.sh or only test.sh
#
# Must run as root (debootstrap, chroot, mounts); installs debootstrap if it is missing. Logs go
# to DIR.logs/. Mounts (/proc, /sys, /dev, /dev/pts, /dev/shm) are undone on every exit, Ctrl-C
# included. Nothing in the root needs systemd; the chroot shares this machine's network (the
# tests' sshd listens on 127.0.0.1 and a free port). Exit 0 when every command run passed.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

repo=$(cd "$(dirname "$0")/.." && pwd)
root=/var/tmp/mlosbench-fresh
keep=0
worktree=0
only=
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --keep) keep=1 ;;
        --worktree) worktree=1 ;;
        --only)
            [ $# -ge 2 ] || { echo "fresh-check.sh: --only needs quickstart or test" >&2; exit 2; }
            only=$2; shift
            case "$only" in
                quickstart|test) ;;
                *) echo "fresh-check.sh: --only takes quickstart or test, not '$only'" >&2; exit 2 ;;
            esac ;;
        -*) echo "fresh-check.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) root=$1 ;;
    esac
    shift
done
if [ "$(id -u)" != 0 ]; then
    echo "fresh-check.sh: must run as root (debootstrap, chroot and mounts)" >&2
    exit 2
fi
case "$root" in
    /*) ;;
    *) root=$(pwd)/$root ;;
esac
root=${root%/}
if [ -z "$root" ] || [ "$root" = / ]; then
    echo "fresh-check.sh: refusing to use / as the root" >&2
    exit 2
fi
marker=$root/.mlosbench-fresh-check
logs=$root.logs

# The mirror this machine's apt uses for bookworm itself (not -security, not -updates).
mirror() {
    local file uri
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        # deb822 stanzas: print the first URIs of a stanza whose Suites has plain bookworm.
        uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
            {
                uris = ""; ok = 0
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); uris = u[2] }
                    if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) { ok = 1 }
                    if ($i ~ /^Types:/ && $i !~ /[ \t]deb([ \t]|$)/) { ok = -1 }
                }
                if (ok == 1 && uris != "") { print uris; exit }
            }' "$file")
        [ -z "$uri" ] || { echo "$uri"; return; }
    done
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] || continue
        uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) break;
                   if ($(i + 1) == "bookworm") { print $i; exit } }' "$file")
        [ -z "$uri" ] || { echo "$uri"; return; }
    done
    echo http://deb.debian.org/debian
}

mounted() { awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts; }

# Stops what still runs inside the root (a daemon a test left), by pid, then unmounts
# everything under it, deepest first.
release() {
    local pid link left
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        link=$(readlink "/proc/$pid/root" 2>/dev/null) || continue
        if [ "$link" = "$root" ]; then
            kill -TERM "$pid" 2>/dev/null || true
        fi
    done
    sleep 0.2
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        link=$(readlink "/proc/$pid/root" 2>/dev/null) || continue
        [ "$link" != "$root" ] || kill -KILL "$pid" 2>/dev/null || true
    done
    mounted | sort -r | while read -r m; do
        umount "$m" 2>/dev/null || umount -l "$m" || true
    done
    left=$(mounted)
    if [ -n "$left" ]; then
        echo "fresh-check.sh: still mounted: $left" >&2
        return 1
    fi
}

# Removes a root made by an earlier run (mounts first); refuses any other non-empty directory.
remove_root() {
    [ -e "$root" ] || return 0
    if [ ! -f "$marker" ] && [ -n "$(ls -A "$root" 2>/dev/null)" ]; then
        echo "fresh-check.sh: $root exists and was not made by fresh-check.sh: not touching it" >&2
        exit 2
    fi
    release
    rm -rf --one-file-system "$root"
}

# The long steps run in the background while this shell waits, so that a signal is handled at
# once (bash runs a trap only after a foreground command has finished).
child=
in_background() {
    "$@" &
    child=$!
    local rc=0
    wait "$child" || rc=$?
    child=
    return "$rc"
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    if ! release; then
        echo "fresh-check.sh: $root left in place (unmount the above, then remove it)" >&2
        exit 1
    fi
    if [ "$keep" = 1 ]; then
        [ ! -d "$root" ] || echo "fresh-check.sh: root kept at $root (chroot $root bash)"
    elif [ -f "$marker" ]; then
        rm -rf --one-file-system "$root"
    fi
    exit "$rc"
}

remove_root
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! command -v debootstrap >/dev/null 2>&1; then
    echo "fresh-check: installing debootstrap"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
fi

mkdir -p "$root" "$logs"
touch "$marker"
url=$(mirror)
echo "fresh-check: debootstrap --variant=minbase bookworm $root $url"
start=$(date +%s)
if ! in_background debootstrap --variant=minbase bookworm "$root" "$url" \
        >"$logs/debootstrap.log" 2>&1; then
    tail -n 20 "$logs/debootstrap.log" >&2
    echo "fresh-check.sh: debootstrap failed (log: $logs/debootstrap.log)" >&2
    exit 1
fi
debootstrap_s=$(( $(date +%s) - start ))
echo "fresh-check: debootstrap took $debootstrap_s s"

# The same apt sources and name servers as this machine.
rm -f "$root/etc/apt/sources.list"
for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ ! -f "$file" ] || cp "$file" "$root$file"
done
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# As in any chroot: packages' maintainer scripts must not start daemons (openssh-server would
# start an sshd on port 22 of this machine). The tests start their own sshd.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount --bind /dev/shm "$root/dev/shm"

checkout=$root/root/mlosbench
if [ "$worktree" = 1 ]; then
    mkdir -p "$checkout"
    git -C "$repo" ls-files -z --cached --others --exclude-standard |
        (cd "$repo" && tar --null -T - -cf - 2>/dev/null) | tar -xf - -C "$checkout"
    echo "fresh-check: copied the working tree of $repo"
else
    git clone -q --no-hardlinks "$repo" "$checkout"
    git -C "$checkout" remote remove origin
    echo "fresh-check: cloned $(git -C "$checkout" log -1 --format='%h %s')"
fi

# Runs one README command in the root as root, with a login's plain environment.
declare -A exit_code seconds
in_root() {
    set +e
    chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
        TERM="${TERM:-dumb}" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        /bin/bash -c "cd /root/mlosbench && scripts/$1.sh" </dev/null 2>&1 | tee "$logs/$1.log"
    echo "${PIPESTATUS[0]}" >"$logs/$1.rc"
}
run() {
    local name=$1 began
    echo "fresh-check: running scripts/$name.sh (log: $logs/$name.log)"
    rm -f "$logs/$name.rc"
    began=$(date +%s)
    in_background in_root "$name" || true
    seconds[$name]=$(( $(date +%s) - began ))
    exit_code[$name]=$(cat "$logs/$name.rc" 2>/dev/null || echo "?")
}

commands=(quickstart test)
[ -z "$only" ] || commands=("$only")
for name in "${commands[@]}"; do
    run "$name"
done

echo
echo "fresh-check summary (Debian 12 minbase, logs in $logs):"
echo "  debootstrap: $debootstrap_s s"
status=0
for name in "${commands[@]}"; do
    echo "  $name.sh: exit ${exit_code[$name]} in ${seconds[$name]} s"
    [ "${exit_code[$name]}" = 0 ] || status=1
done
exit "$status"
