#!/usr/bin/env bash
# CPack's .deb: its control fields (Debian 12 runtime packages, gnuplot recommended) and that it
# holds what `cmake --install` puts in place, under /usr. (Installing it into a fresh Debian 12
# root is scripts/package.sh --check, which takes too long for CI.)
#   package_test.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_test: $*" >&2; exit 1; }

# Uncompressed: the test build's binary is large, and compressing it proves nothing.
(cd "$build" && cpack -G DEB -B "$work" -D CPACK_DEBIAN_COMPRESSION_TYPE=none) >"$work/cpack.log" 2>&1 ||
    fail "cpack failed: $(cat "$work/cpack.log")"
deb=$(ls "$work"/mlosbench_*.deb)
[ "$(dpkg-deb -f "$deb" Package)" = mlosbench ] || fail "Package field"
depends=$(dpkg-deb -f "$deb" Depends)
for p in libssh-4 libsqlite3-0 libpq5 libzip4 libspdlog1.10 libfmt9; do
    case ", $depends," in *", $p,"*) ;; *) fail "Depends lacks $p: $depends" ;; esac
done
[ "$(dpkg-deb -f "$deb" Recommends)" = "gnuplot-nox, libjs-chart.js" ] || fail "Recommends: $(dpkg-deb -f "$deb" Recommends)"
# Every dependency is a package this Debian knows.
for p in $(echo "$depends" | tr -d ' ' | tr ',' ' '); do
    apt-cache show "$p" >/dev/null 2>&1 || fail "no Debian package $p"
done
dpkg-deb -c "$deb" | awk '{ print $NF }' >"$work/contents"
for f in ./usr/bin/mlosbench ./usr/share/man/man1/mlosbench.1 \
         ./usr/share/bash-completion/completions/mlosbench \
         ./usr/share/zsh/vendor-completions/_mlosbench \
         ./usr/share/mlosbench/config/examples/quickstart/cli.jsonc \
         ./usr/share/mlosbench/config/schemas/cli/cli-schema.json; do
    grep -qxF "$f" "$work/contents" || fail "$deb lacks $f"
done
echo "package_test: ok ($deb)"
