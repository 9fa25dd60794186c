#!/usr/bin/env bash
# suite_layers.sh — layers point down only, and no two folders include each
# other (issue 14; docs/DEVELOPING.md, "Layers").
#
# Reads every `#include "..."` in src/*/, cli/, server/ and include/, maps the
# includer and the header to their folder, the folder to its layer, and fails
#   1. on an include of a header whose folder sits on a higher layer;
#   2. on a cycle between folders (folders of one layer may include each
#      other's headers, but never both ways, however long the loop);
#   3. on a folder or a public header the table below does not know (a new
#      one must be placed on a layer here, not slip through);
#   4. when the verb registry (scripts/gen_verbs.sh: verbs register in their
#      own file with CKP_VERB_DEFINE, the registry includes no module) lets
#      through a verb defined without the macro, a name or order key given
#      twice, or a malformed line — or does not list the library's verbs in
#      order.
#   bash tests/suite_layers.sh [ROOT]   (default: the repository)
# Ends with "N passed, N failed".
set -u
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT" || exit 2
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# Folder → layer, bottom (0) to top.
declare -A LAYER=(
  [src/core]=0                       # errors, writer formats, hash, grow, tmpdir
  [src/io]=1 [src/ref]=2             # CSV reader; reference tables
  [src/store]=3                      # the columnar store and ingest
  [src/verb]=4                       # verb runtime: args, env, answer/coverage, registry
  [src/analysis]=5 [src/evasion]=5 [src/controls]=5 [src/screen]=5
  [src/synth]=5 [src/fetch]=5 [src/report]=5   # modules that define verbs
  [cli]=6 [server]=6                 # the front doors
)
# Public header → the folder that implements it.
declare -A HOME_OF=(
  [error.h]=src/core [output.h]=src/core
  [csv.h]=src/io
  [ref.h]=src/ref [reporters.h]=src/ref
  [store.h]=src/store [ingest.h]=src/store
  [verb.h]=src/verb [coverage.h]=src/verb [flows.h]=src/verb
  [analysis.h]=src/analysis [merge.h]=src/analysis [margin.h]=src/analysis [overview.h]=src/analysis
  [evasion.h]=src/evasion
  [measures.h]=src/controls
  [lists.h]=src/screen [match.h]=src/screen [names.h]=src/screen [screen.h]=src/screen
  [synth.h]=src/synth
  [fetch.h]=src/fetch
  [report.h]=src/report
)

# The folder a file belongs to: a public header its implementing folder.
folder_of_file() {
  case $1 in
    include/chokepoint/*) echo "${HOME_OF[${1##*/}]:-?}" ;;
    src/*/*) local d=${1#src/}; echo "src/${d%%/*}" ;;
    cli/*) echo cli ;;
    server/*) echo server ;;
    *) echo "?" ;;
  esac
}

# The folder of the header `inc` included by `file`.
folder_of_include() {
  local file=$1 inc=$2
  case $inc in
    *.inc) echo "-" ;;                               # generated data, no header
    chokepoint/*) echo "${HOME_OF[${inc#chokepoint/}]:-?}" ;;
    ../*) folder_of_file "$(dirname "$file")/${inc#../}" | sed 's|^src/\.\./||' ;;
    */*) if [ -d "src/${inc%%/*}" ]; then echo "src/${inc%%/*}"; else echo "?"; fi ;;
    *) folder_of_file "$file" ;;                     # beside the includer
  esac
}

edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
files=$(ls src/*/*.[ch] cli/*.[ch] server/*.[ch] include/chokepoint/*.h 2>/dev/null)
n_up=0
n_unknown=0
for f in $files; do
  from=$(folder_of_file "$f")
  if [ "$from" = "?" ] || [ -z "${LAYER[$from]:-}" ]; then
    bad "$f: its folder (or, for a public header, its module) has no layer in $0"
    n_unknown=$((n_unknown + 1))
    continue
  fi
  while IFS= read -r inc; do
    [ -n "$inc" ] || continue
    case $inc in ../server/*) to=server ;; ../cli/*) to=cli ;; *) to=$(folder_of_include "$f" "$inc") ;; esac
    [ "$to" = "-" ] && continue
    if [ "$to" = "?" ] || [ -z "${LAYER[$to]:-}" ]; then
      bad "$f includes \"$inc\": a header with no layer in $0"
      n_unknown=$((n_unknown + 1))
      continue
    fi
    [ "$to" = "$from" ] && continue
    echo "$from $to" >>"$edges"
    if [ "${LAYER[$to]}" -gt "${LAYER[$from]}" ]; then
      bad "$f ($from, layer ${LAYER[$from]}) includes \"$inc\" ($to, layer ${LAYER[$to]})"
      n_up=$((n_up + 1))
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done
[ "$n_up" -eq 0 ] && ok "no include of a higher layer ($(echo $files | wc -w) files)"
[ "$n_unknown" -eq 0 ] && ok "every folder and header has a layer"

# Cycles between folders: tsort names the folders of every loop.
sort -u "$edges" -o "$edges"
if [ ! -s "$edges" ]; then
  bad "no include between folders found: is $ROOT the repository?"
elif loops=$(tsort "$edges" 2>&1 >/dev/null) && [ -z "$loops" ]; then
  ok "no cycle between folders ($(wc -l <"$edges") folder edges)"
else
  bad "a cycle between folders: $(echo "$loops" | grep -v 'input contains a loop' | sed 's/^tsort: //' | tr '\n' ' ')"
fi

# 4. The verb registry: generated from the verbs' own files.
gen() { bash scripts/gen_verbs.sh "$@" 2>&1; }
T=$(mktemp -d)
trap 'rm -f "$edges"; rm -rf "$T"' EXIT
if gen "$T/reg.h" src/*/*.c >/dev/null && [ -s "$T/reg.h" ] &&
  [ "$(grep -c '^X(' "$T/reg.h")" -eq "$(cat src/*/*.c | grep -c '^CKP_VERB_DEFINE(')" ]; then
  ok "registry: every library verb listed ($(grep -c '^X(' "$T/reg.h"))"
else
  bad "registry: scripts/gen_verbs.sh on src/*/*.c: $(gen "$T/reg.h" src/*/*.c)"
fi
printf 'CKP_VERB_DEFINE(toy_a, 10, 1) = {0};\n' >"$T/a.c"
printf 'CKP_VERB_DEFINE(toy_b, 5, 0) = {\n    0};\n' >"$T/b.c"
if gen "$T/o.h" "$T/a.c" "$T/b.c" >/dev/null && [ "$(sed -n 2,3p "$T/o.h" | tr -d '\n')" = "X(toy_b, 0)X(toy_a, 1)" ]; then
  ok "registry: sorted by order key"
else
  bad "registry: two toy verbs not listed by order: $(cat "$T/o.h" 2>&1)"
fi
printf 'const ckp_verb ckp_verb_toy_c = {0};\n' >"$T/c.c"
printf 'CKP_VERB_DEFINE(toy_d, 10, 0) = {0};\n' >"$T/d.c"
printf 'CKP_VERB_DEFINE(toy_e, ten, 0) = {0};\n' >"$T/e.c"
printf 'CKP_VERB_DEFINE(toy_a, 30, 0) = {0};\n' >"$T/f.c"
for bad_set in "c.c:without CKP_VERB_DEFINE" "d.c:order key used twice" \
  "e.c:malformed" "f.c:verb defined twice"; do
  file=${bad_set%%:*}
  want=${bad_set#*:}
  if out=$(gen "$T/o.h" "$T/a.c" "$T/$file"); then
    bad "registry: accepted $file (want: $want)"
  elif printf '%s' "$out" | grep -q "$want"; then
    ok "registry: refuses $file ($want)"
  else
    bad "registry: $file refused with another reason: $out"
  fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
