#!/usr/bin/env bash
# Builds the Debian package: a Release build (build/release, through scripts/setup.sh, which
# installs the build's Debian packages first), then CPack's .deb into build/package.
#   scripts/package.sh [--check]
#     --check  also install it into a fresh Debian 12 root (debootstrap, as root; slow: the
#              root is made as in scripts/fresh-check.sh) with apt, which pulls its Depends,
#              and run the quickstart there from the installed configs
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
for arg in "$@"; do
    case "$arg" in
        --check) check=1 ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "package.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done
scripts/setup.sh --release
out=build/package
rm -rf "$out" && mkdir -p "$out"
(cd build/release && cpack -G DEB -B "$PWD/../package")
deb=$(ls "$PWD/$out"/mlosbench_*.deb)
echo "package.sh: built $deb"
dpkg-deb -f "$deb" Package Version Depends Recommends
[ "$check" = 1 ] || exit 0

[ "$(id -u)" = 0 ] || { echo "package.sh: --check needs root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || apt-get install -y -q debootstrap
root=$(mktemp -d /var/tmp/mlosbench-deb-check.XXXXXX)
trap 'umount "$root/proc" 2>/dev/null || true; rm -rf "$root"' EXIT
mirror=$(awk '/^deb / && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
debootstrap --variant=minbase bookworm "$root" "${mirror:-http://deb.debian.org/debian}"
mount -t proc proc "$root/proc"
cp "$deb" "$root/tmp/"
chroot "$root" bash -euc "
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/$(basename "$deb")
    apt-get install -y -q --no-install-recommends xz-utils gzip mawk
    man_page=/usr/share/man/man1/mlosbench.1; test -f \$man_page
    mkdir /tmp/run && cd /tmp/run
    mlosbench --config /usr/share/mlosbench/config/examples/quickstart/cli.jsonc --max_suggestions 3
    mlosbench show quickstart"
echo "package.sh: the .deb installs on a fresh Debian 12 and runs the quickstart"
