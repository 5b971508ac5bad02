#!/usr/bin/env bash
# Installs what is missing (as root), then builds libdialer twice and runs
# every test each time:
#   1. optimised (-O1, no debug info), warnings as errors, every test: doctest suites through CTest,
#      pytest for the bindings, the tools, the example, the docs check, an
#      install consumed by find_package, the server's API tests and the
#      agent panel in headless Chromium;
#   2. AddressSanitizer + UndefinedBehaviourSanitizer (Debug), the same
#      suites except the browser tests (they drive a server already tested
#      under the sanitizers by its API tests) and the benchmarks.
# Linking goes through lld when it is there: the test binaries link several
# times faster than with ld.bfd, which matters on a 2-core CI machine.
# Usage: scripts/test.sh [extra ctest arguments, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

jobs=$(nproc)
common=(-G Ninja -DDIALER_WERROR=ON -DPython3_EXECUTABLE=/usr/bin/python3)
if command -v ld.lld >/dev/null; then
  for kind in EXE SHARED MODULE; do common+=("-DCMAKE_${kind}_LINKER_FLAGS=-fuse-ld=lld"); done
fi

# -O1, not -O2: the tests wait on clocks, not on code speed, and -O1 compiles
# a fifth faster, which keeps the two builds on a 2-core machine within the
# time CI allows. Benchmarks are measured in builds of their own (docs/).
echo "== build: normal (-O1, no debug info)"
cmake -S . -B build/normal "${common[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -DNDEBUG" >/dev/null
cmake --build build/normal -j "$jobs"

# Many of the normal build's tests wait on real clocks (the server, the
# browser), so the sanitizer build compiles meanwhile, at the lowest CPU
# priority so that it only takes what the tests leave idle. setsid gives it a
# process group of its own, to stop it whole if the tests fail.
echo "== build: address,undefined sanitizers (Debug, line tables only), in the background"
cmake -S . -B build/sanitize "${common[@]}" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
  -DDIALER_SANITIZE=address,undefined -DDIALER_BUILD_BENCHMARKS=OFF >/dev/null
setsid nice -n 19 cmake --build build/sanitize -j "$jobs" >build/sanitize-build.log 2>&1 &
sanitize_build=$!
trap 'kill -- -"$sanitize_build" 2>/dev/null || true' EXIT

echo "== test: normal"
ctest --test-dir build/normal --output-on-failure -j "$jobs" "$@"

echo "== build: address,undefined sanitizers (waiting for it)"
if ! wait "$sanitize_build"; then
  cat build/sanitize-build.log
  exit 1
fi
trap - EXIT
tail -n 3 build/sanitize-build.log

echo "== test: address,undefined sanitizers"
ctest --test-dir build/sanitize --output-on-failure -j "$jobs" -LE browser "$@"
