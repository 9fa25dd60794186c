#!/usr/bin/env bash
# demo.sh — the quick start's main job (run by `make demo`): build the default
# store from the shipped data (real flows + the labelled synthetic world), show
# what it holds, and write the report.
#   STORE (default ./chokepoint.store)  OUT (default ./out)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/chokepoint}
STORE=${STORE:-$PWD/chokepoint.store}
OUT=${OUT:-$PWD/out}
export CHOKEPOINT_DATA=$PWD/data
mkdir -p "$OUT"

echo "== real data: China's monthly exports (811292, 250410, 380110) and USA<->China Comtrade records"
"$BIN" ingest --store "$STORE" --replace --source china-critmin-monthly \
  data/flows/china-critmin-monthly/*.csv
"$BIN" ingest --store "$STORE" --format comtrade --source comtrade-annual \
  data/flows/comtrade-annual/*.csv

echo "== real data: EU member states' monthly exports to RUS, ARM, KAZ, KGZ (Eurostat Comext, EUR -> USD)"
"$BIN" ingest --store "$STORE" --source comext-hubs data/flows/eu-comext-hubs/*.csv

echo "== synthetic world (labelled synthetic): every scenario, seed 1"
"$BIN" synth --out "$OUT/synth-world.csv" --truth "$OUT/synth-truth.jsonl" \
  --seed 1 --rows 300000 --scenario all
"$BIN" ingest --store "$STORE" --source synth-world --synthetic "$OUT/synth-world.csv"

echo "== the store"
"$BIN" info --store "$STORE" --format table

echo "== the report"
"$BIN" report --store "$STORE" --out "$OUT/report.html"
echo
echo "report written to $OUT/report.html (self-contained; open it in a browser)"
