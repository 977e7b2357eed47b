#!/usr/bin/env bash
# The baseline for bench:scenarios: what Redis itself needs for kill-master, done by hand on one
# machine: 6 servers at node timeout $3, --cluster create, the replicas' first sync and every node
# knowing the others, cluster_state:ok on every node (the walkthrough's verification), kill -9 the
# master of slot 0, wait until another node serves slot 0 with cluster_state:ok everywhere, then
# restart the old master and wait until it is a replica with its link up (what kill-master checks).
# Prints "syncDoneMs failoverMs rejoinMs totalMs verifyMs": verifyMs is the wait for
# cluster_state:ok after the sync, part of syncDoneMs and totalMs (the baseline went on without it
# until 2026-12-06's last sitting). Kills only the PIDs it started. Arguments after the third are
# passed to every redis-server.
set -euo pipefail
prefix=$1 dir=$2 timeout=$3
shift 3
extra=("$@") # the same --redis-config overrides the harness runs with, as redis-server flags
source "$(dirname "$0")/by-hand-lib.sh"
t0=$(now)
start_cluster
wait_link_up 4 5 6
wait_all_known
tk=$(now)
wait_state_ok
t1=$(now)
kill -9 "${pids[0]}"   # node 1 is master of slots 0-5460 after --cluster create
t2=$(now)
for _ in $(seq 1 1200); do
  owner=$(redis-cli -h "$prefix.2" cluster nodes | awk '$3 ~ /master/ && $3 !~ /fail/ && $0 ~ / 0-5460/ {print $2}')
  ok=1
  for i in 2 3 4 5 6; do case "$(redis-cli -h "$prefix.$i" cluster info)" in *cluster_state:ok*) ;; *) ok=0 ;; esac; done
  if [ -n "$owner" ] && [ "${owner%%:*}" != "$prefix.1" ] && [ "$ok" -eq 1 ]; then break; fi
  sleep 0.05
done
t3=$(now)
start_server 1
wait_link_up 1
t4=$(now)
echo "$((t1 - t0)) $((t3 - t2)) $((t4 - t3)) $((t4 - t0)) $((t1 - tk))"
