#!/usr/bin/env bash
# Installs what is missing (as root), then builds libdialer twice and runs
# every test each time:
#   1. warnings as errors, every test: doctest suites through CTest, pytest for
#      the bindings, the example, the docs check, an install consumed by
#      find_package;
#   2. AddressSanitizer + UndefinedBehaviourSanitizer, the same suites.
# Usage: scripts/test.sh [extra ctest arguments, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

jobs=$(nproc)
common=(-G Ninja -DDIALER_WERROR=ON -DPython3_EXECUTABLE=/usr/bin/python3)

echo "== build: normal (RelWithDebInfo)"
cmake -S . -B build/normal "${common[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/normal -j "$jobs"
ctest --test-dir build/normal --output-on-failure -j "$jobs" "$@"

echo "== build: address,undefined sanitizers (Debug)"
cmake -S . -B build/sanitize "${common[@]}" -DCMAKE_BUILD_TYPE=Debug \
  -DDIALER_SANITIZE=address,undefined -DDIALER_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/sanitize -j "$jobs"
ctest --test-dir build/sanitize --output-on-failure -j "$jobs" "$@"
