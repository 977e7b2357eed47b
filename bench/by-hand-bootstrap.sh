#!/usr/bin/env bash
# The baseline for bench:bootstrap: the same steps done by hand with shell commands, as a person
# following the walkthrough on one machine would: start 6 servers, --cluster create, wait for the
# replicas' first sync. Prints "podsReadyMs clusterReadyMs". Cleans up the PIDs it started.
set -euo pipefail
prefix=$1 dir=$2
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
now() { date +%s%3N; }
t0=$(now)
for i in 1 2 3 4 5 6; do
  ip="$prefix.$i"; mkdir -p "$dir/$i"
  (cd "$dir/$i" && exec redis-server --cluster-enabled yes --cluster-config-file nodes.conf --appendonly yes \
     --cluster-node-timeout 15000 --protected-mode no --bind "$ip" --bind-source-addr "$ip" --port 6379 --save '' >"$dir/$i/log" 2>&1) &
  pids+=($!)
done
for i in 1 2 3 4 5 6; do
  for _ in $(seq 1 200); do redis-cli -h "$prefix.$i" ping >/dev/null 2>&1 && break; sleep 0.01; done
done
t1=$(now)
redis-cli --cluster create $(for i in 1 2 3 4 5 6; do printf '%s:6379 ' "$prefix.$i"; done) --cluster-replicas 1 --cluster-yes >/dev/null
for _ in $(seq 1 600); do
  up=0
  for i in 1 2 3 4 5 6; do
    case "$(redis-cli -h "$prefix.$i" info replication)" in *master_link_status:up*) up=$((up+1)) ;; esac
  done
  [ "$up" -eq 3 ] && break
  sleep 0.05
done
t2=$(now)
echo "$((t1 - t0)) $((t2 - t0))"
