#!/usr/bin/env bash
# Engine benchmarks (`make bench`): the peers' hold and M/M/8 workloads on SimKernel, and — when
# the peer sources are present — the C++ peer (std::priority_queue) built and run in the same
# script, so the ratios compare runs made minutes apart on the same (noisy) machine.
#
#   bash bench/run.sh            full run: hold n=1e4 and n=1e6 with P=1e7, mmc with 2e6 customers
#   QUICK=1 bash bench/run.sh    ten times smaller
#
# Knobs: PEERS_DIR (default ../shared/peers from the repo root), PEERS_WORK (peer binaries and
# SimPy venv, default ${TMPDIR:-/tmp}/clustersim-peers, as peers/run_all.sh), SEED (42),
# REPEATS (1; passes over the whole suite, alternating Swift and C++).
# Result lines go to stdout in the peers' format; the ratio table follows.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SEED=${SEED:-42}
REPEATS=${REPEATS:-1}
DIV=1
[[ "${QUICK:-0}" == 1 ]] && DIV=10
POPS=$((10000000 / DIV))
CUSTOMERS=$((2000000 / DIV))
PEERS_DIR=${PEERS_DIR:-$ROOT/../shared/peers}
PEERS_WORK=${PEERS_WORK:-${TMPDIR:-/tmp}/clustersim-peers}
SIMPY_REF_HOLD_1E4=600000; SIMPY_REF_HOLD_1E6=175000; SIMPY_REF_MMC=256000  # peers/README.md

log() { echo "# $*" >&2; }

log "building clustersim-bench (release)"
swift build -c release --scratch-path "$ROOT/.build-kernel" --product clustersim-bench >&2
BENCH="$ROOT/.build-kernel/release/clustersim-bench"

HAVE_CPP=0
if [[ -d "$PEERS_DIR/cpp" ]] && command -v g++ >/dev/null; then
  WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/clustersim-bench.XXXXXX")
  trap 'rm -rf "$WORKDIR"' EXIT
  log "building the C++ peer from $PEERS_DIR/cpp into $WORKDIR (g++ -O2)"
  g++ -O2 -std=c++17 -o "$WORKDIR/cpp_hold" "$PEERS_DIR/cpp/hold.cpp"
  g++ -O2 -std=c++17 -o "$WORKDIR/cpp_mmc" "$PEERS_DIR/cpp/mmc.cpp"
  HAVE_CPP=1
else
  log "no C++ peer ($PEERS_DIR/cpp missing or no g++): Swift results only"
fi

SIMPY_PY=""
if [[ -d "$PEERS_DIR/simpy" ]]; then
  if [[ -x "$PEERS_WORK/.venv/bin/python" ]] && "$PEERS_WORK/.venv/bin/python" -c "import simpy" 2>/dev/null; then
    SIMPY_PY="$PEERS_WORK/.venv/bin/python"
  elif python3 -c "import simpy" 2>/dev/null; then
    SIMPY_PY=python3
  fi
fi

RESULTS=$(mktemp "${TMPDIR:-/tmp}/clustersim-bench-results.XXXXXX")
run() { local line; log "run: $*"; line=$("$@"); echo "$line"; echo "$line" >>"$RESULTS"; }

for ((rep = 1; rep <= REPEATS; rep++)); do
  for n in 10000 1000000; do
    run "$BENCH" hold "$n" "$POPS" "$SEED"
    ((HAVE_CPP)) && run "$WORKDIR/cpp_hold" std_pq "$n" "$POPS" "$SEED"
  done
  run "$BENCH" mmc "$CUSTOMERS" "$SEED"
  ((HAVE_CPP)) && run "$WORKDIR/cpp_mmc" "$CUSTOMERS" "$SEED"
  if [[ -n "$SIMPY_PY" ]]; then
    for n in 10000 1000000; do run "$SIMPY_PY" "$PEERS_DIR/simpy/hold.py" "$n" $((1000000 / DIV)) "$SEED"; done
    run "$SIMPY_PY" "$PEERS_DIR/simpy/mmc.py" "$CUSTOMERS" "$SEED"
  fi
done

# Ratio table: best rate per (workload, impl) over the repeats (the machine is noisy).
python3 - "$RESULTS" "$HAVE_CPP" "$SIMPY_PY" $SIMPY_REF_HOLD_1E4 $SIMPY_REF_HOLD_1E6 $SIMPY_REF_MMC <<'PY'
import sys
path, have_cpp, simpy = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
ref = {"hold_n10000": int(sys.argv[4]), "hold_n1000000": int(sys.argv[5]), "mmc_c8": int(sys.argv[6])}
best = {}
for line in open(path):
    kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
    key = (kv["name"], kv["impl"].split("_")[0])  # swift / cpp / simpy
    best[key] = max(best.get(key, 0), int(kv["events_per_s"]))
print()
print("| workload | swift M ev/s | cpp_std_pq M ev/s | swift/cpp | simpy M ev/s | swift/simpy |")
print("|---|---:|---:|---:|---:|---:|")
for w in ["hold_n10000", "hold_n1000000", "mmc_c8"]:
    s = best.get((w, "swift"))
    if s is None: continue
    c = best.get((w, "cpp"))
    p = best.get((w, "simpy"))
    cpp = f"{c/1e6:.2f} | {s/c:.2f}" if c else "- | -"
    if p: py = f"{p/1e6:.3f} | {s/p:.1f}"
    else: py = f"{ref[w]/1e6:.3f} (reference, not measured here) | {s/ref[w]:.1f}"
    print(f"| {w} | {s/1e6:.2f} | {cpp} | {py} |")
PY
rm -f "$RESULTS"
