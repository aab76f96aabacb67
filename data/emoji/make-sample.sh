#!/usr/bin/env bash
# The vendored emoji sample (data/emoji-sample) from a fetch.sh output, so it can be rebuilt
# exactly. The choice is fixed:
#   - every 20th base emoji in emoji.json sort order, starting at the 4th (positions 3, 23, 43,
#     ...: 96 emoji over every category but Component; the start puts the red heart among them),
#   - plus thumbs up and its five skin-tone variants (skin tones as captions: "thumbs up: dark
#     skin tone"),
# each in both sets (Noto and Twemoji, 64x64) with its caption file, the matching emoji.tsv rows,
# and the license files. PROVENANCE.md in the sample is written by hand and left as it is.
#
# Usage: data/emoji/make-sample.sh FETCHED_DIR [SAMPLE_DIR]   (SAMPLE_DIR: data/emoji-sample)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "make-sample.sh: $*" >&2; exit 1; }

if [ $# -lt 1 ] || [ $# -gt 2 ]; then die "usage: data/emoji/make-sample.sh FETCHED_DIR [SAMPLE_DIR]"; fi
src=${1%/}
dst=${2:-$(dirname "$here")/emoji-sample}
if [ ! -f "$src/emoji.tsv" ] || [ ! -d "$src/images/google" ] || [ ! -d "$src/images/twitter" ]; then
  die "$src is not a fetch.sh output (no emoji.tsv and images/); run data/emoji/fetch.sh $src first"
fi

STEP=20
START=3
EXTRA_BASE=1f44d  # thumbs up

mkdir -p "$dst"
rm -rf "$dst/images" "$dst/emoji.tsv"
mkdir -p "$dst/images/google" "$dst/images/twitter"
# columns: name, base, category, subcategory, label, tags; a row is a base emoji when name = base
awk -F'\t' -v step=$STEP -v start=$START -v extra=$EXTRA_BASE '
  NR == 1 { print; next }
  $1 == $2 { if (b++ % step == start) { print; next } }
  $2 == extra { print }
' "$src/emoji.tsv" > "$dst/emoji.tsv"
tail -n +2 "$dst/emoji.tsv" | cut -f1 | while read -r name; do
  for set in google twitter; do
    cp "$src/images/$set/$name.png" "$src/images/$set/$name.txt" "$dst/images/$set/"
  done
done
cp "$here/LICENSE" "$here/LICENSE-APACHE-2.0" "$here/NOTICE" "$dst/"
echo "make-sample.sh: $(($(wc -l < "$dst/emoji.tsv") - 1)) emoji in $dst"
