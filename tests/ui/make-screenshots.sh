#!/bin/sh
# Regenerates the review screenshots in docs/screenshots/ from a demo case
# of model-generated cells (pictures of ../shared images may not be
# committed). Offscreen; needs the cytodiff-screenshot and
# cytodiff-make-demo-case targets built.
#
#   tests/ui/make-screenshots.sh BUILD_DIR [MODEL.pt]
#
# MODEL defaults to the tiny test model; with the shipped model
# (models/cytodiff-pbc8.pt) the generated cells look like cells.
set -eu
build=${1:?usage: make-screenshots.sh BUILD_DIR [MODEL.pt]}
root=$(cd "$(dirname "$0")/../.." && pwd)
model=$(realpath "${2:-$root/tests/data/tiny-pbc8.pt}")
out=$root/docs/screenshots
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen OMP_NUM_THREADS=1
shot="$build/tests/ui/cytodiff-screenshot"
mkdir -p "$out"

"$build/tests/ui/cytodiff-make-demo-case" --model "$model" --out "$work/DEMO-0001" --per-class 12 --seed 11
# Thresholds chosen so the queue holds part of the case, as on a real slide.
common="--db $work/demo.cytodiff --model $model --margin 3 --anomaly 0.02 --size 1440x900"
"$shot" $common --import "$work/DEMO-0001" --classify --page gallery --cell 5 --out "$out/review-gallery.png"
"$shot" $common --page queue --review 5 --cell 5 --out "$out/review-queue.png"
"$shot" $common --page queue --cell 6 --heatmap overlay --out "$out/review-viewer-overlay.png" \
    --viewer-out "$out/review-viewer-panel.png"
"$shot" $common --sign --page differential --out "$out/review-differential.png" \
    --report-out "$out/review-report.png"
echo "screenshots in $out"
