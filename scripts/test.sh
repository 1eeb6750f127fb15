#!/usr/bin/env bash
# Installs the Debian packages, builds CytoDiff (Release) and runs the whole
# test suite; then builds the 'asan' preset (AddressSanitizer +
# UndefinedBehaviorSanitizer, clang, with the libFuzzer targets) and runs
# the suite again under the sanitizers, fuzz tests included (label 'fuzz',
# CYTODIFF_FUZZ_SECONDS each). Between the two it builds the engine alone
# (-DCYTODIFF_ENGINE_ONLY=ON) and runs its tests. This is the README's test
# command and what CI runs.
#   CYTODIFF_SKIP_ASAN=1   only the Release build and tests
#   CYTODIFF_FUZZ_SECONDS  seconds per fuzz target (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
start=$SECONDS
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
# Widget tests run offscreen; one intra-op thread per test process, so the
# parallel tests do not fight over the 2 cores.
QT_QPA_PLATFORM=offscreen OMP_NUM_THREADS=1 ctest --test-dir build --output-on-failure -j"$(nproc)"
echo "test.sh: Release build and tests took $((SECONDS - start)) s"

# The engine alone, as a CUDA machine without Qt or OpenCV builds it
# (scripts and docs/method-notes.md, "Engine-only build"): it must not rot.
# Where Qt Test is installed (here) its own tests build and run too.
start=$SECONDS
cmake -S . -B build-engine -G Ninja -DCYTODIFF_ENGINE_ONLY=ON -DCMAKE_BUILD_TYPE=Release
cmake --build build-engine -j"$(nproc)"
OMP_NUM_THREADS=1 ctest --test-dir build-engine --output-on-failure -j"$(nproc)"
echo "test.sh: engine-only build and tests took $((SECONDS - start)) s"

# The GPU training script's dry run (docs/method-notes.md, "Training on a
# borrowed GPU"): a tiny synthetic latent pack, 3 steps on the CPU. Without
# python's torch it reuses build-engine/ just built.
start=$SECONDS
dry_run_dir=$(mktemp -d)
OMP_NUM_THREADS=1 bash scripts/train-on-gpu.sh "$dry_run_dir" --dry-run
rm -rf "$dry_run_dir"
echo "test.sh: GPU training script dry run took $((SECONDS - start)) s"

if [ "${CYTODIFF_SKIP_ASAN:-0}" = 1 ]; then
  exit 0
fi
start=$SECONDS
cmake --preset asan -DCYTODIFF_FUZZ_SECONDS="${CYTODIFF_FUZZ_SECONDS:-20}"
cmake --build --preset asan -j"$(nproc)"
# The sanitizer options and suppressions are set per test by CMake
# (tests/sanitizers/); the test preset adds the offscreen platform and leaves
# out the package test (the Release run builds and checks the package).
ctest --preset asan -j"$(nproc)"
echo "test.sh: sanitizer build, tests and fuzzing took $((SECONDS - start)) s"
