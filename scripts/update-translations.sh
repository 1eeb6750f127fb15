#!/usr/bin/env bash
# Brings translations/cytodiff_{de,fr,es}.ts up to date with the tr()
# strings of ui/ and app/main.cpp: new strings are added as unfinished,
# strings gone from the code are dropped. Translate the unfinished ones
# (Qt Linguist: linguist translations/cytodiff_de.ts), then rebuild.
# cytodiff_en.ts holds only the plural messages ("%Ln cell(s)"): English
# needs its singular and plural spelled out too.
#
#   scripts/update-translations.sh             update the files in place
#   scripts/update-translations.sh --out DIR   write updated copies to DIR
#                                              (tests/i18n compares them)
#
# No source locations are written: they would change the files at every
# edit of a GUI source and make merges conflict.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
lupdate=${LUPDATE:-}
if [ -z "$lupdate" ]; then
  for candidate in /usr/lib/qt6/bin/lupdate "$(command -v lupdate6 || true)" "$(command -v lupdate || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then lupdate=$candidate; break; fi
  done
fi
if [ -z "$lupdate" ]; then
  echo "update-translations: lupdate not found; install qt6-l10n-tools or set LUPDATE=" >&2
  exit 2
fi

out=""
if [ "${1:-}" = "--out" ]; then
  out=${2:?--out needs a folder}
  mkdir -p "$out"
fi

ts_files=()
for lang in en de fr es; do
  committed="$root/translations/cytodiff_$lang.ts"
  if [ -n "$out" ]; then
    target="$out/cytodiff_$lang.ts"
    if [ -f "$committed" ]; then cp "$committed" "$target"; else rm -f "$target"; fi
    chmod u+w "$target" 2>/dev/null || true
  else
    target=$committed
  fi
  ts_files+=("$target")
done

cd "$root"
options=(-silent -locations none -no-obsolete -source-language en -extensions cpp,h)
"$lupdate" "${options[@]}" -pluralonly -target-language en ui core/review core/demo app/main.cpp -ts "${ts_files[0]}"
"$lupdate" "${options[@]}" ui core/review core/demo app/main.cpp -ts "${ts_files[@]:1}"

if [ -z "$out" ]; then
  for ts in "${ts_files[@]}"; do
    unfinished=$(grep -c 'type="unfinished"' "$ts" || true)
    echo "update-translations: $(basename "$ts"): $unfinished unfinished"
  done
fi
