#!/usr/bin/env bash
# Reproduces the "simulated" column of docs/heldout-discovery.md: runs every held-out discovery,
# load-balancing and autoscaling scenario (scenarios/heldout/disc-*.json) and prints one line per
# row of the doc's table, "<row><TAB><simulated value>", in the table's order.
# Usage: scripts/heldout-discovery.sh [path/to/clustersim]   (default: .build/debug/clustersim)
# HeldOutDiscoveryTests runs it and checks that the doc's table prints the same values.
HELDOUT=heldout-discovery.sh
source "$(dirname "$0")/heldout-lib.sh"

# nginx: mean time from consul-template's reload command to nginx's new workers (events.csv: each
# host's templateCommand rows and its nginxReload rows, paired in order: a second command can come
# while the first reload's workers start), in ms.
reload_ms() {
  run "$1"
  awk -F, '$3 == "templateCommand" { split($5, h, ":"); c[h[1], tl[h[1]]++] = $1 }
           $3 == "nginxReload" && hd[$4] < tl[$4] { s += $1 - c[$4, hd[$4]++]; n++ }
           END { if (n == 0) exit 1; printf "%.0f\n", 1000 * s / n }' "$OUT/$1/events.csv"
}
printf 'ngf-reload-30\t%s\n' "$(reload_ms disc-nginx-reload-ngf-30)"
printf 'ngf-reload-150\t%s\n' "$(reload_ms disc-nginx-reload-ngf-150)"
printf 'ngf-reload-churn-30\t%s\n' "$(reload_ms disc-nginx-reload-ngf-churn-30)"
printf 'ngf-reload-listeners-64\t%s\n' "$(reload_ms disc-nginx-reload-ngf-listeners-64)"

# consul-template: mean interval between writes of the timestamp template (b.conf) after the key
# changed at 60 s, in s.
run disc-ct-wait-loop-2s
printf 'ct-wait-loop-2s\t%s\n' "$(awk -F, '$3 == "templateRendered" && $4 ~ /b\.conf$/ && $1 >= 60 { if (p != "") { s += $1 - p; n++ } p = $1 }
  END { if (n == 0) exit 1; printf "%.1f\n", s / n }' "$OUT/disc-ct-wait-loop-2s/events.csv")"

# HAProxy's checks: mean time from each agent crash (60 s, 90 s, ... 30 s apart) to the first lb.csv
# sample (100 ms apart) with one server fewer UP, in s.
detect() {
  run "$1"
  awk -F, 'NR == 1 { next }
           { if (prev != "" && $7 < prev && $1 > 60) { k = int(($1 - 60) / 30); if (!(k in seen)) { seen[k] = 1; s += $1 - (60 + 30 * k); n++ } } prev = $7 }
           END { if (n == 0) exit 1; printf "%.1f\n", s / n }' "$OUT/$1/lb.csv"
}
printf 'haproxy-check-inter2-fall2\t%s\n' "$(detect disc-haproxy-check-inter2-fall2)"
printf 'haproxy-check-inter5-fall3\t%s\n' "$(detect disc-haproxy-check-inter5-fall3)"

# marathon-lb's reload under load: the largest 1-second p99 of the response time (summary), in ms.
run disc-marathon-lb-reload-syn
printf 'marathon-lb-reload-syn\t%s\n' "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "peak_p99_latency_ms") c = i; next }
  NR == 2 { if (!c || $c == "") exit 1; printf "%.0f\n", $c }' "$OUT/disc-marathon-lb-reload-syn/summary.csv")"
