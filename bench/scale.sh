#!/usr/bin/env bash
# Platform scale (issue 14), the first part of `make bench` (bench/run.sh calls it; SKIP_SCALE=1
# leaves it out, SCALE_ONLY=1 runs only this part). Prints, in one run, each line beside a hold
# n=1e4 measured just before it (same binary, same minute of the noisy machine):
#
#   1. the Mesos + Marathon platform (`clustersim-bench platform`, 10 tasks per agent: AGENTS/10
#      apps x 100 instances) at 100, 1,000, 3,000 and 10,000 agents, the simulated hours of each
#      chosen from the previous size's cost so that a run takes about SCALE_TARGET_S seconds
#      (90; never more than 24 h, never less than 2 h);
#   2. the exponent of wall time per simulated hour against agents, least squares of the logs
#      (issue 14: <= 1.1), fitted here from the `platform` lines: over the whole runs, and over
#      the hours after the first (each run is at least 2 h; `platform` times its first hour apart,
#      first_hour_s: the initial deployment), on wall and on CPU seconds;
#   3. a simulated day of the full platform at 1,000 agents (`clustersim-bench platform-full`:
#      Consul checks, nginx + consul-template, fluid traffic, Prometheus; target <= 10 s);
#   4. a simulated day of the 10,000-agent / 100,000-task platform (target <= 5 min, <= 2 GiB);
#   5. memory flat in simulated time: the full platform at MEM_AGENTS (200) agents for 1 day and
#      for 7 days, peak RSS within 10 %, with each entry: marathon-lb, then nginx + consul-template
#      (SKIP_MEM_NGINX=1 leaves the nginx pair out: its week costs about 2 CPU minutes at 200 agents,
#      10 before the sixth step). QUICK=1 runs it at 50 agents, where no app crashes and nginx never reloads.
#
# Knobs: SEED (42), SCALE_SIZES ("100 1000 3000 10000"), SCALE_TARGET_S (90), FULL_AGENTS (1000),
# BIG_AGENTS (10000), MEM_AGENTS (200), SKIP_BIG=1 (no 10,000-agent day), SKIP_MEM=1, SKIP_MEM_NGINX=1, QUICK=1
# (sizes 100 1000, target 20 s, full platform at 100 agents, no big day, memory at 50 agents).
# BENCH: the clustersim-bench binary (default: built in release into .build-kernel).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SEED=${SEED:-42}
if [[ "${QUICK:-0}" == 1 ]]; then
  SIZES=${SCALE_SIZES:-"100 1000"}; TARGET=${SCALE_TARGET_S:-20}; FULL_AGENTS=${FULL_AGENTS:-100}
  SKIP_BIG=${SKIP_BIG:-1}; MEM_AGENTS=${MEM_AGENTS:-50}
else
  SIZES=${SCALE_SIZES:-"100 1000 3000 10000"}; TARGET=${SCALE_TARGET_S:-90}; FULL_AGENTS=${FULL_AGENTS:-1000}
  SKIP_BIG=${SKIP_BIG:-0}; MEM_AGENTS=${MEM_AGENTS:-200}
fi
BIG_AGENTS=${BIG_AGENTS:-10000}
POPS=10000000

log() { echo "# $*" >&2; }
if [[ -z "${BENCH:-}" ]]; then
  log "building clustersim-bench (release)"
  swift build -c release --scratch-path "$ROOT/.build-kernel" --product clustersim-bench >&2
  BENCH="$ROOT/.build-kernel/release/clustersim-bench"
fi

LINES=$(mktemp "${TMPDIR:-/tmp}/clustersim-scale.XXXXXX")
trap 'rm -f "$LINES"' EXIT
# field NAME LINE: the value of NAME=... in a result line
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -1; }
# paired ROLE CMD...: a hold n=1e4, then the run; both lines printed, the run's line kept with
# its role (scale, full, big, mem1, mem7) and the hold rate
paired() {
  local role=$1 hold line; shift
  log "run: $BENCH hold 10000 $POPS $SEED"
  hold=$("$BENCH" hold 10000 "$POPS" "$SEED"); echo "$hold"
  log "run: $*"
  line=$("$@"); echo "$line"
  echo "$line role=$role hold_events_per_s=$(field events_per_s "$hold")" >>"$LINES"
}

