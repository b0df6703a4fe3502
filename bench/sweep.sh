#!/usr/bin/env bash
# Sweep benchmark (issue 13; docs/benchmarks.md, "sweep"): one 40-run experiment (5 points x 8
# replications of a base scenario) swept by the release clustersim with -j 1, then with -j 2, each
# into a fresh folder; prints both wall times, the speed-up (issue: >= 1.8 on a 2-core machine) and
# checks that the two points.csv are byte-identical.
#
#   bash bench/sweep.sh     knobs: SWEEP_BASE (scenarios/hujiang-platform.json), SWEEP_DURATION (2h),
#                           SWEEP_JOBS (2: the -j compared with -j 1), SWEEP_BIN (a clustersim
#                           binary to use instead of building the release one)
# The axis on `seed` only makes 5 distinct points of the same scenario (each run gets its own
# derived --seed anyway).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BASE=${SWEEP_BASE:-scenarios/hujiang-platform.json}
DURATION=${SWEEP_DURATION:-2h}
JOBS=${SWEEP_JOBS:-2}

if [[ -n "${SWEEP_BIN:-}" ]]; then
  BIN=$SWEEP_BIN
else
  echo "# building clustersim (release)" >&2
  swift build -c release --scratch-path "$ROOT/.build-kernel" --product clustersim >&2
  BIN="$ROOT/.build-kernel/release/clustersim"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/clustersim-bench-sweep.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cat >"$WORK/bench-sweep.json" <<JSON
{"name": "bench-sweep", "base": "$ROOT/$BASE", "seed": 1, "replications": 8,
 "axes": [{"path": "duration", "values": ["$DURATION"]}, {"path": "seed", "values": [1, 2, 3, 4, 5]}],
 "figures": ["events_processed", "tasks_launched"]}
JSON

declare -A SECONDS_FOR
for j in 1 "$JOBS"; do
  # wall seconds, and the CPU seconds of the sweep and its runs (cpu/wall: cores kept busy)
  /usr/bin/time -f "%e %U %S" -o "$WORK/time-j$j" \
    "$BIN" sweep "$WORK/bench-sweep.json" -j "$j" --out "$WORK/j$j" --plots "$WORK/plots-j$j" --quiet
  read -r wall user sys <"$WORK/time-j$j"
  SECONDS_FOR[$j]=$wall
  cpu=$(python3 -c "print(f'{$user + $sys:.2f}')")
  echo "name=sweep_40_runs impl=clustersim jobs=$j runs=40 seconds=$wall cpu_s=$cpu base=$BASE duration=$DURATION cores=$(nproc) loadavg_1m=$(cut -d" " -f1 /proc/loadavg)"
done
cmp -s "$WORK/j1/points.csv" "$WORK/j$JOBS/points.csv" || { echo "# points.csv differs between -j 1 and -j $JOBS" >&2; exit 1; }
python3 -c "print(f'sweep speed-up -j $JOBS vs -j 1: {${SECONDS_FOR[1]} / ${SECONDS_FOR[$JOBS]}:.2f}x (target >= 1.8 on 2 cores); points.csv identical')"
