#!/usr/bin/env bash
# Trains the latent diffusion model on a borrowed GPU machine (15 minutes of
# device time in all; this script keeps to 9 minutes of wall clock, build
# included): builds the engine alone against the LibTorch that comes with
# python's torch, trains from a latent pack (cytodiff-engine encode-pack,
# docs/method-notes.md "Training on a borrowed GPU") and writes the model,
# the training log and a benchmark into OUT_DIR.
#
#   scripts/train-on-gpu.sh OUT_DIR [--minutes M] [--dry-run]
#
#   CYTODIFF_LATENT_PACK   the latent pack (default data-cache/pbc-latent.cdlpack)
#   CYTODIFF_AUTOENCODER   the autoencoder that encoded it (default models/autoencoder-pbc96.pt)
#   CYTODIFF_INIT          a checkpoint of an earlier run from the same pack
#                          to resume (its budget grows by this session's minutes)
#   CYTODIFF_TRAIN_ARGS    extra options for `cytodiff-engine train`
#   CYTODIFF_GPU_BUILD_DIR build folder (default build-gpu; see below)
#   CYTODIFF_ENGINE_HEADERS CLI11 + Boost headers for a machine without the
#                          Debian packages (default data-cache/engine-headers.tar.gz,
#                          made by scripts/pack-engine-headers.sh; carry it)
#
# --dry-run: a tiny synthetic pack and a random autoencoder made on the fly,
# a few training steps on the CPU; what scripts/test.sh runs so the script
# does not rot.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

usage() { echo "usage: scripts/train-on-gpu.sh OUT_DIR [--minutes M] [--dry-run]" >&2; exit 2; }
[ $# -ge 1 ] || usage
out=$1
shift
max_minutes=""
dry_run=0
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) [ $# -ge 2 ] || usage; max_minutes=$2; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    *) usage ;;
  esac
done
mkdir -p "$out"
log=$out/train-on-gpu.log
say() { echo "train-on-gpu: $*" | tee -a "$log"; }
: > "$log"

# LibTorch: python's torch carries its headers and CMake files (the GPU
# machine has no other); without it, the system LibTorch (this CPU machine).
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null || true)
device=cpu
if [ -n "$torch_prefix" ] && python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  device=cuda
fi
[ "$dry_run" = 1 ] && device=cpu

# A separate build folder: python's LibTorch is another toolchain (version,
# C++ ABI flag, CUDA) than the system one build-engine/ was configured with,
# and one CMake cache cannot hold both. Where there is no python torch the
# toolchain is build-engine's, so an existing build-engine/ (scripts/test.sh
# has just built it) is reused instead of compiling the engine a second time.
build_dir=${CYTODIFF_GPU_BUILD_DIR:-build-gpu}
if [ -z "${CYTODIFF_GPU_BUILD_DIR:-}" ] && [ -z "$torch_prefix" ] && [ -f build-engine/CMakeCache.txt ]; then
  build_dir=build-engine
fi
cmake_args=(-S . -B "$build_dir" -DCYTODIFF_ENGINE_ONLY=ON -DCMAKE_BUILD_TYPE=Release)
command -v ninja > /dev/null && [ ! -f "$build_dir/CMakeCache.txt" ] && cmake_args+=(-G Ninja)
if [ -n "$torch_prefix" ]; then
  cmake_args+=("-DCMAKE_PREFIX_PATH=$torch_prefix")
  # The CUDA wheel's Torch CMake files look for a CUDA toolkit; use the
  # usual one when it is there.
  [ -d /usr/local/cuda ] && cmake_args+=(-DCUDAToolkit_ROOT=/usr/local/cuda)
fi
# The header-only libraries (CLI11, Boost.Math): Debian's where installed,
# else the tarball packed on the CPU machine.
if [ ! -f /usr/include/CLI/CLI.hpp ] || [ ! -d /usr/include/boost/math ]; then
  headers=${CYTODIFF_ENGINE_HEADERS:-data-cache/engine-headers.tar.gz}
  if [ ! -f "$headers" ]; then
    say "no CLI11/Boost headers here and no $headers: run scripts/pack-engine-headers.sh on the CPU machine and carry it"
    exit 1
  fi
  mkdir -p "$build_dir/headers"
  tar -C "$build_dir/headers" -xzf "$headers"
  cmake_args+=("-DCYTODIFF_HEADERS_DIR=$PWD/$build_dir/headers")
  say "CLI11 and Boost headers from $headers"
