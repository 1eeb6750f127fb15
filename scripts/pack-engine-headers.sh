#!/usr/bin/env bash
# Packs the header-only libraries the engine compiles against (CLI11 and the
# part of Boost it includes) from this Debian machine into one tarball, for
# a borrowed GPU machine that has LibTorch but not the Debian packages:
# scripts/train-on-gpu.sh unpacks it and builds with -DCYTODIFF_HEADERS_DIR.
# The tarball is a build input, not part of the repository (data-cache/ is
# ignored): pass it to the device run with carry.
#
#   scripts/pack-engine-headers.sh [OUT]   (default data-cache/engine-headers.tar.gz)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-data-cache/engine-headers.tar.gz}
mkdir -p "$(dirname "$out")"

# The headers the engine's sources name (app/engine_main.cpp and core/engine),
# closed over what they include in turn, as the compiler sees them.
includes=$(grep -rhE '^#include <(boost|CLI)/' app/engine_main.cpp core/engine | sort -u)
[ -n "$includes" ] || { echo "pack-engine-headers: the engine includes no CLI11 or Boost header" >&2; exit 1; }
files=$(printf '%s\n' "$includes" | g++ -std=c++20 -M -x c++ - \
  | tr ' \\' '\n\n' | grep -E '^/usr/include/(boost|CLI)/' | sort -u)
count=$(printf '%s\n' "$files" | wc -l)
printf '%s\n' "$files" | sed 's|^/usr/include/||' | tar -C /usr/include -czf "$out" -T -
echo "pack-engine-headers: $count headers in $out ($(du -h "$out" | cut -f1))"
