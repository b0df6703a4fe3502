#!/usr/bin/env bash
# The simulated column of docs/heldout-storage.md: runs every held-out storage scenario
# (scenarios/heldout/storage-*.json) with the built clustersim and prints one line per figure:
#   <figure id> <simulated value> <unit>
# Usage: scripts/heldout-storage.sh [CLUSTERSIM_BINARY]   (default: $CLUSTERSIM_BIN or .build/debug/clustersim)
# HeldOutStorageTests runs it and checks that docs/heldout-storage.md prints the same values.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-${CLUSTERSIM_BIN:-.build/debug/clustersim}}"
[ -x "$BIN" ] || { echo "heldout-storage.sh: $BIN not found (run swift build)" >&2; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# mean over tasks of (time of event $2) - (time of event $1) in events.csv of scenario $3
mean_between() {
  local from="$1" to="$2" name="$3"
  "$BIN" run "scenarios/heldout/$name.json" --out "$TMP/$name" --quiet >/dev/null
  awk -F, -v a="$from" -v b="$to" '$3==a && !(($4) in s) {s[$4]=$1} $3==b && (($4) in s) && !(($4) in done) {t+=$1-s[$4]; n++; done[$4]=1}
    END {if (n == 0) exit 1; printf "%.3f\n", t/n}' "$TMP/$name/events.csv"
}
pull() { mean_between TASK_STAGING TASK_STARTING "$1"; }
start() { mean_between TASK_STARTING TASK_RUNNING "$1"; }

echo "pull-extract $(pull storage-pull-extract) s"
for c in 1 10 30 50 100; do echo "pull-concurrency-$c $(pull storage-pull-concurrency-$c) s"; done
small=$(pull storage-pull-size-small); large=$(pull storage-pull-size-large)
echo "pull-size-small $small s"
echo "pull-size-large $large s"
echo "pull-size-ratio $(awk -v a="$large" -v b="$small" 'BEGIN {printf "%.2f", a/b}') x"
ov=$(pull storage-pull-driver-overlay2); dm=$(pull storage-pull-driver-devicemapper)
echo "pull-driver-ratio $(awk -v a="$dm" -v b="$ov" 'BEGIN {printf "%.2f", a/b}') x"
echo "start-cached $(start storage-start-cached) s"
