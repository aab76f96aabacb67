#!/usr/bin/env bash
# The emoji pair laid out by Unicode category, for a classifier of what an image shows (the
# prompt-fidelity measure of text-to-image) and for captioned training with those labels:
#
#   OUT_DIR/<category>/<set>/<name>.png   e.g. "Food & Drink/google/1f355.png"
#   OUT_DIR/<category>/<set>/<name>.txt   the caption, as fetch.sh wrote it
#
# `atelier ingest --input OUT_DIR --split-by name` then labels every image with its category (the
# first sub-folder) and keeps both drawings of an emoji in one split, the same split as ingesting
# fetch.sh's images/ folder (the split hashes the file name alone).
#
# Usage: data/emoji/by-category.sh FETCHED_DIR OUT_DIR   (FETCHED_DIR: a data/emoji/fetch.sh output)
# Copies (about 25 MB for the full set); OUT_DIR must be new or empty. It holds images and captions
# only, so that ingest sees nothing else: the licenses stay in FETCHED_DIR.
set -euo pipefail

die() { echo "by-category.sh: $*" >&2; exit 1; }

if [ $# -ne 2 ]; then die "usage: data/emoji/by-category.sh FETCHED_DIR OUT_DIR"; fi
src=${1%/}
out=${2%/}
if [ ! -f "$src/emoji.tsv" ] || [ ! -d "$src/images/google" ] || [ ! -d "$src/images/twitter" ]; then
  die "$src is not a fetch.sh output (no emoji.tsv and images/); run data/emoji/fetch.sh $src first"
fi
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  die "$out is not empty; give a new or empty OUT_DIR"
fi

staging="$out.partial-$$"
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging"
count=0
# columns: name, base, category, subcategory, label, tags
while IFS=$'\t' read -r name _ category _; do
  case $category in ''|*/*|.|..) die "emoji.tsv row $name has category '$category', not a folder name" ;; esac
  for set in google twitter; do
    mkdir -p "$staging/$category/$set"
    cp "$src/images/$set/$name.png" "$src/images/$set/$name.txt" "$staging/$category/$set/"
  done
  count=$((count + 1))
done < <(tail -n +2 "$src/emoji.tsv")
rmdir "$out" 2>/dev/null || true
mv "$staging" "$out"
echo "by-category.sh: $count emoji x 2 sets in $(find "$out" -mindepth 1 -maxdepth 1 -type d | wc -l) categories under $out"
