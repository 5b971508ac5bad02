#!/usr/bin/env bash
# Builds and runs the main example: an agent's morning on virtual time, every
# command and event printed. Installs what is missing first (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIALER_BUILD_TESTS=OFF \
  -DDIALER_BUILD_PYTHON=OFF -DDIALER_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/demo --target 01_agent_day >/dev/null
exec build/demo/examples/01_agent_day
