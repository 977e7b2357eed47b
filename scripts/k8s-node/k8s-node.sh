#!/usr/bin/env bash
# npm run k8s-node -- up [--owner PID] | down [ID] | status | sweep
#
# One real Kubernetes v1.20.2 node on this machine, from Debian's packages only: etcd, the
# apiserver, controller-manager, scheduler, kubelet and kube-proxy built from Debian's kubernetes
# source package (build.sh, cached outside the clone), containerd with runc, the CNI bridge
# plugin, dnsmasq as the cluster DNS stand-in, and a helper (node-helper.ts) that feeds dnsmasq
# and provisions volumes from the API. No systemd: plain processes with pid files.
#
# Everything a node makes is named by its id and removed by `down` (and by the next `up`, when
# the node's owner process died): its folder $K8S_NODE_STATE/<id> (state, logs, volumes), the
# processes in its cgroup, its mount namespace (every overlay, volume and netns mount lives only
# there), the bridge rck8s-<id>, the nft table inet rck8s_<id>, kube-proxy's iptables chains, the
# cgroups /rck8s-<id>[-sys] and the sysctls it changed.
#
# Network, as this workplace requires: the node's address is on the bridge it creates; pods get
# routes to the pod and service ranges only (no default route, no masquerade); forwarding is on
# for the bridge alone, and an nft table drops anything forwarded off it.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO" # node-helper.ts runs with the repository's tsx
STATE_ROOT="${K8S_NODE_STATE:-/var/lib/redis-chaos/k8s-node}"
CONTEXT=redis-chaos-k8s-node
# The sysctls the kubelet, kube-proxy and this script may change; saved at up, restored at down.
SYSCTLS=(net/ipv4/ip_forward net/ipv4/conf/all/route_localnet net/bridge/bridge-nf-call-iptables
  vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes)
UP_TIMEOUT_S="${K8S_NODE_UP_TIMEOUT:-180}"

say() { echo "k8s-node: $*" >&2; }
die() { say "$*"; exit 2; }

# ---------------------------------------------------------------------------------------------
# prerequisites

