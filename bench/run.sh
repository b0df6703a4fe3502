#!/usr/bin/env bash
# Engine benchmarks (`make bench`): the peers' hold and M/M/8 workloads on SimKernel, and — when
# the peer sources are present — the C++ peer (std::priority_queue) built and run in the same
# script, so the ratios compare runs made minutes apart on the same (noisy) machine.
#
#   bash bench/run.sh            full run: hold n=1e4 and n=1e6 with P=1e7, mmc with 2e6 customers,
#                                and the whole platform model (1,000 agents, 100 apps x 100 instances, 6 h)
#   QUICK=1 bash bench/run.sh    ten times smaller (platform: 100 agents, 10 apps x 100 instances, 1 h)
#
# First the platform scale of issue 14 (bench/scale.sh: hold n=1e4 beside the platform at
# 100/1,000/3,000/10,000 agents, the fitted exponent, the full platform day at 1,000 agents, the
# 10,000-agent day, memory over a week; SKIP_SCALE=1 to leave it out, SCALE_ONLY=1 for it alone),
# then the engine suite below.
#
# Knobs: PEERS_DIR (default ../shared/peers from the repo root), PEERS_WORK (peer binaries and
# SimPy venv, default ${TMPDIR:-/tmp}/clustersim-peers, as peers/run_all.sh), SEED (42),
# REPEATS (1; passes over the whole suite, alternating Swift and C++), PLATFORM_AGENTS,
# PLATFORM_APPS, PLATFORM_INSTANCES, PLATFORM_HOURS (the platform run's size; see docs/benchmarks.md), LB_HOURS
# (the lb benchmark's simulated hours).
# Result lines go to stdout in the peers' format; the ratio table follows, then the platform run
# as a ratio to hold n=1e4 (same binary, same repeat) and its peak memory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SEED=${SEED:-42}
REPEATS=${REPEATS:-1}
DIV=1
[[ "${QUICK:-0}" == 1 ]] && DIV=10
POPS=$((10000000 / DIV))
CUSTOMERS=$((2000000 / DIV))
if [[ "${QUICK:-0}" == 1 ]]; then P_AGENTS=100 P_APPS=10 P_HOURS=1; else P_AGENTS=1000 P_APPS=100 P_HOURS=6; fi
P_AGENTS=${PLATFORM_AGENTS:-$P_AGENTS}
P_APPS=${PLATFORM_APPS:-$P_APPS}
P_INSTANCES=${PLATFORM_INSTANCES:-100}
P_HOURS=${PLATFORM_HOURS:-$P_HOURS}
PEERS_DIR=${PEERS_DIR:-$ROOT/../shared/peers}
PEERS_WORK=${PEERS_WORK:-${TMPDIR:-/tmp}/clustersim-peers}
SIMPY_REF_HOLD_1E4=600000; SIMPY_REF_HOLD_1E6=175000; SIMPY_REF_MMC=256000  # peers/README.md

log() { echo "# $*" >&2; }

log "building clustersim-bench (release)"
swift build -c release --scratch-path "$ROOT/.build-kernel" --product clustersim-bench >&2
BENCH="$ROOT/.build-kernel/release/clustersim-bench"

# Platform scale (issue 14): sizes, fitted exponent, the full platform day, the 10,000-agent day,
# memory over a week (bench/scale.sh). SKIP_SCALE=1 leaves it out; SCALE_ONLY=1 runs only it.
if [[ "${SKIP_SCALE:-0}" != 1 ]]; then
  BENCH="$BENCH" SEED="$SEED" bash "$ROOT/bench/scale.sh"
fi
[[ "${SCALE_ONLY:-0}" == 1 ]] && exit 0

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
# SimPy 4.1.2 in a virtualenv of the work folder, as peers/run_all.sh does (PyPI; SKIP_INSTALL=1 to
# never install): the SimPy ratio is then measured, not taken from the peers' reference table.
if [[ -d "$PEERS_DIR/simpy" && "${SKIP_INSTALL:-0}" != 1 ]] && ! "$PEERS_WORK/.venv/bin/python" -c "import simpy" 2>/dev/null; then
  echo "# installing simpy==4.1.2 into $PEERS_WORK/.venv" >&2
  { python3 -m venv "$PEERS_WORK/.venv" && "$PEERS_WORK/.venv/bin/pip" install -q --disable-pip-version-check "simpy==4.1.2"; } >&2 \
    || echo "# SimPy could not be installed; its reference rates are used" >&2
