#!/usr/bin/env bash
# The emoji pair: Noto (Google) and Twemoji (Twitter) images of the same emoji at 64x64, with
# CLDR captions, laid out for `atelier ingest` (label = set, caption = x.txt beside x.png):
#
#   OUT_DIR/images/google/<name>.png   Noto Emoji (Apache-2.0)
#   OUT_DIR/images/google/<name>.txt   CLDR label, e.g. "red heart", "thumbs up: light skin tone"
#   OUT_DIR/images/twitter/<name>.png  Twemoji (CC-BY 4.0), same <name> (the code points)
#   OUT_DIR/images/twitter/<name>.txt
#   OUT_DIR/emoji.tsv                  name, base, category, subcategory, label, tags
#   OUT_DIR/LICENSE, LICENSE-APACHE-2.0, NOTICE
#
# Only emoji present in both sets are written (3,786 in these versions: base emoji and skin-tone
# variants). The images sit under images/ so that `--input OUT_DIR/images` sees nothing else.
#
# Usage: data/emoji/fetch.sh OUT_DIR
# Needs npm (and so node) and network access; nothing else. Idempotent: a finished OUT_DIR made
# from the same archives is left as it is; the result is built beside OUT_DIR and moved in place.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PACKAGES=(emoji-datasource-google@16.0.0 emoji-datasource-twitter@16.0.0 emojibase-data@17.0.0)
# sha512 of each `npm pack` archive, hex (npm's "integrity" field is the same digest in base64).
pinned_sha512() {
  case $1 in
    emoji-datasource-google-16.0.0.tgz) echo 6517b17f3b3b315a0b9e6cd998db0ee132a19c0269e43fbe566e8fa54a47fe31104257a6a7797cf028d9f83a19d9f68cf51e10c5990e3c90a84fc0e53e17d0dc ;;
    emoji-datasource-twitter-16.0.0.tgz) echo ec5fae0ae1c7fbb427adcd793f9b676ef2a483d13ab65ce2e0c9d3dae5b5465378a4b613cdae9c3ff76cb487d20ccb698c52d6b997b05a0f2305bb8bd9ec842d ;;
    emojibase-data-17.0.0.tgz) echo 62f81be405a81d588757f82ad6aaf96406ab7018a9f81dbbfd92d1b142646e000468b959fdfa1ff60f3cd8b4e9984a728413440b49b6484988b658c7b13ca08c ;;
  esac
}
# What each archive contributes (paths inside it).
members() {
  case $1 in
    emoji-datasource-google) echo package/emoji.json package/img/google/64 ;;
    emoji-datasource-twitter) echo package/img/twitter/64 ;;
    emojibase-data) echo package/en/data.json ;;
  esac
}
STAMP=.emoji-fetch  # inside OUT_DIR: the archives' digests, written last

die() { echo "fetch.sh: $*" >&2; exit 1; }