# command → Debian package
declare -A PKG=(
  [go]=golang-go [rsync]=rsync [dpkg-source]=dpkg-dev [etcd]=etcd-server [containerd]=containerd [ctr]=containerd
  [runc]=runc [iptables]=iptables [conntrack]=conntrack [dnsmasq]=dnsmasq-base [openssl]=openssl
  [busybox]=busybox-static [ip]=iproute2 [nft]=nftables [nsenter]=util-linux [unshare]=util-linux
  [redis-server]=redis-server [redis-cli]=redis-tools [getent]=libc-bin [tc]=iproute2 [gcc]=gcc [curl]=curl
)
install_prerequisites() {
  local missing=() c
  for c in "${!PKG[@]}"; do command -v "$c" >/dev/null 2>&1 || missing+=("${PKG[$c]}"); done
  [ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
  [ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] || missing+=(golang-github-modern-go-reflect2-dev)
  [ -e /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)
  [ ${#missing[@]} -eq 0 ] && return
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]}, and no apt-get here to install them"
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}; installing them needs root"
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

check_machine() {
  [ "$(uname -s)" = Linux ] || die "a Kubernetes node needs Linux"
  [ "$(id -u)" -eq 0 ] || die "a Kubernetes node needs root (bridges, cgroups, mounts)"
  [ -d /sys/fs/cgroup/pids ] && [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/cpu ] ||
    die "a Kubernetes 1.20 node needs cgroup v1 (the pids, memory and cpu controllers under /sys/fs/cgroup)"
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || die "the kernel's br_netfilter is not loaded (modprobe br_netfilter): Services need it"
  if iptables-save 2>/dev/null | grep -q '^:KUBE-SERVICES' && ! ls "$STATE_ROOT"/*/pids/kube-proxy >/dev/null 2>&1; then
    die "another kube-proxy's iptables chains are on this machine; this node would share them"
  fi
}

# ---------------------------------------------------------------------------------------------
# process control: every daemon in the node's mount namespace and its pids cgroup

sys_cgroup() { echo "/sys/fs/cgroup/pids/rck8s-$1-sys"; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pid_of() { cat "$DIR/pids/$1" 2>/dev/null || true; }

# start NAME CMD...: in its own session, in the node's pids cgroup (and mount namespace, unless
# NAME is the holder or runs outside it), logging to logs/NAME.log.
start() {
  local name=$1; shift
  local ns=()
  if [ "${OUTSIDE_NS:-0}" != 1 ]; then ns=(nsenter -t "$(pid_of holder)" -m --); fi
  setsid bash -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' _ "$(sys_cgroup "$ID")" "${ns[@]}" "$@" \
    >"$DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$DIR/pids/$name"
}

# stop_group NAME: TERM its process group, KILL after 10 s.
stop_group() {
  local pid; pid=$(pid_of "$1")
  alive "$pid" || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

# kill_cgroup_tree DIR: SIGKILL every process in a cgroup directory and below, until none is left.
kill_cgroup_tree() {
  local root=$1 procs
  [ -d "$root" ] || return 0
  for _ in $(seq 1 100); do
    procs=$(find "$root" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
    [ -z "$procs" ] && return 0
    # shellcheck disable=SC2086
    kill -KILL $procs 2>/dev/null || true
    sleep 0.1
  done
  say "processes still in $root after 10 s: $(echo "$procs" | tr '\n' ' ')"
}

# The kubelet's --cgroup-root must exist in every v1 hierarchy; a new cpuset starts with no CPUs.
make_pod_cgroup_root() {
  local h
  for h in /sys/fs/cgroup/*/; do
    h=${h%/}
    [ -e "$h/cgroup.procs" ] && [ "$(basename "$h")" != unified ] || continue
    mkdir -p "$h/rck8s-$ID"
    if [ -e "$h/cpuset.cpus" ]; then
      cat "$h/cpuset.cpus" >"$h/rck8s-$ID/cpuset.cpus"
      cat "$h/cpuset.mems" >"$h/rck8s-$ID/cpuset.mems"
    fi
  done
}

remove_cgroups() {
  local id=$1 h
  for h in /sys/fs/cgroup/*/; do
    for c in "$h/rck8s-$id" "$h/rck8s-$id-sys"; do
      [ -d "$c" ] || continue
      find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      [ -d "$c" ] && say "cgroup $c still there"
    done
  done
  return 0
}

wait_for() { # wait_for WHAT SECONDS CMD...
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then say "$what: not ready within ${secs} s"; return 1; fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------------------------------------
# up

pick_network() {
  # A 10.A.B.0/23 (B even) that no address or route on the machine touches: the lower /24 for
  # pods (the node keeps .1), the upper /24 for Services.
  local used; used=$( { ip -4 -o addr show; ip -4 route show table all; } | grep -oE '10\.[0-9]+\.[0-9]+\.' | sort -u || true)
  for _ in $(seq 1 200); do
    local a=$((RANDOM % 254 + 1)) b=$(((RANDOM % 127) * 2))
    if ! grep -qxF "10.$a.$b." <<<"$used" && ! grep -qxF "10.$a.$((b + 1))." <<<"$used"; then
      echo "$a $b"; return
    fi
  done
  die "no free 10.x.y.0/23 found for the node's pod and service ranges"
}

certs() {
  local pki=$DIR/pki
  mkdir -p "$pki"
  (
    cd "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 7 -subj "/CN=redis-chaos-k8s-node-ca" 2>/dev/null
    printf '[req]\ndistinguished_name=dn\n[dn]\n[ext]\nsubjectAltName=IP:%s,IP:%s,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:%s\nextendedKeyUsage=serverAuth,clientAuth\n' \
      "$NODE_IP" "$SVC_PREFIX.1" "$NODE_NAME" >ext.cnf
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 7 -extfile ext.cnf -extensions ext 2>/dev/null
    cp apiserver.crt kubelet.crt && cp apiserver.key kubelet.key
    # One administrator identity (system:masters) for the harness and every component.
    openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=redis-chaos-admin" 2>/dev/null
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out admin.crt -days 7 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
  local b64; b64() { base64 -w0 <"$1"; }
  cat >"$DIR/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $CONTEXT
  cluster:
    server: https://$NODE_IP:6443
    certificate-authority-data: $(b64 "$pki/ca.crt")
users:
- name: redis-chaos-admin
  user:
    client-certificate-data: $(b64 "$pki/admin.crt")
    client-key-data: $(b64 "$pki/admin.key")
contexts:
- name: $CONTEXT
  context: {cluster: $CONTEXT, user: redis-chaos-admin}
current-context: $CONTEXT
EOF
}

write_configs() {
  mkdir -p "$DIR/cni/net.d" "$DIR/cni/ipam" "$DIR/containerd" "$DIR/kubelet" "$DIR/volumes" "$DIR/dns/hosts" "$DIR/pod-logs" "$DIR/container-logs" "$DIR/run-containerd" "$DIR/var-lib-cni"
  cat >"$DIR/cni/net.d/10-rck8s.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "$BRIDGE",
  "plugins": [{
    "type": "bridge", "bridge": "$BRIDGE", "isGateway": false, "ipMasq": false, "hairpinMode": true,
    "ipam": {
      "type": "host-local", "dataDir": "$DIR/cni/ipam",
      "ranges": [[{ "subnet": "$POD_PREFIX.0/24", "rangeStart": "$POD_PREFIX.10", "rangeEnd": "$POD_PREFIX.250", "gateway": "$NODE_IP" }]],
      "routes": [{ "dst": "$SVC_PREFIX.0/24", "gw": "$NODE_IP" }]
    }
  }]
}
EOF
  cat >"$DIR/containerd/config.toml" <<EOF
version = 2
root = "$DIR/containerd/root"
state = "$DIR/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.grpc.v1.introspection"]
[grpc]
  address = "$DIR/containerd.sock"
[ttrpc]
  address = "$DIR/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "k8s.gcr.io/pause:3.2"
  # This VM has no CAP_SYS_RESOURCE: runc cannot lower oom_score_adj below containerd's own.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$DIR/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$DIR/cni/net.d"
EOF
  : >"$DIR/resolv.conf" # the node has no upstream DNS: pods resolve cluster names only
  cat >"$DIR/kubelet/config.yaml" <<EOF
kind: KubeletConfiguration
apiVersion: kubelet.config.k8s.io/v1beta1
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: $NODE_IP
healthzPort: 10248
tlsCertFile: $DIR/pki/kubelet.crt
tlsPrivateKeyFile: $DIR/pki/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $DIR/pki/ca.crt}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
cgroupRoot: /rck8s-$ID
clusterDNS: [$NODE_IP]
clusterDomain: cluster.local
resolvConf: $DIR/resolv.conf
failSwapOn: false
makeIPTablesUtilChains: true
serializeImagePulls: false
# A CI disk is often fuller than the kubelet's defaults allow; pods must not be evicted for it.
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
}

setup_network() {
  ip link add "$BRIDGE" type bridge
  ip addr add "$NODE_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # The service range goes to the bridge too, so that no other run picks it, and nothing leaves.
  ip route add "$SVC_PREFIX.0/24" dev "$BRIDGE"
  # Forwarding for the bridge only (a Service's DNAT routes bridge to bridge), never off it.
  sysctl -qw "net.ipv4.conf.$BRIDGE.forwarding=1"
  nft -f - <<EOF
table inet rck8s_$ID {
  chain forward {
    type filter hook forward priority -10; policy accept;
    iifname "$BRIDGE" oifname != "$BRIDGE" drop
    iifname != "$BRIDGE" oifname "$BRIDGE" drop
  }
}
EOF
}

# The nft tables iptables-nft keeps (filter, nat, mangle): made on first use by kube-proxy and the
# kubelet when the machine had none. Noted at up, so that down removes only those it made.
save_nft_tables() { nft list tables 2>/dev/null >"$DIR/nft-tables.before" || true; }
remove_made_iptables_tables() {
  [ -f "$DIR/nft-tables.before" ] || return 0
  local fam t
  for fam in ip ip6; do
    for t in filter nat mangle; do
      grep -qx "table $fam $t" "$DIR/nft-tables.before" && continue
      nft list table "$fam" "$t" >/dev/null 2>&1 || continue
      # Only an empty one: no rule and no chain but the built-in ones.
      if ! nft list table "$fam" "$t" | grep -vE '^\s*(table |chain (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) |type |\}|$)' | grep -q .; then
        nft delete table "$fam" "$t" 2>/dev/null
      fi
    done
  done
  return 0
}

save_sysctls() {
  local s
  for s in "${SYSCTLS[@]}"; do [ -e "/proc/sys/$s" ] && echo "$s $(cat "/proc/sys/$s")"; done >"$DIR/sysctls.saved"
}

up() {
  local owner=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --owner) owner=${2:-}; shift 2 ;;
      *) die "up: unknown flag $1 (usage: up [--owner PID])" ;;
    esac
  done
  [ -z "$owner" ] || { [[ "$owner" =~ ^[0-9]+$ ]] && alive "$owner"; } || die "--owner $owner: expected the id of a running process"
  check_machine
  install_prerequisites
  sweep_dead
  local existing; existing=$(live_node || true)
  if [ -n "$existing" ]; then
    say "node $existing is already up (npm run k8s-node -- down $existing to remove it)"
    print_status "$existing"
    return 0
  fi
  local t0=$SECONDS
  local bin; bin=$(bash "$HERE/build.sh") || exit 2
  ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  DIR=$STATE_ROOT/$ID
  mkdir -p "$DIR/pids" "$DIR/logs"
  # While it starts, the node is this script's: a SIGKILLed `up` leaves a node the next `up` sweeps.
  # Then it is its owner's (swept once the owner is gone), or, without --owner, kept until `down`.
  echo $$ >"$DIR/starting"
  [ -z "$owner" ] || echo "$owner" >"$DIR/owner"
  trap 'exit 130' INT TERM
  trap 'set +e; if [ -f "$DIR/starting" ]; then failed_up; fi' EXIT
  read -r A B < <(pick_network)
  POD_PREFIX=10.$A.$B SVC_PREFIX=10.$A.$((B + 1))
  NODE_IP=$POD_PREFIX.1 BRIDGE=rck8s-$ID NODE_NAME=redis-chaos-node-$ID
  printf 'ID=%s\nNODE_IP=%s\nPOD_PREFIX=%s\nSVC_PREFIX=%s\nBRIDGE=%s\nNODE_NAME=%s\nBIN=%s\n' \
    "$ID" "$NODE_IP" "$POD_PREFIX" "$SVC_PREFIX" "$BRIDGE" "$NODE_NAME" "$bin" >"$DIR/node.env"
  say "node $ID: $NODE_IP on $BRIDGE, pods $POD_PREFIX.0/24, services $SVC_PREFIX.0/24"
  save_sysctls
  save_nft_tables
  mkdir -p "$(sys_cgroup "$ID")"
  make_pod_cgroup_root
  setup_network
  certs
  write_configs

  # The node's mount namespace: overlays, volumes and netns mounts live and die in it; the
  # kubelet's fixed /var/log/pods and containerd's /run/containerd are bind-mounted to the folder.
  # A slave copy: the node's mounts stay in it, and where the host's mounts are shared (systemd's
  # /), the host's unmounts still reach it, so it does not hold other software's filesystems (a
  # Docker on the CI runner, say) until the node goes. Where they are private (this VM), nothing
  # reaches it: drop-host-mounts.sh drops the local runs' copies below.
  OUTSIDE_NS=1 start holder unshare --mount --propagation slave sleep 2147483647
  wait_for "mount namespace" 10 own_mount_ns "$(pid_of holder)"
  local h; h=$(pid_of holder)
  # Copies of local runs' claims (loop devices) would be held until the node goes: drop them.
  nsenter -t "$h" -m -- sh "$HERE/drop-host-mounts.sh" "${REDIS_CHAOS_RUNS_DIR:-${TMPDIR:-/tmp}/redis-chaos-runs}"
  nsenter -t "$h" -m -- sh -c "mkdir -p /var/log/pods /var/log/containers /run/containerd /var/lib/cni &&
    mount --bind '$DIR/pod-logs' /var/log/pods && mount --bind '$DIR/container-logs' /var/log/containers &&
    mount --bind '$DIR/run-containerd' /run/containerd && mount --bind '$DIR/var-lib-cni' /var/lib/cni"

  start etcd etcd --name node --data-dir "$DIR/etcd" \
    --listen-client-urls "http://$NODE_IP:2379" --advertise-client-urls "http://$NODE_IP:2379" \
    --listen-peer-urls "http://$NODE_IP:2380" --initial-advertise-peer-urls "http://$NODE_IP:2380" \
    --initial-cluster "node=http://$NODE_IP:2380" --initial-cluster-state new
  start containerd containerd --config "$DIR/containerd/config.toml"
  wait_for etcd 30 etcdctl_health
  start kube-apiserver "$bin/kube-apiserver" --etcd-servers "http://$NODE_IP:2379" \
    --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port 6443 --insecure-port 0 \
    --cert-dir "$DIR/pki/apiserver" --tls-cert-file "$DIR/pki/apiserver.crt" --tls-private-key-file "$DIR/pki/apiserver.key" \
    --client-ca-file "$DIR/pki/ca.crt" --kubelet-client-certificate "$DIR/pki/admin.crt" --kubelet-client-key "$DIR/pki/admin.key" \
    --service-cluster-ip-range "$SVC_PREFIX.0/24" --service-account-key-file "$DIR/pki/sa.pub" \
    --service-account-signing-key-file "$DIR/pki/sa.key" --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --authorization-mode Node,RBAC --allow-privileged=true --kubelet-preferred-address-types InternalIP --profiling=false
  wait_for containerd 30 test -S "$DIR/containerd.sock"
  PAUSE_BIN="$bin/pause" bash "$HERE/images.sh" "$DIR/images" "$DIR/containerd.sock" "$REPO" >"$DIR/logs/images.log" 2>&1 &
  images=$!
  wait_for kube-apiserver 90 kubectl get --raw /readyz
  start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$DIR/kubeconfig" \
    --bind-address "$NODE_IP" --secure-port 10257 --port 0 --cert-dir "$DIR/pki/kcm" --leader-elect=false \
    --service-account-private-key-file "$DIR/pki/sa.key" --root-ca-file "$DIR/pki/ca.crt" --use-service-account-credentials=false
  start kube-scheduler "$bin/kube-scheduler" --kubeconfig "$DIR/kubeconfig" \
    --bind-address "$NODE_IP" --secure-port 10259 --port 0 --cert-dir "$DIR/pki/scheduler" --leader-elect=false
  start kubelet "$bin/kubelet" --kubeconfig "$DIR/kubeconfig" --config "$DIR/kubelet/config.yaml" \
    --container-runtime remote --container-runtime-endpoint "unix://$DIR/containerd.sock" \
    --root-dir "$DIR/kubelet/root" --cert-dir "$DIR/pki/kubelet" --node-ip "$NODE_IP" --hostname-override "$NODE_NAME"
  start kube-proxy "$bin/kube-proxy" --kubeconfig "$DIR/kubeconfig" --proxy-mode iptables --hostname-override "$NODE_NAME" \
    --bind-address "$NODE_IP" --healthz-bind-address "$NODE_IP:10256" --metrics-bind-address "$NODE_IP:10249" \
    --conntrack-max-per-core 0 --conntrack-tcp-timeout-established 0 --conntrack-tcp-timeout-close-wait 0
  OUTSIDE_NS=1 start dnsmasq dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=root \
    --listen-address "$NODE_IP" --bind-interfaces --hostsdir "$DIR/dns/hosts" \
    --local=/cluster.local/ --local-ttl 5 --no-negcache --pid-file="$DIR/dnsmasq.pid" --log-facility=-
  # TSX_DISABLE_CACHE: tsx would leave its transforms in $TMPDIR/tsx-<uid>, outside the node's folder.
  OUTSIDE_NS=1 TSX_DISABLE_CACHE=1 start node-helper node --import tsx "$HERE/node-helper.ts" "$DIR/kubeconfig" "$DIR/dns/hosts" "$DIR/volumes" "$NODE_NAME"
  wait "$images" || { say "building the images failed: $(tail -n 3 "$DIR/logs/images.log" | tr '\n' ' ')"; false; }
  wait_for "node $NODE_NAME Ready" 120 node_ready
  wait_for "default service account" 60 kubectl -n default get serviceaccount default
  wait_for "default StorageClass" 30 kubectl get storageclass standard
  rm -f "$DIR/starting"
  trap - EXIT INT TERM
  # The owner's reaper (as testcontainers' Ryuk): in a session of its own, so the terminal's Ctrl-C
  # to the owner's process group does not reach it, and outside the node's cgroup, so the down it
  # runs does not kill it. When the owner is gone, for whatever reason (SIGKILL included), the node goes.
  if [ -n "$owner" ]; then
    setsid bash "$HERE/k8s-node.sh" reap "$ID" "$owner" >"$DIR/logs/reaper.log" 2>&1 </dev/null &
    echo $! >"$DIR/pids/reaper"
  fi
  say "node $ID up in $((SECONDS - t0)) s"
  print_status "$ID"
}

failed_up() {
  [ -n "${images:-}" ] && kill "$images" 2>/dev/null
  show_logs
  if [ "${K8S_NODE_KEEP_FAILED:-0}" = 1 ]; then say "up failed; node $ID kept for a look (K8S_NODE_KEEP_FAILED=1): $DIR"; return; fi
  say "up failed; removing node $ID"
  down_node "$ID" >/dev/null 2>&1
}

# The last lines of every component's log, for a failed start (the folder goes with the node).
show_logs() {
  local f
  for f in "$DIR"/logs/*.log; do [ -s "$f" ] && { echo "--- $(basename "$f") (last lines)"; tail -n "${K8S_NODE_LOG_LINES:-8}" "$f"; }; done >&2
  return 0
}
own_mount_ns() { [ "$(readlink "/proc/$1/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]; }
kubectl() { "$(. "$DIR/node.env"; echo "$BIN")/kubectl" --kubeconfig "$DIR/kubeconfig" --request-timeout 5s "$@"; }
etcdctl_health() { curl -sf --max-time 2 "http://$NODE_IP:2379/health" | grep -q '"health":"true"'; }
node_ready() { kubectl get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' | grep -qx True; }

# ---------------------------------------------------------------------------------------------
# down, sweep, status

# Teardown continues past every error: each step removes what it can.
down_node() { ( set +e +o pipefail; remove_node "$1" ); }
remove_node() {
  local id=$1 dir=$STATE_ROOT/$1
  [[ "$id" =~ ^[0-9a-f]{6}$ ]] || { say "down: $id is not a node id"; return 2; }
  local bin="" bridge="rck8s-$id" svc=""
  if [ -f "$dir/node.env" ]; then bin=$(. "$dir/node.env"; echo "$BIN"); svc=$(. "$dir/node.env"; echo "$SVC_PREFIX"); fi
  DIR=$dir
  # The owner's reaper, unless this is it running the down.
  local reaper; reaper=$(pid_of reaper)
  [ -n "$reaper" ] && [ "$reaper" != "${REAPER_SELF:-}" ] && kill "$reaper" 2>/dev/null
  # Control plane first, so nothing re-creates what goes next; then every container, then the runtime.
  for n in node-helper dnsmasq kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver; do stop_group "$n"; done
  local h; for h in /sys/fs/cgroup/*/; do kill_cgroup_tree "$h/rck8s-$id"; done
  stop_group containerd
  stop_group etcd
  kill_cgroup_tree "$(sys_cgroup "$id")" # the shims, the holder of the mount namespace, anything left
  remove_cgroups "$id"
  if [ -n "$bin" ] && [ -x "$bin/kube-proxy" ]; then "$bin/kube-proxy" --cleanup >/dev/null 2>&1 || true; fi
  remove_kube_chains
  remove_made_iptables_tables
  nft delete table inet "rck8s_$id" 2>/dev/null || true
  ip link del "$bridge" 2>/dev/null || true
  [ -n "$svc" ] && ip route del "$svc.0/24" 2>/dev/null || true
  if [ -f "$dir/sysctls.saved" ]; then
    while read -r s v; do [ -e "/proc/sys/$s" ] && echo "$v" >"/proc/sys/$s" 2>/dev/null || true; done <"$dir/sysctls.saved"
  fi
  # Mounts can only be in the node's own namespace; this is for a folder bind-mounted by hand.
  grep -F " $dir/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done || true
  rm -rf "$dir"
  say "node $id removed"
}

# The iptables chains the kubelet and kube-proxy add (KUBE-*), and the jumps to them.
remove_kube_chains() {
  local t
  for t in filter nat mangle; do
    iptables-save -t "$t" 2>/dev/null | grep -E '^-A [A-Z]+ .*-j KUBE-' | grep -vE '^-A KUBE-' | sed 's/^-A /-D /' |
      while read -r rule; do eval "iptables -t $t $rule" 2>/dev/null || true; done
    iptables-save -t "$t" 2>/dev/null | grep -oE '^:KUBE-[A-Z0-9-]+' | tr -d : | while read -r c; do iptables -t "$t" -F "$c" 2>/dev/null || true; done
    iptables-save -t "$t" 2>/dev/null | grep -oE '^:KUBE-[A-Z0-9-]+' | tr -d : | while read -r c; do iptables -t "$t" -X "$c" 2>/dev/null || true; done
  done
}

# The node that is up (its id), if any.
live_node() {
  local d
  for d in "$STATE_ROOT"/*/; do
    [ -d "$d" ] || continue
    d=${d%/}
    if [ ! -f "$d/starting" ] && node_is_live "$d"; then basename "$d"; return 0; fi
  done
  return 1
}
# Live: starting with its `up` alive; or up, with its apiserver running and, when it has an owner,
# that owner alive (without one it was started by hand and stays until `down`).
node_is_live() {
  local d=$1
  if [ -f "$d/starting" ]; then alive "$(cat "$d/starting")"; return; fi
  [ -f "$d/node.env" ] || return 1
  if [ -f "$d/owner" ]; then alive "$(cat "$d/owner")" || return 1; fi
  local api; api=$(cat "$d/pids/kube-apiserver" 2>/dev/null || true)
  alive "$api" && grep -q kube-apiserver "/proc/$api/cmdline" 2>/dev/null
}

# Every node whose owner died, and every object named rck8s-<id> whose folder is gone.
sweep_dead() {
  local d id
  for d in "$STATE_ROOT"/*/; do
    [ -d "$d" ] || continue
    d=${d%/}; id=$(basename "$d")
    node_is_live "$d" || { say "sweeping node $id (its owner is gone)"; down_node "$id" || true; }
  done
  local ids
  ids=$( { ip -o link show 2>/dev/null | grep -oE 'rck8s-[0-9a-f]{6}' ; ls /sys/fs/cgroup/pids 2>/dev/null | grep -oE '^rck8s-[0-9a-f]{6}'; nft list tables 2>/dev/null | grep -oE 'rck8s_[0-9a-f]{6}' | tr _ -; } | sed 's/^rck8s-//' | sort -u || true)
  for id in $ids; do
    [ -d "$STATE_ROOT/$id" ] || { say "sweeping leftovers of node $id"; down_node "$id" || true; }
  done
}

print_status() {
  local id=$1 dir=$STATE_ROOT/$1
  (. "$dir/node.env"; printf 'id=%s\nkubeconfig=%s\ncontext=%s\nnode=%s\nnode_ip=%s\nlogs=%s\n' "$ID" "$dir/kubeconfig" "$CONTEXT" "$NODE_NAME" "$NODE_IP" "$dir/logs")
}

status() {
  local id; id=$(live_node) || { say "no node is up"; return 1; }
  print_status "$id"
}

cmd=${1:-}
shift || true
case "$cmd" in
  up) up "$@" ;;
  down)
    [ "$(id -u)" -eq 0 ] || die "down needs root"
    if [ $# -gt 0 ]; then down_node "$1"; else
      for d in "$STATE_ROOT"/*/; do [ -d "$d" ] && down_node "$(basename "$d")"; done; sweep_dead
    fi ;;
  status) status ;;
  reap)
    # reap ID OWNER: wait until OWNER is gone, or 12 hours at most (K8S_NODE_MAX_HOURS), then down ID.
    REAPER_SELF=$$
    deadline=$((SECONDS + ${K8S_NODE_MAX_HOURS:-12} * 3600))
    while alive "${2:-}" && [ $SECONDS -lt $deadline ]; do sleep 1; done
    say "owner ${2:-} of node ${1:-} is gone (or the node outlived K8S_NODE_MAX_HOURS): removing the node"
    down_node "${1:-}" ;;
  sweep) sweep_dead ;;
  build) install_prerequisites; bash "$HERE/build.sh" ;;
  *) die "usage: npm run k8s-node -- up [--owner PID] | down [ID] | status | sweep | build" ;;
esac
