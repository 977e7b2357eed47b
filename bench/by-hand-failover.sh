#!/usr/bin/env bash
# The baseline for bench:scenarios: what Redis itself needs for kill-master, done by hand on one
# machine: 6 servers at node timeout $3, --cluster create, the replicas' first sync, kill -9 the
# master of slot 0, wait until another node serves slot 0 with cluster_state:ok everywhere, then
# restart the old master and wait until it is a replica with its link up (what kill-master checks).
# Prints "syncDoneMs failoverMs rejoinMs totalMs". Kills only the PIDs it started.
set -euo pipefail
prefix=$1 dir=$2 timeout=$3
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
now() { date +%s%3N; }
t0=$(now)
for i in 1 2 3 4 5 6; do
  ip="$prefix.$i"; mkdir -p "$dir/$i"
  (cd "$dir/$i" && exec redis-server --cluster-enabled yes --cluster-config-file nodes.conf --appendonly yes --protected-mode no \
     --cluster-node-timeout "$timeout" --bind "$ip" --bind-source-addr "$ip" --port 6379 >"$dir/$i/log" 2>&1) &
  pids+=($!)
done
for i in 1 2 3 4 5 6; do
  for _ in $(seq 1 200); do redis-cli -h "$prefix.$i" ping >/dev/null 2>&1 && break; sleep 0.01; done
done
redis-cli --cluster create $(for i in 1 2 3 4 5 6; do printf '%s:6379 ' "$prefix.$i"; done) --cluster-replicas 1 --cluster-yes >/dev/null
for _ in $(seq 1 600); do
  up=0
  for i in 4 5 6; do case "$(redis-cli -h "$prefix.$i" info replication)" in *master_link_status:up*) up=$((up+1)) ;; esac; done
  [ "$up" -eq 3 ] && break
  sleep 0.05
done
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
ip="$prefix.1"
(cd "$dir/1" && exec redis-server --cluster-enabled yes --cluster-config-file nodes.conf --appendonly yes --protected-mode no \
   --cluster-node-timeout "$timeout" --bind "$ip" --bind-source-addr "$ip" --port 6379 >>"$dir/1/log" 2>&1) &
pids+=($!)
for _ in $(seq 1 1200); do
  case "$(redis-cli -h "$ip" info replication 2>/dev/null)" in *master_link_status:up*) break ;; esac
  sleep 0.05
done
t4=$(now)
echo "$((t1 - t0)) $((t3 - t2)) $((t4 - t3)) $((t4 - t0))"
