#!/usr/bin/env bash
# Installs every Debian 12 package that CytoDiff's build, tests and app need.
# Idempotent and non-interactive; run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  libqt6svg6-dev qt6-translations-l10n
  libtorch-dev libopenblas0-openmp
  libopencv-dev
  libqcustomplot-dev
  libsqlite3-dev sqlite3
  # Laboratory servers (issue 23): libpq for the client; the server itself
  # for the tests, which start a throwaway cluster of their own.
  libpq-dev postgresql-15
  # Header-only: CLI11 (cytodiff-engine options), Boost.Math (t-test tail).
  libcli11-dev libboost-dev
  libgl1-mesa-dev
  xvfb xauth
  # The locale sources: test_numbertext compiles a German locale to read
  # and write model files under it.
  locales
  dpkg-dev
  # The 'asan' preset and the fuzz targets: clang, its sanitizer and
  # libFuzzer runtimes, and llvm-symbolizer for readable reports.
  clang libclang-rt-14-dev llvm
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
