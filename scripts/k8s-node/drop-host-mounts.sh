#!/bin/sh
# drop-host-mounts.sh ROOT...: run inside a new mount namespace (the node's), detaches its copies
# of the host's mounts at or below each ROOT, deepest first.
#
# Why: `unshare --mount` copies every mount the host has at that moment, and each copy holds its
# filesystem for as long as the namespace lives. A local run's claims (ext4 on loop devices, under
# its run folder) would then stay attached until the node goes down, though the run had unmounted
# and detached them: its loop devices outlive it. The node's copy is a slave, but the host's
# unmounts reach it only below a shared mount (systemd's /), not below a private one (this VM's),
# so the copies are dropped here, once, as the namespace is made.
set -eu
for root in "$@"; do
  [ -n "$root" ] || continue
  # Field 5 of mountinfo is the mount point, with spaces written as \040.
  awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo |
    sed 's/\\040/ /g' | sort -r | while IFS= read -r point; do
      umount -l "$point" 2>/dev/null || true
    done
done
