#!/usr/bin/env bash
# Installs what ClusterSim needs on Debian/Ubuntu: GSL (libgsl-dev), pkg-config and gnuplot.
# As root it runs apt-get; otherwise it prints the command to run. The Swift toolchain (6.x)
# must already be on PATH (https://www.swift.org/install/linux/).
set -euo pipefail
need=()
for p in libgsl-dev pkg-config gnuplot-nox; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ! command -v swift >/dev/null 2>&1; then
  echo "swift is not on PATH: install the Swift 6 toolchain first (https://www.swift.org/install/linux/)" >&2
  exit 1
fi
if ((${#need[@]} == 0)); then exit 0; fi
cmd=(apt-get install -y -q "${need[@]}")
if [[ $(id -u) -eq 0 ]]; then
  echo "installing: ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "${cmd[@]}" >&2
else
  echo "missing Debian packages: ${need[*]}" >&2
  echo "run:  sudo apt-get update && sudo ${cmd[*]}" >&2
  exit 1
fi
