#!/usr/bin/env bash
# run.sh [SECONDS] [NAME…] — time-boxed libFuzzer runs of every parser.
#
# Builds each fuzz/fuzz_NAME.c with clang -fsanitize=fuzzer,address,undefined
# against the whole library and the Makefile's pkg-config libraries, into
# build-fuzz/fuzz_NAME.  The library (src/*/*.c) is compiled into
# build-fuzz/obj — again only when a source or a header changed — and
# archived, so a harness links only the modules it uses; a library file that
# does not compile is left out with a warning (a harness that needs it then
# fails to link).  Then runs each harness (or only the NAMEs given) for
# SECONDS (default 60) on its seeds fuzz/corpus/NAME/ and its kept crashers
# fuzz/regress/NAME/; new inputs go to build-fuzz/corpus/NAME/, not into the
# tree.  A crash, leak, timeout or out-of-memory input is copied into
# fuzz/regress/NAME/ (a regression case from then on: commit it) and the exit
# status is non-zero.
#
#   fuzz/run.sh --build [NAME…]              build only
#   fuzz/run.sh --no-build SECONDS [NAME…]   run what --build built
# (tests/suite_fuzz.sh uses both.)
# Environment: FUZZ_BUILD (default build-fuzz; use your own when others fuzz
# in the same tree), FUZZ_JOBS (parallel compiles, default 2), CLANG.
set -u
cd "$(dirname "$0")/.."
status=0
OUT=${FUZZ_BUILD:-build-fuzz}
CLANG=${CLANG:-clang}
JOBS=${FUZZ_JOBS:-2}
build_only=0
no_build=0
if [ "${1:-}" = --build ]; then
  build_only=1
  shift
  SECS=0
elif [ "${1:-}" = --no-build ]; then
  no_build=1
  shift
  SECS=${1:-60}
  [ $# -gt 0 ] && shift
else
  SECS=${1:-60}
  [ $# -gt 0 ] && shift
fi

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.c; do
    [ -e "$f" ] || continue
    n=$(basename "$f" .c)
    names+=("${n#fuzz_}")
  done
fi
if [ ${#names[@]} -eq 0 ]; then
  echo "fuzz: no harnesses (fuzz/fuzz_*.c)" >&2
  exit 1
fi
if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "fuzz: $CLANG not found (scripts/deps.sh installs clang and libclang-rt-dev)" >&2
  exit 1
fi

PKGS=$(sed -n 's/^PKGS *:= *//p' Makefile)
PKG_CFLAGS=$(pkg-config --cflags $PKGS 2>/dev/null)
PKG_LIBS=$(pkg-config --libs $PKGS 2>/dev/null)
VERSION=$(sed -n 's/^VERSION *:= *//p' Makefile)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-std=c11 -g -O1 -fno-omit-frame-pointer $SAN -Iinclude -Isrc -I$OUT/gen \
  -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DCKP_VERSION=\"${VERSION:-fuzz}\" $PKG_CFLAGS"
export CLANG CFLAGS OUT

# --- the library, with coverage instrumentation for libFuzzer
compile_one() { # src: (re)compile when the source or any header is newer
  local src=$1 obj="$OUT/obj/${1//\//_}.o"
  if [ -e "$obj" ] && [ "$obj" -nt "$src" ] &&
     { [ -z "$NEWEST_HEADER" ] || [ "$obj" -nt "$NEWEST_HEADER" ]; }; then
    return 0
  fi
  # shellcheck disable=SC2086
  "$CLANG" $CFLAGS -fsanitize=fuzzer-no-link -c "$src" -o "$obj.tmp" && mv "$obj.tmp" "$obj"
}
export -f compile_one

build_library() { # → $OUT/libchokepoint-fuzz.a
  mkdir -p "$OUT/obj" "$OUT/gen"
  # the verb registry, as the Makefile writes it (scripts/gen_verbs.sh)
  bash scripts/gen_verbs.sh "$OUT/gen/verbs_registry.h" src/*/*.c || return 1
  NEWEST_HEADER=$(ls -t include/chokepoint/*.h src/*/*.h 2>/dev/null | head -n1)
  export NEWEST_HEADER
  local srcs=(src/*/*.c) # listed once: others may add files while this runs
  printf '%s\n' "${srcs[@]}" | xargs -P "$JOBS" -I{} bash -c 'compile_one "$@"' _ {}
  local objs=() src obj
  for src in "${srcs[@]}"; do
    obj="$OUT/obj/${src//\//_}.o"
    if [ -e "$obj" ] && [ "$obj" -nt "$src" ]; then
      objs+=("$obj")
    else
      echo "fuzz: warning: $src did not compile; left out of the library" >&2
    fi
  done
  # an archive, as the Makefile links: a harness pulls in only what it uses
  rm -f "$OUT/libchokepoint-fuzz.a"
  ar rcs "$OUT/libchokepoint-fuzz.a" "${objs[@]}"
}

build_harness() { # name → $OUT/fuzz_NAME
  local h=fuzz/fuzz_$1.c
  if [ ! -e "$h" ]; then
    echo "fuzz: no harness $h" >&2
    return 1
  fi
  rm -f "$OUT/fuzz_$1" # no stale binary when this build fails
  # shellcheck disable=SC2086
  "$CLANG" $CFLAGS -fsanitize=fuzzer -o "$OUT/fuzz_$1" "$h" "$OUT/libchokepoint-fuzz.a" \
    $PKG_LIBS -lm -lpthread || {
    echo "fuzz: $h did not build" >&2
    return 1
  }
}

built=()
if [ "$no_build" = 0 ]; then
  build_library || exit 1
  build_failed=0
  for n in "${names[@]}"; do
    if build_harness "$n"; then
      built+=("$n")
    else
      build_failed=1 # go on: the other harnesses still build and run
    fi
  done
  [ "$build_only" = 1 ] && exit $build_failed
  [ $build_failed = 1 ] && status=1
  names=("${built[@]}")
fi

# --- the runs
for n in "${names[@]}"; do
  bin=$OUT/fuzz_$n
  work=$OUT/corpus/$n
  art=$OUT/artifacts/$n
  mkdir -p "$work" "$art" "fuzz/corpus/$n"
  seeds=("fuzz/corpus/$n")
  [ -d "fuzz/regress/$n" ] && seeds+=("fuzz/regress/$n")
  echo "fuzz: $n for ${SECS}s" >&2
  "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$art/" "$work" "${seeds[@]}" >"$OUT/$n.log" 2>&1
  rc=$?
  grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$OUT/$n.log" >&2
  found=0
  for a in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
    [ -e "$a" ] || continue
    mkdir -p "fuzz/regress/$n"
    cp "$a" "fuzz/regress/$n/"
    echo "fuzz: $n: kept $(basename "$a") in fuzz/regress/$n/" >&2
    rm -f "$a"
    found=1
  done
  if [ $rc -ne 0 ] || [ $found = 1 ]; then
    echo "fuzz: $n FAILED (exit $rc); log: $OUT/$n.log" >&2
    grep -m5 -E 'ERROR|SUMMARY|fuzz_[a-z]+: ' "$OUT/$n.log" >&2
    status=1
  else
    echo "fuzz: $n ok" >&2
  fi
done
exit $status
