#!/usr/bin/env bash
# Reproduces the "simulated" column of docs/heldout-monitoring.md: runs every held-out monitoring and
# alerting scenario (scenarios/heldout/mon-*.json that have hostGroups; the other mon-*.json are their
# Prometheus configurations and rule files) and prints one line per row of the doc's table,
# "<row><TAB><simulated value>", in the table's order.
# Usage: scripts/heldout-monitoring.sh [path/to/clustersim]   (default: .build/debug/clustersim)
# HeldOutMonitoringTests runs it and checks that the doc's table prints the same values.
HELDOUT=heldout-monitoring.sh
source "$(dirname "$0")/heldout-lib.sh"

# Alertmanager: mean interval between consecutive notifications of the (one) group, all of them
# firing, after the first (notifications.csv), in s.
repeat_s() {
  run "$1"
  awk -F, 'NR > 1 && $6 > 0 { if (p != "") { s += $1 - p; n++ } p = $1 }
           END { if (n == 0) exit 1; printf "%.1f\n", s / n }' "$OUT/$1/notifications.csv"
}
printf 'am-676-gi5m-r5m\t%s\n' "$(repeat_s mon-am-676-gi5m-r5m)"
printf 'am-676-gi3m-r5m\t%s\n' "$(repeat_s mon-am-676-gi3m-r5m)"
printf 'am-642-gi1s-r1m\t%s\n' "$(repeat_s mon-am-642-gi1s-r1m)"
printf 'am-642-gi5m-r1m\t%s\n' "$(repeat_s mon-am-642-gi5m-r1m)"
printf 'am-2647-gw15m\t%s\n' "$(repeat_s mon-am-2647-gw15m-gi15m-r20m)"
printf 'am-2647-gw5m\t%s\n' "$(repeat_s mon-am-2647-gw5m-gi15m-r20m)"

# Alertmanager: time from the firing notification to the resolved one (notifications.csv), in s.
run mon-am-1660-resolved
printf 'am-1660-resolved\t%s\n' "$(awk -F, 'NR > 1 && $6 > 0 && f == "" { f = $1 } NR > 1 && $6 == 0 && $7 > 0 && r == "" { r = $1 }
  END { if (f == "" || r == "") exit 1; printf "%.1f\n", r - f }' "$OUT/mon-am-1660-resolved/notifications.csv")"

# Prometheus: how many times an alert fired in the run (alerts.csv transitions to firing; the labels
# hold commas, so the "to" column is the one before the last).
firings() {
  run "$1"
  awk -F, 'NR > 1 && $(NF-1) == "firing" { n++ } END { printf "%d\n", n }' "$OUT/$1/alerts.csv"
}
# With a 7m scrape interval and for: 5m (the pending spells' length is in the doc).
printf 'prom-3328-scrape-7m\t%s\n' "$(firings mon-prom-3328-scrape-7m)"

# A recording rule and an alert reading it, in one rule group and in two (10 minutes).
printf 'prom-8467-same-group\t%s\n' "$(firings mon-prom-8467-same-group)"
printf 'prom-8467-two-groups\t%s\n' "$(firings mon-prom-8467-two-groups)"

# Consul: mean time from each service check going critical to the agent's reaper deregistering the
# service (events.csv consulCheck "...->critical" to consulCheckReaped of the same service), in s.
run mon-consul-8705-deregister
printf 'consul-8705-deregister\t%s\n' "$(awk -F, '$3 == "consulCheck" && $5 ~ /->critical$/ { c[$4] = $1 }
  $3 == "consulCheckReaped" && ($4 in c) { s += $1 - c[$4]; n++ }
  END { if (n == 0) exit 1; printf "%.1f\n", s / n }' "$OUT/mon-consul-8705-deregister/events.csv")"
