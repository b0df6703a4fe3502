#!/usr/bin/env bash
# Reproduces the "simulated" column of docs/heldout-network.md: runs every held-out network scenario
# (scenarios/heldout/net-*.json) and prints one line per row of the doc's table,
# "<row><TAB><simulated value>", in the table's order. Every value is read from the run's network.csv
# (docs/outputs.md): a throughput ratio to host networking, a CPU-per-Gbit ratio to host networking,
# a latency added over host networking, or an absolute throughput.
# Usage: scripts/heldout-network.sh [path/to/clustersim]   (default: .build/debug/clustersim)
# HeldOutNetworkTests runs it and checks that the doc's table prints the same values.
HELDOUT=heldout-network.sh
source "$(dirname "$0")/heldout-lib.sh"

# col SCENARIO MODE EXPERIMENT MESSAGE_SIZE COLUMN: one cell of network.csv (the row of that mode,
# experiment and message size, "*" for any: the udp row's size is the mode's datagram; the column by
# its header name)
col() {
  awk -F, -v m="$2" -v e="$3" -v s="$4" -v c="$5" '
    NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["mode"] == m && $h["experiment"] == e && (s == "*" || $h["message_size_bytes"] == s) { print $h[c]; found = 1; exit }
    END { if (!found) exit 1 }' "$OUT/$1/network.csv"
}
# ratio SCENARIO MODE EXPERIMENT SIZE: throughput as a fraction of host networking's (3 decimals)
ratio() { printf '%.3f' "$(col "$1" "$2" "$3" "$4" throughput_ratio_to_host)"; }
# gbit SCENARIO MODE EXPERIMENT SIZE: throughput in Gbit/s (2 decimals)
gbit() { awk -v v="$(col "$1" "$2" "$3" "$4" throughput_mbit_s)" 'BEGIN { printf "%.2f", v / 1000 }'; }
# mbit SCENARIO MODE EXPERIMENT SIZE: throughput in Mbit/s (1 decimal)
mbit() { printf '%.1f' "$(col "$1" "$2" "$3" "$4" throughput_mbit_s)"; }
# cpu SCENARIO MODE EXPERIMENT SIZE: CPU per Gbit, both hosts, as a multiple of host networking's (2 decimals)
cpu() {
  awk -v a="$(col "$1" "$2" "$3" "$4" cpu_per_gbit_core_s)" -v b="$(col "$1" host "$3" "$4" cpu_per_gbit_core_s)" \
    'BEGIN { printf "%.2f", a / b }'
}
# lat SCENARIO MODE SIZE: one-way latency added over host networking, µs (1 decimal)
lat() { printf '%.1f' "$(col "$1" "$2" tcp "$3" added_latency_us)"; }
# rtt SCENARIO MODE SIZE: round trip of a request and a response of SIZE bytes added over host networking, µs
rtt() { awk -v v="$(col "$1" "$2" tcp "$3" added_latency_us)" 'BEGIN { printf "%.1f", 2 * v }'; }

row() { printf '%s\t%s\n' "$1" "$2"; }

# Ducastel 2024, 40 Gbit/s, MTU 9000, kernel 5.15
S=net-ducastel2024-40g
run $S
row d24-host-tcp1 "$(gbit $S host tcp 131072)"
for m in flannel-vxlan calico-vxlan canal cilium-vxlan antrea kube-ovn kube-router calico-wireguard cilium-wireguard antrea-ipsec; do
  row "d24-$m-tcp1" "$(ratio $S $m tcp 131072)"
done
for m in flannel-vxlan kube-ovn calico-wireguard; do row "d24-$m-tcp8" "$(ratio $S $m multi_flow 65536)"; done
for m in flannel-vxlan cilium-vxlan kube-ovn kube-router calico-wireguard; do
  row "d24-$m-udp" "$(ratio $S $m udp '*')"
done
for m in flannel-vxlan cilium-vxlan kube-ovn calico-wireguard; do row "d24-$m-cpu" "$(cpu $S $m tcp 131072)"; done

# DaoCloud, 10 GbE ConnectX-5, 2.0 GHz, kernel 5.15
S=net-daocloud-10g
run $S
for m in cilium-vxlan calico-vxlan calico-ipip calico-bgp macvlan sriov; do row "dao-$m-tcp" "$(ratio $S $m tcp 131072)"; done
for m in cilium-vxlan calico-vxlan calico-ipip calico-bgp; do row "dao-$m-rr1k" "$(rtt $S $m 1024)"; done

# Kube-OVN's tuning page: EPYC 7402P, 25 GbE, CentOS 7 (3.10); Calico IPIP and without encapsulation
S=net-kubeovn-epyc-25g
run $S
row kepyc-host-bw1 "$(mbit $S host tcp 1)"
row kepyc-host-bw1k "$(gbit $S host tcp 1024)"
row kepyc-host-bw4k "$(gbit $S host tcp 4096)"
for m in calico-ipip calico-bgp; do
  row "kepyc-$m-bw1k" "$(ratio $S $m tcp 1024)"
  row "kepyc-$m-bw4k" "$(ratio $S $m tcp 4096)"
  row "kepyc-$m-lat1" "$(lat $S $m 1)"
  row "kepyc-$m-lat1k" "$(lat $S $m 1024)"
  row "kepyc-$m-lat4k" "$(lat $S $m 4096)"
done

# Kube-OVN's tuning page: E-2278G, 2 x 10 GbE bonded, Kube-OVN 1.8.0 default
S=net-kubeovn-e2278g-bond
run $S
row ke2278-host-bw1 "$(mbit $S host tcp 1)"
row ke2278-kube-ovn-lat1 "$(lat $S kube-ovn 1)"
row ke2278-kube-ovn-bw1 "$(ratio $S kube-ovn tcp 1)"

# Kube-OVN's wiki, Packet: E5-2620 v4, 10 GbE, CentOS 7.6 (3.10)
S=net-kubeovn-packet-10g
run $S
row kpkt-host-1k "$(gbit $S host tcp 1024)"
for m in kube-ovn calico-ipip; do
  for s in 1024 4096 16384 131072; do row "kpkt-$m-$((s / 1024))k" "$(ratio $S $m tcp $s)"; done
done

# Kube-OVN's wiki, Alibaba Cloud c5.2xlarge VMs, CentOS 7.5 (3.10)
S=net-kubeovn-aliyun-vm
run $S
row kali-kube-ovn-2k "$(ratio $S kube-ovn tcp 2048)"
row kali-kube-ovn-128k "$(ratio $S kube-ovn tcp 131072)"

# moby/moby#33115: Docker 1.12 bridge, 10 GbE, kernel 4.4
S=net-moby33115-bridge
run $S
row moby33115-bridge "$(ratio $S bridge tcp 131072)"
