#!/usr/bin/env bash
# Reproduces the "simulated" column of docs/heldout-ceph-harbor.md: runs every held-out Ceph
# scenario (scenarios/heldout/ceph-*.json) and prints one line per row of the doc's table,
# "<row><TAB><simulated value>", in the table's order. (No Harbor figure had enough stated
# conditions: the page lists them; so there is no harbor-*.json row yet.)
# Usage: scripts/heldout-ceph-harbor.sh [path/to/clustersim]   (default: .build/debug/clustersim)
HELDOUT=heldout-ceph-harbor.sh
source "$(dirname "$0")/heldout-lib.sh"

for n in ceph-helm-host-out ceph-mclock-hdd-wpq ceph-mclock-nvme-wpq ceph-mclock-nvme-bst ceph-qosblog-nvme-wpq; do run "$n"; done

# seconds from the OSD host's failure (ceph osdHostFailed) to the last recoveryDone
down_to_clean() {
  awk -F, '$2 == "ceph" && $3 == "osdHostFailed" && !f { f = $1 } $2 == "ceph" && $3 == "recoveryDone" { d = $1 }
           END { if (!f || !d) exit 1; printf "%.1f\n", d - f }' "$OUT/$1/events.csv"
}
# the backfill to the OSD marked in again (ceph osdRebalance, "... backfill of X GB starts") up to
# the recoveryDone after it: "<seconds> <MiB/s>"
rebalance() {
  awk -F, '$2 == "ceph" && $3 == "osdRebalance" { t = $1; for (i = 5; i <= NF; i++) if (match($i, /backfill of [0-9.]+ GB/)) { s = substr($i, RSTART + 12, RLENGTH - 15); gb = s + 0 } }
           $2 == "ceph" && $3 == "recoveryDone" && t && !d { d = $1 }
           END { if (!t || !d || !gb) exit 1; printf "%.1f %.1f\n", d - t, gb * 1e9 / 1048576 / (d - t) }' "$OUT/$1/events.csv"
}

helm=$(down_to_clean ceph-helm-host-out)
printf 'helm-host-out\t%s\n' "$helm"
hdd=$(rebalance ceph-mclock-hdd-wpq); read -r hdd_s hdd_r <<< "$hdd"
printf 'mclock-hdd-wpq-rate\t%s\n' "$hdd_r"
printf 'mclock-hdd-wpq-time\t%s\n' "$hdd_s"
def=$(rebalance ceph-mclock-nvme-wpq); read -r def_s def_r <<< "$def"
bst=$(rebalance ceph-mclock-nvme-bst); read -r bst_s bst_r <<< "$bst"
printf 'mclock-nvme-wpq-rate\t%s\n' "$def_r"
printf 'mclock-nvme-bst-rate\t%s\n' "$bst_r"
printf 'mclock-nvme-bst-over-def\t%s\n' "$(awk -v a="$bst_r" -v b="$def_r" 'BEGIN { printf "%.2f", a / b }')"
blog=$(rebalance ceph-qosblog-nvme-wpq); read -r blog_s blog_r <<< "$blog"
printf 'qosblog-nvme-wpq-rate\t%s\n' "$blog_r"
printf 'qosblog-nvme-wpq-time\t%s\n' "$blog_s"
