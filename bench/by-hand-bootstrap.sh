#!/usr/bin/env bash
# The baseline for bench:bootstrap: the same steps done by hand with shell commands, as a person
# following the walkthrough on one machine would: start 6 servers, --cluster create, wait for the
# replicas' first sync, every node knowing the others and cluster_state:ok on every node (what the
# harness's readiness waits for, and the walkthrough's step 3; until 2026-12-06's second sitting the
# baseline stopped at the sync). Prints "podsReadyMs clusterReadyMs createMs". Cleans up the PIDs
# it started.
set -euo pipefail
prefix=$1 dir=$2 timeout=15000
source "$(dirname "$0")/by-hand-lib.sh"
t0=$(now)
for i in 1 2 3 4 5 6; do start_server "$i"; done
for i in 1 2 3 4 5 6; do
  for _ in $(seq 1 200); do redis-cli -h "$prefix.$i" ping >/dev/null 2>&1 && break; sleep 0.01; done
done
t1=$(now)
redis-cli --cluster create $(for i in 1 2 3 4 5 6; do printf '%s:6379 ' "$prefix.$i"; done) --cluster-replicas 1 --cluster-yes >/dev/null
tc=$(now)
wait_link_up 4 5 6
wait_all_known
wait_state_ok
t2=$(now)
echo "$((t1 - t0)) $((t2 - t0)) $((tc - t1))"
