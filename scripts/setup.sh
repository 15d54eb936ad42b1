#!/usr/bin/env bash
# Installs what building and testing mlosbench need (Debian 12 packages), then configures and
# builds. Quick when everything is already there.
#   scripts/setup.sh [--release|--test|--tsan] [--no-build]
#     --release  build/release, optimised (the default; used by the quickstart and benchmarks)
#     --test     build/test, AddressSanitizer + UndefinedBehaviorSanitizer, warnings as errors
#     --tsan     build/tsan, ThreadSanitizer, warnings as errors: only the tests of the threaded
#                parts (schedulers, environments, storage, server)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=release
build=1
for arg in "$@"; do
    case "$arg" in
        --release) mode=release ;;
        --test) mode=test ;;
        --tsan) mode=tsan ;;
        --no-build) build=0 ;;
        *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

# A minimal Debian 12 (debootstrap --variant=minbase) has only the essential packages:
# everything below that the build, the tests or the quickstart's workload run is listed, even
# when a fuller installation usually has it. scripts/fresh-check.sh checks the list on such a root.
packages=(
    cmake ninja-build g++ ccache pkg-config python3
    git          # git information recorded with each experiment (and tests of it)
    nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
    libsqlitecpp-dev libsqlite3-dev libssl-dev libssh-dev
    libpq-dev    # PostgreSQL storage: libpq, PostgreSQL's own C client library
    postgresql-15 # tests start a private PostgreSQL 15 (initdb in a temp dir, 127.0.0.1)
    openssl      # the TLS test makes the private server a self-signed certificate
    sqlite3      # the sqlite3 shell, used by the benchmarks (bench/)
    openssh-server openssh-client # tests start a private sshd on 127.0.0.1; ssh-keygen, ssh-agent
    libgtest-dev googletest
    libzip-dev   # export -o x.zip
    gnuplot-nox  # plot and report draw their charts with gnuplot
    chromium     # the report test opens the HTML page headless (and the serve test its dashboard)
    libcpp-httplib-dev # serve: the HTTP server (cpp-httplib), no code of ours for HTTP parsing
    libjs-chart.js # serve's dashboard draws its charts with Chart.js, served from the installed file
    # What the quickstart's workload (config/examples/quickstart/) runs: seq, date, wc
    # (coreutils), awk (mawk), gzip and xz. minbase lacks xz-utils; the others are there, but
    # saying so here keeps the quickstart working if that changes.
    coreutils mawk gzip xz-utils
)

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then
    sudo_cmd=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    if [ ${#sudo_cmd[@]} -gt 0 ] && ! command -v sudo >/dev/null 2>&1; then
        echo "setup.sh: not root and 'sudo' not found: run as root, or install sudo" >&2
        exit 2
    fi
    "${sudo_cmd[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# valijson (JSON Schema validation) is header-only, but Debian's libvalijson-dev depends on
# Qt, Poco and other -dev packages it does not need: unpack only its headers into build/deps.
deps=build/deps
if [ ! -f "$deps/valijson/usr/include/valijson/validator.hpp" ] && [ ! -f /usr/include/valijson/validator.hpp ]; then
    mkdir -p "$deps"
    ( cd "$deps" && rm -f libvalijson-dev_*.deb &&
      { apt-get download libvalijson-dev >/dev/null 2>&1 ||
        { "${sudo_cmd[@]}" apt-get update -q && apt-get download libvalijson-dev; }; } &&
      dpkg -x libvalijson-dev_*.deb valijson && rm -f libvalijson-dev_*.deb )
fi

[ "$build" = 1 ] || exit 0

targets=()
if [ "$mode" = test ]; then
    dir=build/test
    flags=(-DCMAKE_BUILD_TYPE=Debug -DMLOSBENCH_SANITIZE=ON -DMLOSBENCH_WERROR=ON -DMLOSBENCH_UNITY=ON)
elif [ "$mode" = tsan ]; then
    dir=build/tsan
    flags=(-DCMAKE_BUILD_TYPE=Debug -DMLOSBENCH_SANITIZE=thread -DMLOSBENCH_WERROR=ON -DMLOSBENCH_UNITY=ON)
    targets=(--target schedulers_tests environments_tests storage_tests server_tests)
else
    dir=build/release
    flags=(-DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF) # GCC 12 at -O3 warns falsely (-Wrestrict) inside library headers
fi
if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja "${flags[@]}"
else
    cmake -S . -B "$dir" "${flags[@]}" > /dev/null # a flag added since it was configured
fi
cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
