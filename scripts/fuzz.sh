#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (build/fuzz) and runs each for a while.
#   scripts/fuzz.sh [SECONDS] [TARGET...] [-j N] [--merge] [--no-build]
#     SECONDS    how long each target runs (default 60)
#     TARGET     jsonc, config, csv, regex, time (default: all)
#     -j N       run N targets at once (default 1)
#     --merge    afterwards, add the inputs that found new coverage to tests/fuzz/<target>/corpus
#     --no-build use build/fuzz as it is
# Each target reads its seed corpus (tests/fuzz/<target>/corpus) and its crash inputs, and
# writes what it finds to build/fuzz/work/<target>/ (kept between runs, so the repository
# changes only with --merge). An input that crashes, leaks, hangs (-timeout=10) or runs out of
# memory is copied to tests/fuzz/<target>/crashes/ and the script exits 1; the corpus replay
# tests (fuzz_<target>, in scripts/test.sh) then run it with every build.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(jsonc config csv regex time)
declare -A max_len=([jsonc]=4096 [config]=8192 [csv]=4096 [regex]=1024 [time]=64)

seconds=60
jobs=1
merge=0
build=1
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        -j) jobs="$2"; shift ;;
        -j*) jobs="${1#-j}" ;;
        --merge) merge=1 ;;
        --no-build) build=0 ;;
        -h|--help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *[!0-9]*)
            if [ -z "${max_len[$1]+x}" ]; then
                echo "fuzz.sh: unknown target or option '$1' (targets: ${all_targets[*]})" >&2
                exit 2
            fi
            targets+=("$1") ;;
        *) seconds="$1" ;;
    esac
    shift
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

dir=build/fuzz
if [ "$build" = 1 ]; then
    # clang and libFuzzer (its runtime is in libclang-rt-14-dev on Debian 12); the rest of what
    # the libraries need comes from setup.sh.
    sudo_cmd=()
    if [ "$(id -u)" != 0 ]; then
        sudo_cmd=(sudo)
    fi
    missing=()
    for p in clang-14 libclang-rt-14-dev; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "fuzz: installing ${missing[*]}"
        "${sudo_cmd[@]}" apt-get update -q
        DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
    scripts/setup.sh --no-build
    if [ ! -f "$dir/build.ninja" ]; then
        # -O1 with assertions (nlohmann's included): slower than -O2, but finds more.
        CXX=clang++-14 cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
            -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DMLOSBENCH_FUZZ=ON -DBUILD_TESTING=OFF
    fi
    cmake --build "$dir" -j "$(nproc)" --target "${targets[@]/%/_fuzz}"
fi

# run_target NAME: fuzz for $seconds; the log is $dir/work/NAME/fuzz.log.
run_target()
{
    local t="$1" work="$dir/work/$1"
    mkdir -p "$work/corpus" "$work/artifacts"
    rm -f "$work/artifacts"/*
    "$dir/tests/fuzz/${t}_fuzz" "$work/corpus" "tests/fuzz/$t/corpus" "tests/fuzz/$t/crashes" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="${max_len[$t]}" \
        -artifact_prefix="$work/artifacts/" -print_final_stats=1 >"$work/fuzz.log" 2>&1 || true
}

echo "fuzz: ${targets[*]} for ${seconds} s each, $jobs at a time (logs in $dir/work/<target>/fuzz.log)"
running=0
for t in "${targets[@]}"; do
    run_target "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

status=0
printf '%-8s %10s %8s %6s %7s %6s  %s\n' target runs exec/s cov ft corpus result
for t in "${targets[@]}"; do
    work="$dir/work/$t"
    log="$work/fuzz.log"
    stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
    # The last status line: "#12345 DONE cov: 812 ft: 2301 corp: 310/40Kb ...".
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    result="nothing found"
    found=$(find "$work/artifacts" -type f 2>/dev/null | sort)
    if [ -n "$found" ]; then
        status=1
        result="FOUND:"
        for f in $found; do
            cp "$f" "tests/fuzz/$t/crashes/"
            result+=" tests/fuzz/$t/crashes/$(basename "$f")"
        done
    elif ! grep -q '^Done [0-9]* runs' "$log"; then
        status=1
        result="did not finish, see $log"
    fi
    printf '%-8s %10s %8s %6s %7s %6s  %s\n' "$t" "$(stat number_of_executed_units)" \
        "$(stat average_exec_per_sec)" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
    if [ "$merge" = 1 ]; then
        "$dir/tests/fuzz/${t}_fuzz" -merge=1 -max_len="${max_len[$t]}" "tests/fuzz/$t/corpus" \
            "$work/corpus" >"$work/merge.log" 2>&1 ||
            { echo "fuzz: merging $t failed, see $work/merge.log" >&2; status=1; }
    fi
done
exit "$status"