fi
say "LibTorch from ${torch_prefix:-the system}, device $device, build folder $build_dir"
if ! cmake "${cmake_args[@]}" >> "$log" 2>&1; then
  say "configuring failed (see $log); with a CUDA wheel and no CUDA toolkit, set CUDAToolkit_ROOT"
  exit 1
fi
cmake --build "$build_dir" --target cytodiff-engine -j"$(nproc)" >> "$log" 2>&1 || { say "build failed (see $log)"; exit 1; }
engine=$build_dir/cytodiff-engine
build_seconds=$((SECONDS - start))
say "engine built in $build_seconds s"

if [ "$dry_run" = 1 ]; then
  "$engine" make-test-pack --out "$out/tiny.cdpack" --autoencoder-out "$out/tiny-ae.pt" --per-class 10 >> "$log" 2>&1
  "$engine" encode-pack --data "$out/tiny.cdpack" --autoencoder "$out/tiny-ae.pt" --out "$out/tiny.cdlpack" \
    --threads 1 >> "$log" 2>&1
  pack=$out/tiny.cdlpack
  autoencoder=$out/tiny-ae.pt
  budget=(--steps 3)
  network=(--batch 4 --base-channels 8 --channel-mults 1,2 --final-validation 4 --threads 1)
else
  pack=${CYTODIFF_LATENT_PACK:-data-cache/pbc-latent.cdlpack}
  autoencoder=${CYTODIFF_AUTOENCODER:-models/autoencoder-pbc96.pt}
  [ -f "$pack" ] || { say "no latent pack at $pack: set CYTODIFF_LATENT_PACK (make it with cytodiff-engine encode-pack)"; exit 1; }
  [ -f "$autoencoder" ] || { say "no autoencoder at $autoencoder: set CYTODIFF_AUTOENCODER"; exit 1; }
  # 9 minutes in all: the build, then training, then a minute for the
  # final validation, the model file and the benchmark.
  minutes=$(awk -v b="$build_seconds" 'BEGIN { m = 9 - b / 60 - 1; printf "%.2f", m }')
  if awk -v m="$minutes" 'BEGIN { exit !(m < 0.5) }'; then
    say "the build took $build_seconds s: only $minutes minutes left, not training"
    exit 1
  fi
  if [ -n "$max_minutes" ]; then
    minutes=$(awk -v a="$minutes" -v b="$max_minutes" 'BEGIN { printf "%.2f", (b < a ? b : a) }')
  fi
  budget=(--more-minutes "$minutes")
  network=(--batch 64 --final-validation 200 --validate-every 100000)
fi
resume=()
if [ -n "${CYTODIFF_INIT:-}" ]; then
  resume=(--resume "$CYTODIFF_INIT")
fi

say "training from $pack with $autoencoder: ${budget[*]}"
# shellcheck disable=SC2086 # CYTODIFF_TRAIN_ARGS is a list of options
"$engine" train --data "$pack" --autoencoder "$autoencoder" --out "$out/model.pt" --checkpoint "$out/model.ckpt" \
  --device "$device" "${budget[@]}" "${network[@]}" "${resume[@]}" ${CYTODIFF_TRAIN_ARGS:-} \
  > "$out/train.txt" 2> "$out/train-log.txt" || { tail -5 "$out/train-log.txt" | tee -a "$log"; say "training failed"; exit 1; }
cat "$out/train.txt" | tee -a "$log"
"$engine" bench --model "$out/model.pt" --device "$device" > "$out/bench.txt" 2>&1 || say "bench failed (see $out/bench.txt)"
say "done in $((SECONDS - start)) s: $out/model.pt, train-log.txt, bench.txt"
