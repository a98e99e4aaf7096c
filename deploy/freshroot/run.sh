#!/usr/bin/env bash
# Runs the README's test command (`bash .ci/run`) on a fresh Debian 12 root
# file system: a debootstrap chroot with nothing in it but the base system and
# Go (copied in, as the test machines have it). Shows that .ci/run installs
# everything the suite needs by itself (issue #10 item 13). As root:
#
#   bash deploy/freshroot/run.sh [CHROOT_DIR] [LOG]
#
# CHROOT_DIR (default /var/tmp/vigil-freshroot) is created with debootstrap if
# it is empty, and reused otherwise (delete it for a fresh start: first check
# with `findmnt -R CHROOT_DIR` that nothing is still mounted in it). The repository is
# cloned into it at this checkout's HEAD commit (commit first: local changes
# are not copied). LOG (default CHROOT_DIR.log) receives the whole output.
# Needs debootstrap (apt-get install debootstrap) and the Debian mirror.
set -euo pipefail

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
root=$(realpath -m "${1:-/var/tmp/vigil-freshroot}")
log=$(realpath -m "${2:-$root.log}")
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
go_root=$(go env GOROOT)

[ "$(id -u)" = 0 ] || { echo "run.sh: run as root (debootstrap, mount, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "run.sh: apt-get install -y debootstrap" >&2; exit 1; }

exec > >(tee "$log") 2>&1
echo "== $(date -u +%FT%TZ) fresh root $root, repository $repo at $(git -C "$repo" rev-parse HEAD)"

if [ ! -e "$root/etc/debian_version" ]; then
  echo "== debootstrap bookworm $root $mirror"
  time debootstrap bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
    { tail -20 "$root.debootstrap.log"; exit 1; }
fi
# The sources of a Debian 12 installation: main, updates and security.
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security_mirror bookworm-security main
EOF

# Go, as every test machine has it (/usr/local/go); nothing else of this host.
rm -rf "$root/usr/local/go"
cp -a "$go_root" "$root/usr/local/go"

# This network: its resolver, and the certificate authorities that this
# machine adds to Debian's (here the sandbox's HTTPS egress proxy re-signs
# every connection). ca-certificates, which .ci/run installs, takes them
# into the system store (curl, Go); Node.js has its own store and is pointed
# at them with NODE_EXTRA_CA_CERTS, as npm on the host is with cafile.
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/usr/local/share/ca-certificates"
extra_ca=""
for ca in /usr/local/share/ca-certificates/*.crt; do
  [ -e "$ca" ] || continue
  cp "$ca" "$root/usr/local/share/ca-certificates/"
  cat "$ca" >>"$root/usr/local/share/ca-certificates.pem.tmp"
  extra_ca=/usr/local/share/ca-certificates.pem
done
[ -n "$extra_ca" ] && mv "$root/usr/local/share/ca-certificates.pem.tmp" "$root$extra_ca"

# Kernel file systems: /proc, /sys, /dev (with /dev/pts) and a /dev/shm of
# its own for Chromium, /run as a tmpfs as on a booted machine.
mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -R "${mounted[i]}" 2>/dev/null || umount -lR "${mounted[i]}" || true; done
}
trap cleanup EXIT
mnt() { # mnt TARGET MOUNT-ARGS...
  local target=$root$1
  shift
  mkdir -p "$target"
  mount "$@" "$target"
  mounted+=("$target")
}
mnt /proc -t proc proc
mnt /sys --rbind /sys
mount --make-rslave "$root/sys"
mnt /dev --bind /dev
mnt /dev/pts -t devpts -o newinstance,ptmxmode=0666 devpts
mnt /dev/shm -t tmpfs -o mode=1777 shm
mnt /run -t tmpfs -o mode=0755 run
mnt /tmp -t tmpfs -o mode=1777 tmp

# The repository at HEAD, as CI clones it.
rm -rf "$root/root/vigil-proxy"
git clone -q --no-local "$repo" "$root/root/vigil-proxy"
git -C "$root/root/vigil-proxy" checkout -q --detach "$(git -C "$repo" rev-parse HEAD)"

echo "== chroot: bash .ci/run (CI=true, no standard input)"
env_vars=(HOME=/root PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  LANG=C.UTF-8 CI=true TERM=dumb)
[ -n "$extra_ca" ] && env_vars+=(NODE_EXTRA_CA_CERTS=$extra_ca)
start=$(date +%s)
set +e
chroot "$root" /usr/bin/env -i "${env_vars[@]}" bash -c 'cd /root/vigil-proxy && bash .ci/run' </dev/null
rc=$?
set -e
echo "== bash .ci/run exited $rc after $(($(date +%s) - start)) s"
exit "$rc"
