#!/bin/sh
# A container's start inside its pod's sandbox. Run as
#   nsenter --net=<pod netns> unshare --mount --uts --propagation private -- \
#     enter.sh <layer dir> <hostname> <dns dir> <hosts file> <cwd> [<ro|rw>:<src>:<dst> ...] -- argv...
# Inside the new mount namespace, the host's root becomes the lower layer of an overlay whose upper
# layer is a tmpfs: the container may write anywhere, nothing reaches the host, and the layer is
# gone when the container's last process exits (its mount namespace dies with it). Volumes are
# bind-mounted at their real mount paths; /etc/hosts follows the run's DNS file for this pod. The
# overlay then becomes the namespace's root, and the host's mount tree is detached from it.
set -eu
layer=$1 host=$2 dns=$3 hosts=$4 cwd=$5
shift 5
mount -t tmpfs -o mode=0755 redis-chaos-layer "$layer"
mkdir -p "$layer/upper" "$layer/work" "$layer/root"
mount -t overlay redis-chaos-root -o "lowerdir=/,upperdir=$layer/upper,workdir=$layer/work" "$layer/root"
root=$layer/root
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys" 2>/dev/null || true
# An image's /tmp starts empty; the host's is hidden.
mount -t tmpfs -o mode=1777 tmp "$root/tmp"
# Every folder the mounts below need (on the new /tmp, for one there), in one process: each process
# here is milliseconds of a pod's start.
dirs="$root/run/redis-chaos $root/.old-root"
for volume in "$@"; do
  [ "$volume" = "--" ] && break
  dirs="$dirs $root${volume#*:*:}"
done
# shellcheck disable=SC2086 # word splitting is the point; mount paths have no spaces (Kubernetes names)
mkdir -p $dirs
mount --bind -o ro "$dns" "$root/run/redis-chaos"
ln -sf "/run/redis-chaos/$hosts" "$root/etc/hosts"
while [ "$1" != "--" ]; do
  mode=${1%%:*} rest=${1#*:}
  src=${rest%%:*} dst=${rest#*:}
  # util-linux makes a read-only bind in one call (bind, then remount read-only).
  if [ "$mode" = ro ]; then mount --bind -o ro "$src" "$root$dst"; else mount --bind "$src" "$root$dst"; fi
  shift
done
shift
hostname "$host"
# pivot_root, not chroot: unshare gave this namespace a copy of every mount the host had, other
# runs' volumes among them, and each copy holds its filesystem (and loop device) until the
# container ends. Detaching the old root drops them all; what the container needs is under $root.
cd "$root"
pivot_root . .old-root
umount -l /.old-root
rmdir /.old-root
cd "$cwd" 2>/dev/null || cd /
exec "$@"
