#!/usr/bin/env bash
# Installs the Debian packages, builds CytoDiff (Release) and starts the
# GUI on its default workspace. Extra arguments go to the app (e.g. --db F).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
exec build/app/cytodiff "$@"
