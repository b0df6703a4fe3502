#!/usr/bin/env bash
# scripts/fresh-machine-check.sh RELEASE [DIR]   (RELEASE: bookworm or trixie; DIR: a new mktemp folder if not given)
#
# README's first two commands on a fresh Debian machine that has only the Swift 6 toolchain: a minimal Debian in
# DIR/RELEASE (`debootstrap --variant=minbase`; a Debian already there is reused, and must not have our packages)
# with nothing but the toolchain's own dependencies as swift.org lists them for that release, the toolchain of this
# machine (the folder above the `swift` found on PATH) bind-mounted read-only, and this repository's HEAD cloned
# into it. Then, in the chroot:
#   1. as a non-root user, before any of our packages is there: `bash scripts/install-deps.sh` must exit 1 with
#      the `sudo apt-get ...` line, and that line must name exactly what root's run then installs;
#   2. as root, exactly README's `bash scripts/install-deps.sh && make run`, then `make test`;
#   3. the user's installer again: now it must say nothing and exit 0;
#   4. `CI=true bash .ci/run` on a second clean clone: the installer says nothing, the tests run;
#   5. a user with passwordless sudo, one package removed: the user's installer installs it through sudo.
# One line per command with its exit status and wall time on stdout; full logs in DIR/RELEASE-*.log. Not part of
# `make test`: it needs root, debootstrap, network access to deb.debian.org and, for the toolchain's package
# dependencies (swift-argument-parser), the same git access this machine has (its system git `url.*.insteadOf`
# entries that point at local folders are copied, and those folders bind-mounted read-only). The chroot has no
# init system; a policy-rc.d keeps apt from starting nginx's, haproxy's and Prometheus's daemons (on a real
# machine they start; the tests do not use them). The mounts are undone on exit, also on failure or interrupt
# (the whole run is in a private mount namespace besides); the chroot and logs stay in DIR.
set -euo pipefail

release=${1:-}
case "$release" in
  bookworm) toolchain_deps="binutils-gold ca-certificates gcc git gnupg2 libc6-dev libcurl4-openssl-dev libedit2
    libgcc-12-dev libncurses-dev libpython3-dev libsqlite3-0 libstdc++-12-dev libxml2-dev libz3-dev pkg-config tzdata
    unzip zlib1g-dev" ;;
  trixie) toolchain_deps="binutils-gold ca-certificates gcc git gnupg2 libc6-dev libcurl4-openssl-dev libedit2
    libgcc-14-dev libncurses-dev libpython3-dev libsqlite3-0 libstdc++-14-dev libxml2-dev libz3-dev pkg-config tzdata
    unzip zlib1g-dev" ;;
  *) echo "usage: $0 bookworm|trixie [DIR]" >&2; exit 2 ;;
esac
if [[ $(id -u) != 0 ]]; then echo "$0: needs root (debootstrap, chroot, mounts)" >&2; exit 2; fi
if ! command -v debootstrap >/dev/null 2>&1; then echo "$0: needs debootstrap (apt-get install debootstrap)" >&2; exit 2; fi
if ! swift_bin=$(command -v swift); then echo "$0: swift is not on PATH" >&2; exit 2; fi
repo=$(cd "$(dirname "$0")/.." && pwd)

# A private mount namespace: whatever happens, no mount outlives the run.
if [[ -z ${FRESH_CHECK_UNSHARED:-} ]]; then
  exec env FRESH_CHECK_UNSHARED=1 unshare -m --propagation private -- bash "$0" "$@"
fi

dir=${2:-$(mktemp -d /tmp/clustersim-fresh.XXXXXX)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
root=$dir/$release
toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$swift_bin")")")")   # .../usr/bin/swift-driver -> ...
echo "fresh-machine-check $release in $root, toolchain $toolchain, repository $repo at $(git -C "$repo" rev-parse --short HEAD)"

mounts=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bind() { # bind SRC TARGET [ro]
  mkdir -p "$2"
  mount --bind "$1" "$2"; mounts+=("$2")
  if [[ ${3:-} == ro ]]; then mount -o remount,bind,ro "$2"; fi
}

status_all=0
# step NAME LOG COMMAND...: runs, prints "NAME: exit S, T s", keeps the output in DIR/LOG.log.
step() {
  local name=$1 log=$dir/$release-$2.log start end s
  shift 2
  start=$(date +%s)
  s=0
  "$@" >"$log" 2>&1 </dev/null || s=$?
  end=$(date +%s)
  printf '%-58s exit %d, %d s\n' "$name:" "$s" "$((end - start))"
  return "$s"
}
# in_chroot USER COMMAND: COMMAND in a login shell of USER in the chroot (PATH from /etc/profile, as a user's).
in_chroot() {
  if [[ $1 == root ]]; then chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 bash -lc "$2"
  else chroot "$root" /usr/bin/env -i TERM=dumb LANG=C.UTF-8 su - "$1" -c "$2"
  fi
}
fail() { echo "FAILED: $*"; exit 1; }

if [[ ! -e $root/etc/debian_version ]]; then
  step "debootstrap --variant=minbase $release" "debootstrap" \
    debootstrap --variant=minbase "$release" "$root" http://deb.debian.org/debian || fail "debootstrap (see $dir/$release-debootstrap.log)"
