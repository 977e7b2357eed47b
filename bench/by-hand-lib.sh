# Shared by the by-hand baselines: the shell steps a person would type, one place to change them.
# Callers set: prefix (a 127.x.y range), dir (scratch folder), timeout (cluster-node-timeout), and
# optionally extra (an array of more redis-server flags).
pids=()
[ -n "${extra+x}" ] || extra=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
now() { date +%s%3N; }

start_server() { # $1: node number 1..6; appends its PID to pids
  local ip="$prefix.$1"
  mkdir -p "$dir/$1"
  (cd "$dir/$1" && exec redis-server --cluster-enabled yes --cluster-config-file nodes.conf --appendonly yes --protected-mode no \
     --cluster-node-timeout "$timeout" --bind "$ip" --bind-source-addr "$ip" --port 6379 "${extra[@]}" >>"$dir/$1/log" 2>&1) &
  pids+=($!)
}

start_cluster() { # six servers, then --cluster create with one replica each
  for i in 1 2 3 4 5 6; do start_server "$i"; done
  for i in 1 2 3 4 5 6; do
    for _ in $(seq 1 200); do redis-cli -h "$prefix.$i" ping >/dev/null 2>&1 && break; sleep 0.01; done
  done
  # Bounded: redis-cli waits for the nodes' agreement with no deadline of its own.
  timeout 60 redis-cli --cluster create $(for i in 1 2 3 4 5 6; do printf '%s:6379 ' "$prefix.$i"; done) --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 \
    || { echo "redis-cli --cluster create failed: $(tail -n 3 "$dir/create.log" | tr '\n' ' ')" >&2; return 1; }
}

wait_every() { # $1: tries, 50 ms apart; $2: a test of one node; the rest: node numbers. True once the test holds on them all.
  local tries=$1 test=$2
  shift 2
  for _ in $(seq 1 "$tries"); do
    local ok=0
    for i in "$@"; do "$test" "$i" && ok=$((ok+1)); done
    [ "$ok" -eq "$#" ] && return 0
    sleep 0.05
  done
  return 1
}

knows_all() { [ "$(redis-cli -h "$prefix.$1" cluster nodes 2>/dev/null | grep -v handshake | grep -c .)" -eq 6 ]; }
state_ok() { case "$(redis-cli -h "$prefix.$1" cluster info 2>/dev/null)" in *cluster_state:ok*) return 0 ;; *) return 1 ;; esac; }
link_up() { case "$(redis-cli -h "$prefix.$1" info replication 2>/dev/null)" in *master_link_status:up*) return 0 ;; *) return 1 ;; esac; }

wait_all_known() { # every node knows the other five, none of them still in handshake
  # --cluster create checks that the nodes agree on the slots' owners only. A replica that just the
  # first node knew when that node was killed stayed unknown to the rest for good: they ignored its
  # FAIL reports and vote requests, and the failover waited forever (seen twice in one sitting). The
  # harness waits for the same agreement before its first fault.
  wait_every 600 knows_all 1 2 3 4 5 6 && return 0
  echo "the nodes did not all know each other within 30 s" >&2
  return 1
}

wait_link_up() { wait_every 1200 link_up "$@"; } # $@: node numbers whose replica link must be up

wait_state_ok() { # the walkthrough's step 3: `cluster info` says cluster_state:ok on every node
  # A master reports ok only 2 s after its own start (Redis's CLUSTER_WRITABLE_DELAY) and refuses
  # commands until then: the harness's load cannot start sooner, nor does a person go on before
  # checking it.
  wait_every 600 state_ok 1 2 3 4 5 6 && return 0
  echo "cluster_state was not ok on every node within 30 s" >&2
  return 1
}
