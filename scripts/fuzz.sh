#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz with clang-14 (ASan + UBSan)
# in their own build directory and runs each for REGSCAN_FUZZ_SECONDS (60;
# 0 replays the seed corpus only) on a copy of its seed corpus, so the
# repository is not modified. A crash, leak, timeout or out-of-memory input is
# written to fuzz-artifacts/<harness>/ and makes the script exit non-zero.
# Usage: scripts/fuzz.sh [harness ...]   (names as in tests/fuzz: manifest, layer, ...)
# Environment: REGSCAN_FUZZ_SECONDS, REGSCAN_FUZZ_SEED (1; 0 random), REGSCAN_FUZZ_BUILD_DIR (build-fuzz),
# REGSCAN_FUZZ_ARTIFACTS (fuzz-artifacts), REGSCAN_FUZZ_JOBS (build jobs, nproc).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${REGSCAN_FUZZ_BUILD_DIR:-$root/build-fuzz}"
artifacts="${REGSCAN_FUZZ_ARTIFACTS:-$root/fuzz-artifacts}"
seconds="${REGSCAN_FUZZ_SECONDS:-60}"
jobs="${REGSCAN_FUZZ_JOBS:-$(nproc)}"
# A fixed seed: the same commit fuzzes the same way on every CI run, so a red
# run is reproducible and a green one does not turn red by chance; change it
# (or REGSCAN_FUZZ_SEED=0 for a random one) to explore further.
seed="${REGSCAN_FUZZ_SEED:-1}"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DREGSCAN_FUZZ=ON -DREGSCAN_BUILD_TESTS=OFF \
  -DREGSCAN_PLUGIN_V2=OFF -DREGSCAN_PLUGIN_ECR=OFF -DREGSCAN_PLUGIN_ACR=OFF -DREGSCAN_PLUGIN_HARBOR=OFF \
  -DREGSCAN_PLUGIN_QUAY=OFF -DREGSCAN_PLUGIN_JFROG=OFF -DREGSCAN_PLUGIN_NEXUS=OFF -DREGSCAN_PLUGIN_DOCKERHUB=OFF >/dev/null
cmake --build "$build" --target regscan_fuzz -j "$jobs"

if [ $# -gt 0 ]; then
  harnesses=("$@")
else
  harnesses=()
  for source in "$root"/tests/fuzz/fuzz_*.cpp; do
    name="$(basename "$source" .cpp)"
    harnesses+=("${name#fuzz_}")
  done
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

passed=0
failed=0
failures=()
for harness in "${harnesses[@]}"; do
  binary="$build/fuzz/fuzz_$harness"
  seeds="$root/tests/fuzz/corpus/$harness"
  corpus="$work/corpus-$harness"
  log="$work/$harness.log"
  out="$artifacts/$harness"
  mkdir -p "$corpus" "$out"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
  before="$(ls -A "$out")"
  if [ "$seconds" -gt 0 ]; then
    limit=(-max_total_time="$seconds")
  else
    limit=(-runs=0)
  fi
  start=$SECONDS
  status=0
  "$binary" "${limit[@]}" -seed="$seed" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$out/" "$corpus" >"$log" 2>&1 || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  coverage="$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)"
  summary="fuzz_$harness: $((SECONDS - start)) s, ${runs:-?} runs, ${coverage:-cov: ?}"
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    echo "PASS $summary"
    rmdir "$out" 2>/dev/null || true
  else
    failed=$((failed + 1))
    new="$(comm -13 <(echo "$before") <(ls -A "$out") | sed "s|^|$out/|" | tr '\n' ' ')"
    failures+=("fuzz_$harness (exit $status): ${new:-no artifact written}")
    echo "FAIL $summary (exit $status)"
    grep -E -A 15 '^==[0-9]+==ERROR|runtime error|^SUMMARY|ALARM: working on the last Unit|out-of-memory|deadly signal' "$log" \
      | head -n 40 || tail -n 40 "$log"
    echo "  artifact: ${new:-none}"
    echo "  reproduce: $binary <artifact>"
  fi
done
rmdir "$artifacts" 2>/dev/null || true

for failure in "${failures[@]+"${failures[@]}"}"; do echo "failed: $failure"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
