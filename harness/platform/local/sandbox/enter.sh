#!/bin/sh
# A container's start inside its pod's sandbox. Run as
#   nsenter --net=<pod netns> unshare --mount --uts --propagation private -- \
#     enter.sh <layer dir> <hostname> <hosts path> <cwd> <fstab> -- argv...
# Inside the new mount namespace, a tmpfs on the layer dir holds the writable layer of an overlay
# whose lower layer is the host's root: the container may write anywhere, nothing reaches the
# host, and the layer is gone when the container's last process exits (its mount namespace dies
# with it). <fstab> (sandbox.ts) mounts the overlay and everything on it: /dev, /proc, an empty
# /tmp, the run's DNS folder and the volumes, their mount points made as needed. /etc/hosts
# follows <hosts path>: this pod's file in that folder, at the path the container sees it by
# (sandbox.ts names the folder's mount point, once). The overlay then becomes the namespace's
# root, and the host's mount tree is detached from it.
# Each process started here costs milliseconds of every pod's start (about 5 on a small VM), so
# the steps that need none are shell builtins, and one `mount --all` makes every mount it can.
set -eu
layer=$1 host=$2 hosts=$3 cwd=$4 fstab=$5
shift 5
[ "$1" = -- ] || { echo "enter.sh: expected -- before the container's argv" >&2; exit 2; }
shift
mount -t tmpfs -o mode=0755 redis-chaos-layer "$layer"
mkdir "$layer/upper" "$layer/work" "$layer/root"
printf '%s\n' "$fstab" >"$layer/fstab"
# mount --all skips a line it cannot parse, says so, and still exits 0: here that is a failure.
out=$(mount --all --fstab "$layer/fstab" 2>&1) || { printf '%s\n' "$out" >&2; exit 1; }
case $out in *"parse error"*) printf 'enter.sh: %s\n' "$out" >&2; exit 1 ;; esac
[ -z "$out" ] || printf '%s\n' "$out" >&2
root=$layer/root
# sysfs is refused in some sandboxes of the host's own; a container without it still runs.
mount -t sysfs sysfs "$root/sys" 2>/dev/null || true
ln -sf "$hosts" "$root/etc/hosts"
# The UTS namespace is this process's own (unshare --uts): this is hostname(1) without a process.
printf '%s\n' "$host" >/proc/sys/kernel/hostname
# pivot_root, not chroot: unshare gave this namespace a copy of every mount the host had, other
# runs' volumes among them, and each copy holds its filesystem (and loop device) until the
# container ends. Detaching the old root drops them all; what the container needs is under $root.
# `pivot_root . .` stacks the old root on the new one, and the lazy unmount of . takes it off
# (pivot_root(2)), with no folder for it.
cd "$root"
pivot_root . .
umount -l .
cd "$cwd" 2>/dev/null || cd /
exec "$@"
