#!/usr/bin/env bash
# suite_help.sh — help where people look for it:
# 1. the man page chokepoint(1) renders with `man -l` without a warning,
#    and lists every verb and, in each verb's section, every option that
#    `chokepoint VERB --help` lists (the truth here is --help's text, not
#    the generator's tables);
# 2. `make install PREFIX=…` puts the binary, the man page and the bash and
#    zsh completions where man, bash-completion and zsh look;
# 3. the bash completion, sourced, completes verbs, every option of every
#    verb, group names, country codes, measure ids and choices; the zsh one
#    parses, loads under compinit, and does the same in an interactive zsh
#    driven on a pty (TAB pressed at the end of a line);
# 4. every example at the end of a verb's --help runs, as written, on the
#    store `make demo` builds (scripts/demo.sh) from a directory holding the
#    shipped data, and ends with the exit status it is listed with; every
#    verb has two or three.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=${CKP_ROOT:-$PWD}
BIN=${CKP_BIN:-$PWD/build-san/chokepoint}
BUILD_DIR=${CKP_BUILD:-$(dirname "$BIN")}
export CHOKEPOINT_DATA=${CHOKEPOINT_DATA:-$ROOT/data}
T=$(mktemp -d "${TMPDIR:-/tmp}/ckp-help.XXXXXX")
PID=
cleanup() {
  [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# the verbs, from `chokepoint --help`; each verb's options, from its --help
verbs=$("$BIN" --help | awk '/^verbs:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}')
options_of() { # VERB → its long options, one a line, from VERB --help
  "$BIN" "$1" --help | awk '/^options:/ {on = 1; next} on && /^$/ {on = 0}
    on { if (match($0, /^ +(-[a-zA-Z], )?--[a-z0-9-]+/)) { s = substr($0, RSTART, RLENGTH); sub(/.*--/, "--", s); print s } }' |
    grep -vx -- --help
}
nverbs=$(echo "$verbs" | wc -w)
if [ "$nverbs" -ge 15 ]; then ok "chokepoint --help lists $nverbs verbs"; else bad "chokepoint --help lists $nverbs verbs"; fi

# ---- 1. the man page ------------------------------------------------------
man1=$T/chokepoint.1
"$BIN" help --man >"$man1" 2>"$T/man-gen.err"
rc=$?
if [ $rc -eq 0 ] && [ -s "$man1" ] && [ ! -s "$T/man-gen.err" ]; then
  ok "help --man writes the page ($(wc -l <"$man1") lines)"
else
  bad "help --man: exit $rc: $(head -n 3 "$T/man-gen.err")"
fi
if ! command -v man >/dev/null 2>&1 || ! command -v groff >/dev/null 2>&1; then
  bad "man and groff are needed (Debian man-db, groff-base: scripts/deps.sh)"
else
  for width in 80 200; do
    LC_ALL=C.UTF-8 MANWIDTH=$width man --warnings -l "$man1" >"$T/man$width.txt" 2>"$T/man$width.err"
    rc=$?
    if [ $rc -eq 0 ] && [ ! -s "$T/man$width.err" ] && grep -q '^NAME' "$T/man$width.txt"; then
      ok "man -l renders the page at $width columns without a warning"
    else
      bad "man -l at $width columns: exit $rc: $(head -n 3 "$T/man$width.err")"
    fi
  done
  # groff with every warning on: no line that cannot be broken, no bad macro
  LC_ALL=C.UTF-8 groff -man -k -ww -z -Tutf8 "$man1" 2>"$T/groff.err"
  if [ ! -s "$T/groff.err" ]; then ok "groff -ww: no warning"; else bad "groff -ww: $(head -n 3 "$T/groff.err")"; fi
  missing=
  for v in $verbs; do
    # the verb's own section: from its heading to the next one
    awk -v v="$v" '$0 == "   " v {on = 1; next} on && /^   [a-z]+$/ {exit} on && /^[A-Z]/ {exit} on' \
      "$T/man200.txt" >"$T/sec.txt"
    if [ ! -s "$T/sec.txt" ]; then
      missing="$missing verb:$v"
      continue
    fi
    for o in $(options_of "$v"); do
      grep -q -- "$o\\b" "$T/sec.txt" || missing="$missing $v:$o"
    done
  done
  if [ -z "$missing" ]; then
    ok "the man page has every verb and, in its section, every option --help lists"
  else
    bad "the man page lacks:$missing"
  fi
fi

# ---- 2. make install -------------------------------------------------------
prefix=$T/prefix
build_rel=${BUILD_DIR#"$ROOT"/}
san=0
case $build_rel in *san*) san=1 ;; esac
if (cd "$ROOT" && env -u MAKEFLAGS -u MAKELEVEL make -s install SANITIZE=$san BUILD="$build_rel" \
  PREFIX="$prefix") >"$T/install.log" 2>&1; then
  ok "make install PREFIX=… (BUILD=$build_rel)"
else
  bad "make install PREFIX=…: $(tail -n 3 "$T/install.log")"
fi
for f in bin/chokepoint share/man/man1/chokepoint.1 share/bash-completion/completions/chokepoint \
  share/zsh/site-functions/_chokepoint share/chokepoint/groups.csv; do
  if [ -s "$prefix/$f" ]; then ok "installed $f"; else bad "not installed: $f"; fi
done
if [ "$(MANPATH=$prefix/share/man man -w chokepoint 2>/dev/null)" = "$prefix/share/man/man1/chokepoint.1" ]; then
  ok "man finds chokepoint(1) under PREFIX/share/man"
else
  bad "man -w chokepoint does not find the installed page"
fi
if cmp -s "$man1" "$prefix/share/man/man1/chokepoint.1"; then
  ok "the installed page is the one help --man writes"
else
  bad "the installed man page differs from help --man"
fi
if (cd "$T" && env -u CHOKEPOINT_DATA "$prefix/bin/chokepoint" country 842 --format csv | grep -q '^USA,'); then
  ok "the installed binary finds its installed data"
else
  bad "the installed binary does not find PREFIX/share/chokepoint"
fi

# ---- 3. completion -----------------------------------------------------------
bcomp=$prefix/share/bash-completion/completions/chokepoint
[ -s "$bcomp" ] || "$BIN" help --completion bash >"$bcomp"
complete_bash() { # WORDS… (the last is the word being completed) → COMPREPLY, one a line
  bash -c 'source "$1" || exit 3; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _chokepoint;
           printf "%s\n" "${COMPREPLY[@]}"' _ "$bcomp" "$@"
}
expect_completion() { # WHAT EXPECTED WORDS… — EXPECTED must be among the candidates
  local what=$1 want=$2
  shift 2
  if complete_bash "$@" | grep -qxF -- "$want"; then
    ok "bash completes $what: '$*' → $want"
  else
    bad "bash completion of '$*' lacks $want (got: $(complete_bash "$@" | head -n 8 | tr '\n' ' '))"
  fi
}
expect_completion "a verb" dependency chokepoint dep
expect_completion "an option of dependency" --importer chokepoint dependency --imp
expect_completion "a group name" antimony chokepoint dependency --hs anti
expect_completion "a group in a list" graphite,gallium chokepoint surge --hs graphite,gal
expect_completion "a country code" USA chokepoint dependency --importer US
expect_completion "a country code typed in lower case" RUS chokepoint dependency --importer ru
expect_completion "a country after --importer=" CHN chokepoint dependency --importer = CH
expect_completion "a measure id" CN-2024-46 chokepoint diversion --measure CN-2024-4
expect_completion "a choice" json chokepoint dependency --format j
expect_completion "a short option's choice" comtrade chokepoint ingest -f com
expect_completion "a group as hs's argument" rare-earths chokepoint hs rare
expect_completion "a country as country's argument" DEU chokepoint country DE
expect_completion "a verb after help" surge chokepoint help sur
expect_completion "a file" tests/data/shipments_sample.csv chokepoint screen tests/data/shipments_s
if [ -z "$(complete_bash chokepoint dependency --importer ZZ)" ]; then
  ok "bash offers no country code that does not exist"
else
  bad "bash completes --importer ZZ to something"
fi
missing=
for v in $verbs; do
  got=$(complete_bash chokepoint "$v" --)
  for o in $(options_of "$v"); do
    echo "$got" | grep -qxF -- "$o" || missing="$missing $v:$o"
  done
done
if [ -z "$missing" ]; then ok "bash completes every option of every verb"; else bad "bash lacks:$missing"; fi

zcomp=$prefix/share/zsh/site-functions/_chokepoint
[ -s "$zcomp" ] || "$BIN" help --completion zsh >"$zcomp"
if command -v zsh >/dev/null 2>&1; then
  if zsh -n "$zcomp" 2>"$T/zsh.err"; then ok "zsh -n: the zsh completion parses"; else bad "zsh -n: $(head -n 3 "$T/zsh.err")"; fi
  got=$(HOME=$T zsh -f -c 'autoload -U compinit; compinit -u -d "$HOME/.zcompdump"; source "$1"; print -r -- "${_comps[chokepoint]}"' _ "$zcomp" 2>"$T/zsh2.err")
  if [ "$got" = _chokepoint ] && [ ! -s "$T/zsh2.err" ]; then
    ok "zsh: the completion loads under compinit and completes chokepoint"
  else
    bad "zsh: after sourcing, _comps[chokepoint]='$got'; $(head -n 3 "$T/zsh2.err")"
  fi
  # autoloaded from fpath, as installed
  got=$(HOME=$T zsh -f -c 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -d "$HOME/.zcompdump"; print -r -- "${_comps[chokepoint]}"' _ "$(dirname "$zcomp")" 2>&1)
  if [ "$got" = _chokepoint ]; then ok "zsh: compinit finds _chokepoint in PREFIX/share/zsh/site-functions"; else bad "zsh: fpath autoload: '$got'"; fi
  # completion as a user gets it: an interactive zsh on a pty (zsh/zpty),
  # compinit over PREFIX's site-functions, TAB at the end of the line;
  # compadd is wrapped to print each candidate it was handed
  cat >"$T/capture.zsh" <<'ZSH'
zmodload zsh/zpty || exit 3
dir=$1 line=$2
zpty z zsh -f -i
zpty -w z "PROMPT= ; fpath=($dir \$fpath); autoload -U compinit; compinit -u -d $HOME/.zcd"
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; typeset -a __h; builtin compadd -A __h "$@"; local w; for w in $__h; do print -r -- "CAND""::$w"; done; builtin compadd "$@"; }'
zpty -w z "bindkey '^I' complete-word; zstyle ':completion:*' insert-tab false"
zpty -w z 'comppostfuncs=(__done); __done() { print -r -- "CAND""-END"; exit }'
zpty -w z "$line"$'\t'
out=
while (( SECONDS < 15 )); do
  zpty -r -t z chunk 2>/dev/null && out+=$chunk || sleep 0.05
  [[ $out == *CAND-END* ]] && break
done
zpty -d z
print -r -- "$out" | tr -d '\r' | sed -n 's/.*CAND:://p' | sort -u
ZSH
  complete_zsh() { # LINE → the candidates zsh offers at its end
    (cd "$ROOT" && HOME=$T timeout 20 zsh -f "$T/capture.zsh" "$(dirname "$zcomp")" "$1")
  }
  expect_zsh() { # WHAT EXPECTED LINE
    if complete_zsh "$3" | grep -qxF -- "$2"; then
      ok "zsh completes $1: '$3' → $2"
    else
      bad "zsh completion of '$3' lacks $2 (got: $(complete_zsh "$3" | head -n 8 | tr '\n' ' '))"
    fi
  }
  expect_zsh "a verb" dependency "chokepoint dep"
  expect_zsh "an option of dependency" --importer "chokepoint dependency --imp"
  expect_zsh "a group name" antimony "chokepoint dependency --hs anti"
  expect_zsh "a group in a list" gallium "chokepoint surge --hs graphite,gal"
  expect_zsh "a country code typed in lower case" USA "chokepoint dependency --importer us"
  expect_zsh "a measure id" CN-2024-46 "chokepoint diversion --measure CN-2024-4"
  expect_zsh "a choice" json "chokepoint dependency --format j"
  expect_zsh "a short option's choice" comtrade "chokepoint ingest -f com"
  expect_zsh "a group as hs's argument" rare-earths "chokepoint hs rare"
  expect_zsh "a verb after help" surge "chokepoint help sur"
  missing=
  for v in $verbs; do
    got=$(complete_zsh "chokepoint $v --")
    for o in $(options_of "$v"); do
      echo "$got" | grep -qxF -- "$o" || missing="$missing $v:$o"
    done
  done
  if [ -z "$missing" ]; then ok "zsh completes every option of every verb"; else bad "zsh lacks:$missing"; fi
else
  bad "zsh is missing (Debian package zsh: scripts/deps.sh)"
fi

# ---- 4. the examples ---------------------------------------------------------
"$BIN" help --examples >"$T/examples.tsv"
nex=$(wc -l <"$T/examples.tsv")
few=
for v in $verbs; do
  n=$(awk -F'\t' -v v="$v" '$1 == v' "$T/examples.tsv" | wc -l)
  [ "$n" -ge 2 ] && [ "$n" -le 3 ] || few="$few $v:$n"
  # each listed example is printed by the verb's --help
  while IFS=$'\t' read -r _ _ cmd; do
    "$BIN" "$v" --help | grep -qxF -- "  $cmd" || few="$few $v:not-in-help"
  done < <(awk -F'\t' -v v="$v" '$1 == v' "$T/examples.tsv")
done
if [ -z "$few" ]; then ok "every verb's --help ends with 2 or 3 examples ($nex in all)"; else bad "examples:$few"; fi

# a newcomer's directory after `make demo`: the shipped data, the demo store
D=$T/demo
mkdir -p "$D/bin" "$D/out"
ln -s "$ROOT/data" "$D/data"
mkdir -p "$D/tests"
ln -s "$ROOT/tests/data" "$D/tests/data"
ln -s "$BIN" "$D/bin/chokepoint"
if BIN=$BIN STORE=$D/chokepoint.store OUT=$D/out bash "$ROOT/scripts/demo.sh" >"$T/demo.log" 2>&1; then
  ok "the demo store (scripts/demo.sh)"
else
  bad "scripts/demo.sh failed: $(tail -n 3 "$T/demo.log")"
fi
i=0
while IFS=$'\t' read -r verb want cmd; do
  i=$((i + 1))
  out=$T/ex$i.out err=$T/ex$i.err
  if [ "$want" = -1 ]; then
    # a server: it must come up and keep serving until stopped
    (cd "$D" && PATH=$D/bin:$PATH exec bash -c "exec $cmd") </dev/null >"$out" 2>"$err" &
    PID=$!
    for _ in $(seq 1 150); do
      grep -q 'listening on http://' "$out" && break
      kill -0 "$PID" 2>/dev/null || break
      sleep 0.2
    done
    url=$(sed -n 's|.*listening on \(http://127\.0\.0\.1:[0-9]*/\).*|\1|p' "$out")
    if [ -n "$url" ] && kill -0 "$PID" 2>/dev/null &&
      [ "$(curl -s -o /dev/null -w '%{http_code}' "${url}api/info")" = 200 ]; then
      ok "example ($verb): $cmd — serving, GET /api/info 200"
    else
      bad "example ($verb): $cmd — not serving ${url:-(no address printed)}: $(tail -n 3 "$err")"
    fi
    kill -TERM "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=
    continue
  fi
  (cd "$D" && PATH=$D/bin:$PATH bash -o pipefail -c "$cmd") </dev/null >"$out" 2>"$err"
  rc=$?
  if [ "$rc" = "$want" ] && [ -s "$out" -o -s "$err" ] &&
    ! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$err"; then
    ok "example ($verb): $cmd — exit $rc"
  else
    bad "example ($verb): $cmd — exit $rc, expected $want: $(head -n 3 "$err")"
  fi
done <"$T/examples.tsv"

echo "help: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
