#!/usr/bin/env bash
# Sets up (packages, sanitizer builds) and runs every test: all of them in the AddressSanitizer
# + UndefinedBehaviorSanitizer build, then the tests of the threaded parts (schedulers,
# environments, storage, server) in the ThreadSanitizer build. Arguments go to the first ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
scripts/setup.sh --tsan
(cd build/test && ctest --output-on-failure -j "$(nproc)" "$@")
(cd build/tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    ctest --output-on-failure -j "$(nproc)" -R '^(schedulers|environments|storage|server)$')
