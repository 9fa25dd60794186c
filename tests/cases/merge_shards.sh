#!/usr/bin/env bash
# merge_shards.sh STORE GLOB FORMAT VERB [ARGS…] — for tests/cases/merge.t:
# run VERB on the whole STORE, and with --input SHARD --partial on every
# shard matching GLOB, merge the partials, and compare the two outputs in
# FORMAT.  Prints "same: N lines" or the difference (and exits 1).
set -u
store=$1 glob=$2 fmt=$3
shift 3
verb=$1
tag=$(printf '%s' "$*" | tr -c 'A-Za-z0-9' _)
want=out-whole.$tag.$fmt got=out-merged.$tag.$fmt
chokepoint "$@" --store "$store" --format "$fmt" >"$want" || exit 1
parts=()
for shard in $glob; do
  chokepoint "$@" --input "$shard" --partial >"$shard.$tag.part" || exit 1
  parts+=("$shard.$tag.part")
done
chokepoint merge --format "$fmt" "${parts[@]}" >"$got" || exit 1
# coverage is computed from the store (docs/analytics.md, "Coverage"): a
# merge of partials has no store and says so in coverage_note; the whole
# store's rows must say the same as the merged ones in every other column
python3 "$(dirname "$0")/strip_coverage.py" "$fmt" "$want" "$got" || exit 1
# NOSOURCES=1: the shards' sources are named after their files' formats
# (--input), the store's by ingest --source: compare all but the names
if [ "${NOSOURCES:-}" = 1 ]; then
  for f in "$want" "$got"; do
    sed -E 's/,"sources":\[[^]]*\]//; s/,(true|false),[^,]*(,"[^"]*"|,[^,"]*)$/,\1,\2/' "$f" >"$f.ns" && mv "$f.ns" "$f"
  done
fi
if cmp -s "$want" "$got"; then
  echo "same: $(wc -l <"$want") lines"
else
  diff "$want" "$got" | head -20
  exit 1
fi