if [ $# -ne 1 ] || [ -z "$1" ]; then die "usage: data/emoji/fetch.sh OUT_DIR"; fi
out=${1%/}
command -v npm >/dev/null 2>&1 || die "npm not found; install Node.js with npm (https://nodejs.org) and run again"
command -v node >/dev/null 2>&1 || die "node not found; install Node.js with npm (https://nodejs.org) and run again"
if command -v sha512sum >/dev/null 2>&1; then
  sha512() { sha512sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
  sha512() { shasum -a 512 "$1" | cut -d' ' -f1; }
else
  die "neither sha512sum nor shasum found; install coreutils (or perl's shasum) to check the archives"
fi

expected_stamp=$(for pkg in "${PACKAGES[@]}"; do tgz="${pkg%@*}-${pkg##*@}.tgz"; echo "$tgz $(pinned_sha512 "$tgz")"; done)
if [ -f "$out/$STAMP" ] && [ "$(cat "$out/$STAMP")" = "$expected_stamp" ]; then
  echo "fetch.sh: $out already holds the emoji pair from these archives; nothing to do"
  exit 0
fi
if [ -e "$out" ] && [ ! -f "$out/$STAMP" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  die "$out exists and is not an emoji fetch output; give a new or empty OUT_DIR"
fi

work=$(mktemp -d)
staging="$out.partial-$$"
trap 'rm -rf "$work" "$staging"' EXIT
mkdir -p "$(dirname "$out")" "$staging"

for pkg in "${PACKAGES[@]}"; do
  name=${pkg%@*}; version=${pkg##*@}; tgz="$name-$version.tgz"
  echo "fetch.sh: npm pack $pkg" >&2
  if ! (cd "$work" && npm pack --loglevel=error "$pkg" >/dev/null 2>npm-error.log); then
    why=$(grep -m1 -E 'reason:|404' "$work/npm-error.log" || grep -m1 'npm error' "$work/npm-error.log" || tail -n1 "$work/npm-error.log")
    die "npm pack $pkg failed (${why#npm error }); check the network and npm's registry setting"
  fi
  actual=$(sha512 "$work/$tgz")
  [ "$actual" = "$(pinned_sha512 "$tgz")" ] \
    || die "checksum mismatch for $tgz: sha512 $actual, expected $(pinned_sha512 "$tgz"); the registry served other bytes, do not use them"
  mkdir -p "$work/$name"
  # shellcheck disable=SC2046 # the member list splits on purpose
  tar -xzf "$work/$tgz" -C "$work/$name" $(members "$name") || die "cannot extract $tgz; is the disk full?"
done

# The join runs in node: npm needs it, so it is on every machine that can run this script.
node - "$work" "$staging" <<'JS'
const fs = require('fs');
const path = require('path');
const [work, out] = process.argv.slice(2);
const fail = (msg) => { console.error('fetch.sh: ' + msg); process.exit(1); };
const emoji = JSON.parse(fs.readFileSync(path.join(work, 'emoji-datasource-google/package/emoji.json'), 'utf8'));
const cldr = JSON.parse(fs.readFileSync(path.join(work, 'emojibase-data/package/en/data.json'), 'utf8'));
const img = (set) => path.join(work, 'emoji-datasource-' + set, 'package/img', set, '64');

// Code points as emojibase writes them, without U+FE0F ("2764-fe0f.png" -> "2764").
const key = (codes) => codes.toUpperCase().split('-').filter((c) => c !== 'FE0F').join('-');
const labels = new Map();
for (const e of cldr) {
  labels.set(key(e.hexcode), { label: e.label, tags: e.tags || [] });
  for (const s of e.skins || []) {
    labels.set(key(s.hexcode), { label: s.label, tags: e.tags || [] }); // skins carry no tags of their own
  }
}

const rows = [['name', 'base', 'category', 'subcategory', 'label', 'tags'].join('\t')];
for (const set of ['google', 'twitter']) fs.mkdirSync(path.join(out, 'images', set), { recursive: true });
const sorted = emoji.slice().sort((a, b) => a.sort_order - b.sort_order);
let written = 0;
for (const base of sorted) {
  const baseName = base.image.replace(/\.png$/, '');
  // the base emoji, then its skin-tone variants in the order emoji.json lists them
  for (const v of [base, ...Object.values(base.skin_variations || {})]) {
    const file = v.image;
    const inBoth = v.has_img_google && v.has_img_twitter
        && fs.existsSync(path.join(img('google'), file)) && fs.existsSync(path.join(img('twitter'), file));
    if (!inBoth) continue;
    const name = file.replace(/\.png$/, '');
    const cl = labels.get(key(name));
    if (!cl) fail('no CLDR label in emojibase-data for ' + file + ' (' + base.name + '); the pinned versions should all join');
    if (/[\t\n]/.test(cl.label + cl.tags.join(''))) fail('a tab or line break in the label or tags of ' + file);
    for (const set of ['google', 'twitter']) {
      fs.copyFileSync(path.join(img(set), file), path.join(out, 'images', set, file));
      fs.writeFileSync(path.join(out, 'images', set, name + '.txt'), cl.label + '\n');
    }
    rows.push([name, baseName, base.category, base.subcategory, cl.label, cl.tags.join(', ')].join('\t'));
    written++;
  }
}
fs.writeFileSync(path.join(out, 'emoji.tsv'), rows.join('\n') + '\n');
console.error('fetch.sh: ' + written + ' emoji in both sets, each with its CLDR label');
JS

cp "$here/LICENSE" "$here/LICENSE-APACHE-2.0" "$here/NOTICE" "$staging/"
echo "$expected_stamp" > "$staging/$STAMP"
if [ -e "$out" ]; then
  rm -rf "$out"  # an older fetch output (it has the stamp) or an empty directory
fi
mv "$staging" "$out"
echo "fetch.sh: wrote $out"
