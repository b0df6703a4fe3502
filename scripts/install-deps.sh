#!/usr/bin/env bash
# Installs what ClusterSim's `make run` and `make test` need on Debian 11/12/13 and Ubuntu 20.04-24.04:
# GSL (libgsl-dev), pkg-config, gnuplot (gnuplot-nox, or an installed gnuplot-qt/-x11), make, and nginx (a test
# dependency: the tests run `nginx -t` on rendered configurations; any of Debian's nginx flavours will do). Installing
# nginx may start its daemon (where an init system runs); the tests never talk to it and do not conflict with it:
# `nginx -t` runs with its own prefix, pid and log files and binds no port. prometheus (for promtool) and
# prometheus-alertmanager (for amtool) are test dependencies too: the tests check shipped rule files and Alertmanager
# configurations with them and replay simulated series through promtool's rule evaluation; their daemons are not used.
# haproxy is a test dependency as well: the tests check marathon-lb's generated haproxy.cfg with `haproxy -c`.
# `make deps` (and so `make run`, `make test`) runs it; .ci/run runs it too, the same way.
# With --check-all (what `make check-all` runs) it also installs slurm-wlm and munge: the slow checks start a
# single-node Slurm of their own (scripts/slurm-local.sh) to run a sweep through sbatch. Installing them may start
# the system's munged/slurmd services (where an init system runs); the check does not use them: it runs its own
# munged (own key and socket) and slurmctld/slurmd on free ports. `make test` does not need them.
#
# - swift missing from PATH: says how to get the Swift 6 toolchain (not in Debian's or Ubuntu's archive), exit 1.
# - everything installed: prints nothing, exit 0.
# - as root: `apt-get update`, then `apt-get install -y --no-install-recommends` of what is missing (apt's own exit
#   status on failure).
# - as a user who may run sudo (without a password, or asked for it when stdin is a terminal): the same two
#   apt-get calls through sudo.
# - otherwise (no sudo, or sudo wants a password and there is no terminal to ask on): prints the
#   `sudo apt-get update && sudo apt-get install -y --no-install-recommends ...` line to run, exit 1.
# Without recommends: what the build, the plots and the judges use comes with the packages' dependencies; their
# recommends more than doubled the install on a fresh Debian 12 or 13 (systemd, ImageMagick, Ghostscript and
# prometheus-node-exporter, whose daemon starts and listens where an init system runs; docs: README).
# - no dpkg-query/apt-get (another system): exit 0 if `pkg-config gsl`, gnuplot and make are there, else says so, exit 1.
#
# On Debian/Ubuntu it uses only bash builtins besides swift, dpkg-query, apt-get, id and sudo, and reads no settings from
# the environment: Tests/EndToEndTests/InstallerTests.swift runs it with stand-ins for those five first on PATH.
set -euo pipefail

check_all=0
case "${1:-}" in
  "") ;;
  --check-all) check_all=1 ;;
  *) echo "usage: $0 [--check-all]   (--check-all: also what make check-all needs: slurm-wlm, munge)" >&2; exit 2 ;;
esac

if ! command -v swift >/dev/null 2>&1; then
  printf '%s\n' >&2 \
    "swift is not on PATH. ClusterSim needs the Swift 6 toolchain, which Debian and Ubuntu do not package." \
    "Install it as https://www.swift.org/install/linux/ says: with swiftly, or from the tarball for your" \
    "release (unpack it, put its usr/bin on PATH). Open a new shell so that \`swift --version\` works, then" \
    "run this again. Under sudo, PATH is reset and swift is not found: run this as yourself (it prints the" \
    "sudo line to run) or give sudo your PATH: sudo env \"PATH=\$PATH\" bash scripts/install-deps.sh"
  exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  # Not Debian/Ubuntu: fine when what the build and the plots use is already there.
  if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists gsl && command -v gnuplot >/dev/null 2>&1 \
    && command -v make >/dev/null 2>&1; then
    if ((check_all == 0)) || { command -v slurmctld >/dev/null 2>&1 && command -v munged >/dev/null 2>&1; }; then
      exit 0
    fi
    echo "no dpkg-query/apt-get here: make check-all also needs Slurm (slurmctld, slurmd, sbatch) and munge (munged)." >&2
    exit 1
  fi
  echo "no dpkg-query/apt-get here: this installer is for Debian and Ubuntu. Install GSL (found by 'pkg-config gsl')," \
    "pkg-config, gnuplot and make with your system's package manager." >&2
  exit 1
fi

# installed P [ALTERNATIVE...]: true when P or one of its alternatives is installed.
installed() {
  local p status
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) || status=""
    [[ $status == "install ok installed" ]] && return 0
  done
  return 1
}

need=()
installed libgsl-dev || need+=(libgsl-dev)
installed pkg-config pkgconf || need+=(pkg-config)
installed gnuplot-nox gnuplot-qt gnuplot-x11 || need+=(gnuplot-nox)
installed make || need+=(make)
installed nginx nginx-light nginx-core nginx-full nginx-extras || need+=(nginx)
installed prometheus || need+=(prometheus)
installed prometheus-alertmanager || need+=(prometheus-alertmanager)
installed haproxy || need+=(haproxy)
if ((check_all)); then
  installed slurm-wlm || need+=(slurm-wlm)
  installed munge || need+=(munge)
fi
if ((${#need[@]} == 0)); then exit 0; fi

if [[ $(id -u) == 0 ]]; then
  echo "installing: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}" >&2
elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [[ -t 0 ]]; }; then
  # A user who may use sudo: without a password (a cloud image's default user, CI), or asked for it on this
  # terminal. DEBIAN_FRONTEND is passed as sudo's own VAR=value (sudo resets the environment).
  echo "installing with sudo: ${need[*]}" >&2
  sudo DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q >&2
  sudo DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}" >&2
else
  echo "missing Debian packages: ${need[*]}" >&2
  echo "run:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 1
fi
