#!/usr/bin/env bash
# deps.sh — install what chokepoint needs that this machine lacks.
#   scripts/deps.sh          build + test dependencies (Debian packages, npm)
#   scripts/deps.sh bench    also the benchmark peers (DuckDB from npm, wrk)
# As root, missing Debian packages are installed with apt-get; otherwise the
# missing ones are listed with the command to run.  Idempotent and quiet when
# everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

want_bench=0
[ "${1:-}" = bench ] && want_bench=1

# Debian package ⇐ the file or pkg-config module that shows it is installed.
pkgs_needed=()
need_pc() { pkg-config --exists "$2" 2>/dev/null || pkgs_needed+=("$1"); }
need_bin() { command -v "$2" >/dev/null 2>&1 || pkgs_needed+=("$1"); }

need_bin pkg-config pkg-config
need_bin make make
need_bin gcc gcc
need_bin clang clang
if command -v pkg-config >/dev/null 2>&1; then
  need_pc libutf8proc-dev libutf8proc
  need_pc libicu-dev icu-i18n
  need_pc libsqlite3-dev sqlite3
  need_pc libmicrohttpd-dev libmicrohttpd
  need_pc libjansson-dev jansson
  need_pc libssl-dev libcrypto # SHA-256 of the audit trail's hash chain
  need_pc zlib1g-dev zlib       # .gz input read as a stream
  need_pc libcurl4-openssl-dev libcurl # fetch comtrade: the UN Comtrade API
  need_pc libarchive-dev libarchive # BACI release .zip read as a stream
else
  pkgs_needed+=(libutf8proc-dev libicu-dev libsqlite3-dev libmicrohttpd-dev libjansson-dev libssl-dev zlib1g-dev libcurl4-openssl-dev libarchive-dev)
fi
# libFuzzer and the sanitizer runtimes for clang
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
  pkgs_needed+=(libclang-rt-dev)
need_bin nodejs node
need_bin npm npm
need_bin chromium chromium
need_bin curl curl
need_bin python3 python3 # tests/suite_server.sh builds its JSON bodies with it
need_bin man-db man      # tests/suite_help.sh renders the man page with man -l
need_bin groff-base groff
need_bin zsh zsh         # … and loads the zsh completion
if [ "$want_bench" = 1 ]; then
  need_bin wrk wrk
  need_bin hyperfine hyperfine
  need_bin python3 python3 # bench/evasion_eval.sh scores against the synth truth
fi

if [ ${#pkgs_needed[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing ${pkgs_needed[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${pkgs_needed[@]}" >/dev/null
  else
    echo "deps: missing Debian packages: ${pkgs_needed[*]}" >&2
    echo "deps: run as root: apt-get install ${pkgs_needed[*]}" >&2
    exit 1
  fi
fi

# npm packages (versions pinned in package.json / package-lock.json)
if [ -f package.json ] && command -v npm >/dev/null 2>&1; then
  if [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
    echo "deps: npm install" >&2
    npm install --no-audit --no-fund --loglevel=error >/dev/null
    touch node_modules
  fi
fi

# bench: DuckDB (@duckdb/node-api) for the benchmarks, pinned in
# bench/package.json + bench/package-lock.json, installed into bench/node_modules
if [ "$want_bench" = 1 ] && [ -f bench/package-lock.json ] && command -v npm >/dev/null 2>&1; then
  if [ ! -d bench/node_modules/@duckdb/node-api ] || [ bench/package-lock.json -nt bench/node_modules ]; then
    # npm install, not npm ci: the lock written on Linux lacks the other
    # platforms' optional DuckDB bindings, which npm ci refuses; install
    # still takes the locked versions
    echo "deps: npm install in bench/" >&2
    (cd bench && npm install --no-audit --no-fund --loglevel=error >/dev/null)
    touch bench/node_modules
  fi
fi
