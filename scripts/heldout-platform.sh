#!/usr/bin/env bash
# Reproduces the "simulated" column of docs/heldout-platform.md: runs every held-out platform
# scenario (scenarios/heldout/platform-*.json that is a scenario) and prints one line per row of
# the doc's table, "<row><TAB><simulated value>", in the table's order.
# Usage: scripts/heldout-platform.sh [path/to/clustersim]   (default: .build/debug/clustersim)
HELDOUT=heldout-platform.sh
source "$(dirname "$0")/heldout-lib.sh"

# Marathon deployments that scale an app from 0 (the OpenStack "create" test): the mean of the
# "deployment-N (scale ...) ... done in X s" lines the run prints.
deploys() {
  run_out "$1" | awk '/\(scale .*done in/ { for (i = 1; i <= NF; i++) if ($i == "in") { v = $(i + 1); sub(/s$/, "", v); s += v; n++ } }
                  END { if (n == 0) exit 1; printf "%.1f\n", s / n }'
}

# a column of summary.csv by its header name
summary_col() {
  awk -F, -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
                       NR == 2 { if (!c) exit 1; printf "%.1f\n", $c }' "$OUT/$1/summary.csv"
}

printf 'openstack-create-50\t%s\n' "$(deploys platform-openstack-create-50)"
printf 'openstack-create-100\t%s\n' "$(deploys platform-openstack-create-100)"
printf 'openstack-create-500\t%s\n' "$(deploys platform-openstack-create-500)"
printf 'openstack-create-500x2\t%s\n' "$(deploys platform-openstack-create-500x2)"

# The OpenStack restart and update_* tests: the app runs N instances from the start; the action at
# 120 s (a restart, or a new version with cpus, mem or disk doubled) starts the deployment timed here,
# the "deployment-N (restart /app) ..." or "(deploy /app version 2) ... done in X s" line.
replaces() {
  run_out "$1" | awk '/\((restart |deploy .* version 2\)).*done in/ { for (i = 1; i <= NF; i++) if ($i == "in") { v = $(i + 1); sub(/s$/, "", v); s += v; n++ } }
                  END { if (n == 0) exit 1; printf "%.1f\n", s / n }'
}
printf 'openstack-restart-500\t%s\n' "$(replaces platform-openstack-restart-500)"
for t in cpu mem disk; do
  for n in 50 100 500; do
    printf 'openstack-update-%s-%s\t%s\n' "$t" "$n" "$(replaces "platform-openstack-update-$t-$n")"
  done
done

run platform-consul-node-failure
printf 'consul-node-failure-max\t%s\n' "$(summary_col platform-consul-node-failure consul_detection_max_s)"

# alerts.csv: time of the first inactive->pending and of the first pending->firing transition
run platform-prometheus-for-5m
printf 'prometheus-for-5m\t%s\n' "$(awk -F, '$0 ~ /,inactive,pending,/ && p == "" { p = $1 } $0 ~ /,pending,firing,/ && f == "" { f = $1 }
  END { if (p == "" || f == "") exit 1; printf "%.1f\n", f - p }' "$OUT/platform-prometheus-for-5m/alerts.csv")"
