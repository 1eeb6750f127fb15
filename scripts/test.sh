#!/usr/bin/env bash
# Installs the Debian packages, builds CytoDiff (Release) and runs the whole
# test suite. This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
# Widget tests run offscreen; one intra-op thread per test process, so the
# parallel tests do not fight over the 2 cores.
QT_QPA_PLATFORM=offscreen OMP_NUM_THREADS=1 ctest --test-dir build --output-on-failure -j"$(nproc)"