fi
bind /proc "$root/proc"; bind /sys "$root/sys"; bind /dev "$root/dev"; bind /dev/pts "$root/dev/pts"
bind "$toolchain" "$root$toolchain" ro
cp /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"
printf 'export PATH=$PATH:%s\n' "$toolchain/usr/bin" >"$root/etc/profile.d/swift.sh"
# git's url rewrites to local folders (a machine that reads github.com from a local mirror), nothing else.
: >"$root/etc/gitconfig"
while read -r key value; do
  base=${key#url.}; base=${base%.insteadof}
  if [[ $base == /* && -d $base ]]; then
    printf '[url "%s"]\n\tinsteadOf = %s\n' "$base" "$value" >>"$root/etc/gitconfig"
    if ! mountpoint -q "$root$base"; then bind "$base" "$root$base" ro; fi
  fi
done < <(git config --system --get-regexp '^url\..*\.insteadof$' 2>/dev/null || true)
# The repository's HEAD as a bare repository the chroot clones from (root's, so the user needs safe.directory).
printf '[safe]\n\tdirectory = /srv/clustersim.git\n' >>"$root/etc/gitconfig"
rm -rf "$root/srv/clustersim.git"
git clone -q --bare --no-local "$repo" "$root/srv/clustersim.git"
git -C "$root/srv/clustersim.git" symbolic-ref HEAD "refs/heads/$(git -C "$repo" rev-parse --abbrev-ref HEAD)" 2>/dev/null || true

# shellcheck disable=SC2086
step "apt-get install the Swift toolchain's dependencies" "toolchain-deps" \
  in_chroot root "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(echo $toolchain_deps)" \
  || fail "the toolchain's dependencies (see $dir/$release-toolchain-deps.log)"
if ! step "swift --version" "swift-version" in_chroot root "swift --version"; then
  in_chroot root "ldd $toolchain/usr/bin/swift-frontend $toolchain/usr/bin/swift-build | grep 'not found'" || true
  fail "the toolchain does not run here (see $dir/$release-swift-version.log)"
fi

for s in libgsl-dev gnuplot-nox gnuplot make nginx haproxy prometheus prometheus-alertmanager; do
  if in_chroot root "dpkg-query -W -f='\${Status}' $s 2>/dev/null | grep -q 'install ok installed'"; then
    fail "$s is installed before the check"
  fi
done

# 1. a user before the packages are in: exit 1 and the sudo line.
in_chroot root "id tester >/dev/null 2>&1 || useradd -m -s /bin/bash tester"
in_chroot tester "rm -rf clustersim && git clone -q /srv/clustersim.git clustersim"
user_status=0
step "user: bash scripts/install-deps.sh (must exit 1)" "user-install-deps" \
  in_chroot tester "cd clustersim && bash scripts/install-deps.sh" || user_status=$?
((user_status == 1)) || { echo "  expected exit 1"; status_all=1; }
user_line=$(sed -n 's/^run:  //p' "$dir/$release-user-install-deps.log")
echo "  printed: $user_line"

# 2. root: README's commands, exactly.
in_chroot root "rm -rf /root/clustersim /root/clustersim-ci && git clone -q /srv/clustersim.git /root/clustersim"
step "root: bash scripts/install-deps.sh && make run" "make-run" \
  in_chroot root "cd /root/clustersim && bash scripts/install-deps.sh && make run" || status_all=1
installed_by_root=$(sed -n 's/^installing: //p' "$dir/$release-make-run.log")
if [[ $user_line != "sudo apt-get update && sudo apt-get install -y --no-install-recommends $installed_by_root" ]]; then
  echo "  the user's line does not name what root installed ($installed_by_root)"; status_all=1
fi
for f in results/quickstart/summary.json plots/quickstart; do
  [[ -e $root/root/clustersim/$f ]] || { echo "  make run made no $f"; status_all=1; }
done
step "root: make test" "make-test" in_chroot root "cd /root/clustersim && make test" || status_all=1
grep -E "Executed [0-9]+ tests" "$dir/$release-make-test.log" | tail -n 1 | sed 's/^/  /' || true

# 3. the user again: nothing missing now.
step "user: bash scripts/install-deps.sh (must say nothing)" "user-install-deps-after" \
  in_chroot tester "cd clustersim && bash scripts/install-deps.sh" || status_all=1
[[ ! -s $dir/$release-user-install-deps-after.log ]] || { echo "  it printed something"; status_all=1; }

# 4. CI on a second clean clone.
in_chroot root "git clone -q /srv/clustersim.git /root/clustersim-ci"
step "root: CI=true bash .ci/run (second clone)" "ci-run" \
  in_chroot root "cd /root/clustersim-ci && CI=true bash .ci/run" || status_all=1
if ! head -n 1 "$dir/$release-ci-run.log" | grep -q "Swift version"; then
  echo "  the installer printed something before swift --version"; status_all=1
fi
tail -n 1 "$dir/$release-ci-run.log" | sed 's/^/  /'

# 5. a user who may use sudo without a password (a cloud image's default user): with one package removed, the
#    user's installer puts it back through sudo, with no line to run.
in_chroot root "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends sudo >/dev/null 2>&1 \
  && echo 'tester ALL=(ALL) NOPASSWD: ALL' >/etc/sudoers.d/tester && chmod 440 /etc/sudoers.d/tester \
  && DEBIAN_FRONTEND=noninteractive apt-get remove -y -q haproxy >/dev/null 2>&1"
step "user with sudo: bash scripts/install-deps.sh (haproxy removed)" "user-sudo-install-deps" \
  in_chroot tester "cd clustersim && bash scripts/install-deps.sh" || status_all=1
grep -qx "installing with sudo: haproxy" "$dir/$release-user-sudo-install-deps.log" \
  || { echo "  it did not install haproxy through sudo"; status_all=1; }
in_chroot root "dpkg-query -W -f='\${Status}' haproxy | grep -q 'install ok installed'" || { echo "  haproxy is not back"; status_all=1; }

echo "fresh-machine-check $release: $( ((status_all == 0)) && echo ok || echo FAILED ) (logs in $dir)"
exit "$status_all"