# 1. the platform by size, hours from the previous size's cost per agent-hour (x 1.5 in case the
# cost is not linear), so that each run takes about $TARGET s
per_agent_hour=""
for a in $SIZES; do
  if [[ -z "$per_agent_hour" ]]; then h=6; else
    h=$(awk -v c="$per_agent_hour" -v a="$a" -v t="$TARGET" 'BEGIN { h = int(t / (1.5 * c * a)); print (h < 2 ? 2 : (h > 24 ? 24 : h)) }')
  fi
  paired scale "$BENCH" platform "$a" $((a / 10 > 0 ? a / 10 : 1)) 100 "$h" "$SEED"
  last=$(tail -1 "$LINES")
  per_agent_hour=$(awk -v s="$(field seconds "$last")" -v h="$h" -v a="$a" 'BEGIN { print s / h / a }')
done

# 3-5. the full platform day, the big day, memory over a week
paired full "$BENCH" platform-full "$FULL_AGENTS" 24 "$SEED"
if [[ "$SKIP_BIG" != 1 ]]; then paired big "$BENCH" platform "$BIG_AGENTS" $((BIG_AGENTS / 10)) 100 24 "$SEED"; fi
if [[ "${SKIP_MEM:-0}" != 1 ]]; then
  paired mem1 "$BENCH" platform-full "$MEM_AGENTS" 24 "$SEED"
  paired mem7 "$BENCH" platform-full "$MEM_AGENTS" 168 "$SEED"
  if [[ "${SKIP_MEM_NGINX:-0}" != 1 ]]; then
    paired mem1n "$BENCH" platform-full "$MEM_AGENTS" 24 "$SEED" nginx
    paired mem7n "$BENCH" platform-full "$MEM_AGENTS" 168 "$SEED" nginx
  fi
fi

# The table, the fitted exponent (from the `platform` lines of step 1 only) and the checks.
awk '
function get(k,   i) { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
BEGIN { print ""; print "| run | agents | sim h | wall s | wall per sim day s | events | M ev/s | hold n=1e4 M ev/s | ratio to hold | peak RSS MiB |"
        print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" }
{
  role = get("role"); a = get("agents"); h = get("sim_hours"); w = get("seconds"); r = get("events_per_s"); hr = get("hold_events_per_s"); rss = get("peak_rss_mb")
  printf "| %s | %d | %d | %.1f | %.1f | %d | %.3f | %.2f | %.3f | %s |\n", get("name"), a, h, w, w * 24 / h, get("events"), r / 1e6, hr / 1e6, r / hr, rss
  if (role == "scale") {
    x = log(a); y = log(w / h); sx += x; sy += y; sxx += x * x; sxy += x * y; k++
    fw = get("first_hour_s"); fc = get("first_hour_cpu_s") + 0; c = get("cpu_s") + 0
    if (fw != "" && h + 0 >= 2 && w + 0 > fw + 0 && c > fc) {
      y = log((w - fw) / (h - 1)); ax += x; ay += y; axx += x * x; axy += x * y; ak++
      y = log((c - fc) / (h - 1)); cy += y; cxy += x * y
    }
  }
  if (role == "full") { fulla = a; fullday = w * 24 / h; fullrss = rss }
  if (role == "big") { biga = a; bigday = w * 24 / h; bigrss = rss }
  if (role == "mem1") { mema = a; rss1 = rss }
  if (role == "mem7") rss7 = rss
  if (role == "mem1n") rss1n = rss
  if (role == "mem7n") rss7n = rss
}
END {
  print ""
  if (k >= 2) printf "exponent=%.3f (wall per simulated hour ~ agents^exponent over %d sizes; issue 14: <= 1.1)\n", (k * sxy - sx * sy) / (k * sxx - sx * sx), k
  if (ak >= 2) printf "exponent_after_first_hour=%.3f exponent_after_first_hour_cpu=%.3f (the hours after the initial deployment, %d sizes)\n", (ak * axy - ax * ay) / (ak * axx - ax * ax), (ak * cxy - ax * cy) / (ak * axx - ax * ax), ak
  if (fulla != "") printf "full platform, %d agents: %.1f s per simulated day (issue 14: <= 10 s), peak RSS %s MiB\n", fulla, fullday, fullrss
  if (biga != "") printf "platform, %d agents: %.1f s per simulated day (issue 14: <= 300 s), peak RSS %s MiB (<= 2048)\n", biga, bigday, bigrss
  if (rss1 != "" && rss7 != "") printf "memory, full platform at %d agents: peak RSS %s MiB for 1 day, %s MiB for 7 days, ratio %.3f (issue 14: <= 1.10)\n", mema, rss1, rss7, rss7 / rss1
  if (rss1n != "" && rss7n != "") printf "memory, full platform with nginx at %d agents: peak RSS %s MiB for 1 day, %s MiB for 7 days, ratio %.3f (issue 14: <= 1.10)\n", mema, rss1n, rss7n, rss7n / rss1n
}' "$LINES"