fi
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
    # the platform model right after its reference (hold n=1e4), so both see the same machine
    ((n == 10000)) && run "$BENCH" platform "$P_AGENTS" "$P_APPS" "$P_INSTANCES" "$P_HOURS" "$SEED"
    ((HAVE_CPP)) && run "$WORKDIR/cpp_hold" std_pq "$n" "$POPS" "$SEED"
  done
  run "$BENCH" mmc "$CUSTOMERS" "$SEED"
  run "$BENCH" flows 1000 10000 $((2000 / DIV)) "$SEED"   # network flow sharing: flows re-shared per second
  run "$BENCH" consul $((1000 / DIV)) $((10000 / DIV)) $((24 / DIV > 0 ? 24 / DIV : 1)) "$SEED"   # Consul vs the same platform without it
  run "$BENCH" chronos $((1000 / DIV)) 100 $((6 / DIV > 0 ? 6 / DIV : 1)) "$SEED"   # Chronos jobs vs the same platform without Chronos
  run "$BENCH" traffic 100 10000 $((24 / DIV > 0 ? 24 / DIV : 1)) fluid "$SEED"   # fluid traffic: 100 services x 10,000 req/s
  run "$BENCH" scrape $((1000 / DIV)) 200 $((24 / DIV > 0 ? 24 / DIV : 1)) "$SEED"   # Prometheus: 1,000 targets x 200 series every 15 s
  run "$BENCH" metrics 10 $((20000 / DIV)) "$SEED"   # exporters: collect() per endpoint kind, everything wanted vs nothing
  run "$BENCH" alertmanager $((4000 / DIV)) $((24 / DIV > 0 ? 24 / DIV : 1)) "$SEED"   # Alertmanager HA pair: the log's lazy snapshots vs none (ratio), per-alert cost at N/4 and N
  run "$BENCH" regex $((20000 / DIV)) "$SEED"   # user regexes: the Pike VM vs Foundation's engine (ratio), linear on .*.*.*.*.*y
  run "$BENCH" load $((40000 / DIV)) "$SEED"    # reading and starting a scenario of many apps: per-app cost at N/4 and N (ratio 1: linear)
  run "$BENCH" pulls $((4000 / DIV)) "$SEED"    # mass deploy: downloads through one registry's capacity vs NIC sharing only (ratio), per-agent cost at N/4 and N
  run "$BENCH" placement $((1600 / DIV)) "$SEED"   # UNIQUE / GROUP_BY / MAX_PER deployments: counts vs the list walk vs no constraints (ratios), per-agent cost at N/4 and N
  run "$BENCH" sandbox $((400 / DIV)) "$SEED"     # sandbox GC crash loop: work_dir, sandbox output and disk quota vs none (ratio), per-agent cost at N/4 and N
  run "$BENCH" crashloop "$SEED" $((100 / DIV)) $((400 / DIV)) $((1600 / DIV))   # one app of N crash-looping instances: CPU per agent as a ratio to the smallest, allocator work per launch
  # marathon-lb + autoscaler, fluid diurnal traffic: 10/30/100 apps for the issue's week (about 5 CPU minutes;
  # LB_HOURS=24 for a day; docs/benchmarks.md); QUICK: 1/3/10 apps, 2 h.
  run "$BENCH" lb $((100 / DIV)) "${LB_HOURS:-$((DIV == 1 ? 168 : 2))}" "$SEED"
  # marathon-lb instances: 64 then 1,024 (QUICK: 16 then 256) on the lb platform for 2 h, CPU per instance as a
  # ratio (about 1: a round of reloads costs linearly in the instances; docs/benchmarks.md, "marathon-lb instances")
  run "$BENCH" lb-instances $((DIV == 1 ? 64 : 16)) $((DIV == 1 ? 1024 : 256)) 2 "$SEED"
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
platform, holds = [], []   # in run order: repeat k's platform run follows repeat k's hold n=1e4
for line in open(path):
    kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
    if kv["name"].startswith("platform_"):
        platform.append(kv)
        continue
    key = (kv["name"], kv["impl"].split("_")[0])  # swift / cpp / simpy
    best[key] = max(best.get(key, 0), int(kv["events_per_s"]))
    if kv["name"] == "hold_n10000" and kv["impl"].startswith("swift"):
        holds.append(int(kv["events_per_s"]))
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
if platform:
    print()
    print("| platform run | events | sim h | M ev/s | hold n=1e4 M ev/s | ratio (target >= 0.4) | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kv, h in zip(platform, holds):
        p = int(kv["events_per_s"])
        print(f"| {kv['name']} | {kv['events']} | {kv['sim_hours']} | {p/1e6:.3f} | {h/1e6:.2f} | {p/h:.3f} | {kv['peak_rss_mb']} |")
PY
rm -f "$RESULTS"

# Sweep (issue 13): a 40-run experiment with -j 1 and -j 2 (bench/sweep.sh; docs/benchmarks.md,
# "Sweeps"). SKIP_SWEEP=1 leaves it out.
if [[ "${SKIP_SWEEP:-0}" != 1 ]]; then
  bash "$ROOT/bench/sweep.sh"
fi
