# Sourced by scripts/heldout-{platform,discovery,monitoring}.sh after setting HELDOUT (the script's
# name) and with the script's arguments: goes to the repository's root, takes the clustersim binary
# from the first argument ($CLUSTERSIM_BIN or the debug build if none), and makes OUT, a temporary
# folder removed on exit. `run NAME` runs scenarios/heldout/NAME.json into OUT/NAME quietly;
# `run_out NAME` does the same and prints the run's report on stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN="${1:-${CLUSTERSIM_BIN:-.build/debug/clustersim}}"
[ -x "$BIN" ] || { echo "$HELDOUT: $BIN not found (run swift build)" >&2; exit 1; }
OUT="$(mktemp -d "${TMPDIR:-/tmp}/$HELDOUT.XXXXXX")"
trap 'rm -rf "$OUT"' EXIT

run() {
  "$BIN" run "scenarios/heldout/$1.json" --out "$OUT/$1" --quiet > /dev/null
}

run_out() {
  "$BIN" run "scenarios/heldout/$1.json" --out "$OUT/$1"
}
