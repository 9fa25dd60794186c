#!/usr/bin/env bash
# suite_fresh.sh — the README's quick start on a machine without the
# libraries: `make demo` in a fresh git clone, the first time, as written.
#
# The missing packages are simulated on PATH, and the project's own
# scripts/deps.sh runs unchanged against the simulation:
#   pkg-config  answers "not found" for the project's modules (Makefile PKGS)
#               until the packages are "installed" (a marker file), then
#               hands over to the real pkg-config;
#   apt-get     the install deps.sh asks for creates the marker, after
#               checking that the library packages were asked for;
#   npm         "installs" Chart.js (a link to this tree's node_modules) so
#               that no network is used;
#   id          says root, so deps.sh takes its install path.
# A Makefile that reads pkg-config once, before deps has run, links with no
# libraries ("undefined reference to utf8proc_map") and fails here.
# Also: a plain `make` before deps stops at once, saying what to run; the
# demo leaves ./chokepoint at the root, a store and the report (with the
# chart library in it).  (`make test`, the README's second command, runs
# deps and re-enters make the same way; its last step is this suite.)
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=${CKP_ROOT:-$PWD}
T=$(mktemp -d "${TMPDIR:-/tmp}/ckp-fresh.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() {
  echo "fresh: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
}

real_pc=$(command -v pkg-config || true)
if [ -z "$real_pc" ] || ! command -v git >/dev/null 2>&1; then
  bad "pkg-config and git are needed to run this suite (scripts/deps.sh)"
  finish
fi

# ---- a fresh clone of the working tree ---------------------------------
# git clone gives the committed tree; the working tree's uncommitted and new
# (not ignored) files are laid over it, so the suite tests what is here.
# Nothing ignored comes along: no build dirs, node_modules or store.
clone=$T/chokepoint
git clone -q "$ROOT" "$clone" 2>"$T/clone.err" || {
  bad "git clone $ROOT: $(head -n 3 "$T/clone.err")"
  finish
}
(cd "$ROOT" && git ls-files -z -m -o --exclude-standard | tar --null -T - -cf -) |
  (cd "$clone" && tar -xf -)
(cd "$ROOT" && git ls-files -z -d) | (cd "$clone" && xargs -0 -r rm -f)

# ---- the simulated machine ---------------------------------------------
shim=$T/shim
marker=$T/packages-installed
mkdir -p "$shim"
modules=$(sed -n 's/^PKGS := //p' "$clone/Makefile")
[ -n "$modules" ] || modules="libutf8proc icu-uc icu-i18n sqlite3 libmicrohttpd jansson libcrypto zlib libcurl libarchive"
cat >"$shim/pkg-config" <<EOF
#!/usr/bin/env bash
# before the fake install: the project's modules do not exist
if [ ! -e "$marker" ]; then
  for a in "\$@"; do
    for m in $modules; do
      if [ "\$a" = "\$m" ]; then
        echo "before-install \$*" >>"$T/pkg-config.log"
        echo "Package \$m was not found in the pkg-config search path." >&2
        exit 1
      fi
    done
  done
fi
echo "after-install \$*" >>"$T/pkg-config.log"
exec "$real_pc" "\$@"
EOF
cat >"$shim/apt-get" <<EOF
#!/usr/bin/env bash
echo "apt-get \$*" >>"$T/apt-get.log"
case "\$1" in
update) exit 0 ;;
install)
  for p in libutf8proc-dev libicu-dev libsqlite3-dev libmicrohttpd-dev libjansson-dev libssl-dev zlib1g-dev libcurl4-openssl-dev libarchive-dev; do
    case " \$* " in *" \$p "*) ;; *) echo "fake apt-get: \$p not asked for" >&2; exit 100 ;; esac
  done
  touch "$marker"
  exit 0 ;;
esac
echo "fake apt-get: unexpected command \$*" >&2
exit 100
EOF
cat >"$shim/npm" <<EOF
#!/usr/bin/env bash
echo "npm \$*" >>"$T/npm.log"
[ "\$1" = install ] || { echo "fake npm: unexpected command \$*" >&2; exit 1; }
mkdir -p node_modules
if [ -d "$ROOT/node_modules/chart.js" ]; then
  ln -sfn "$ROOT/node_modules/chart.js" node_modules/chart.js
fi
EOF
printf '#!/bin/sh\n[ "$1" = -u ] && { echo 0; exit 0; }\nexec /usr/bin/id "$@"\n' >"$shim/id"
chmod +x "$shim"/*

# a newcomer's shell: no make state, store or data from the suite's caller
run_fresh() { # LOG COMMAND... — in the clone, on the simulated machine
  local log=$1
  shift
  (cd "$clone" &&
    env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u CHOKEPOINT_STORE -u CHOKEPOINT_DATA \
      -u CHOKEPOINT_DB PATH="$shim:$PATH" "$@") >"$log" 2>&1
}

# ---- 1. `make` before deps: stops at once and says what to run ---------
run_fresh "$T/make0.log" make
rc=$?
if [ $rc -ne 0 ] && grep -q "run 'make deps'" "$T/make0.log" &&
  ! grep -q "undefined reference" "$T/make0.log"; then
  ok "make before deps stops with what to run (exit $rc)"
else
  bad "make before deps: exit $rc, expected a stop naming 'make deps'; last lines:"
  tail -n 5 "$T/make0.log" | sed 's/^/  | /'
fi
if ls "$clone"/build/obj/src/*/*.o >/dev/null 2>&1; then
  bad "make before deps compiled objects without the libraries"
else
  ok "make before deps compiled nothing"
fi

# ---- 2. the quick start: make demo, the first time ----------------------
start=$SECONDS
run_fresh "$T/demo.log" make demo
rc=$?
if [ $rc -eq 0 ]; then
  ok "make demo on the bare machine: exit 0 ($((SECONDS - start)) s)"
else
  bad "make demo on the bare machine: exit $rc; last lines:"
  grep -m 3 "undefined reference" "$T/demo.log" | sed 's/^/  | /'
  tail -n 8 "$T/demo.log" | sed 's/^/  | /'
fi
# the simulation was in force: the first make saw no modules, deps installed
if grep -q '^before-install' "$T/pkg-config.log" 2>/dev/null &&
  grep -q '^after-install' "$T/pkg-config.log" 2>/dev/null; then
  ok "pkg-config answered 'not found' before deps and found the modules after"
else
  bad "pkg-config was not asked both before deps (not found) and after it (found): the build read it only once"
fi
if grep -q '^apt-get install .*libutf8proc-dev' "$T/apt-get.log" 2>/dev/null; then
  ok "deps.sh asked apt-get for the libraries"
else
  bad "deps.sh did not ask apt-get to install the libraries"
fi
if [ -x "$clone/chokepoint" ] && "$clone/chokepoint" --version | grep -q '^chokepoint '; then
  ok "./chokepoint at the root runs"
else
  bad "no runnable ./chokepoint at the root after make demo"
fi
if [ -f "$clone/out/report.html" ] && ! grep -q CKP_NO_CHARTLIB "$clone/out/report.html"; then
  ok "out/report.html written, with the chart library"
else
  bad "out/report.html missing or without the chart library"
fi
if (cd "$clone" && ./chokepoint info --format csv 2>/dev/null | tail -n 1 | grep -q 'synth-world'); then
  ok "the default store holds the shipped data and the synthetic world"
else
  bad "the default ./chokepoint.store is missing or incomplete"
fi

finish
