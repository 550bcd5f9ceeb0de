#!/usr/bin/env bash
# The test command of the README: installs what is missing, builds, and runs
# every unit, oracle and end-to-end test through ctest, then every fuzz
# harness for REGSCAN_FUZZ_SECONDS each (scripts/fuzz.sh; not when ctest
# arguments select some tests).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
build="${REGSCAN_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$(nproc)"
cd "$build"
ctest --output-on-failure -j "$(nproc)" "$@"
[ $# -gt 0 ] || "$root/scripts/fuzz.sh"
