#!/usr/bin/env bash
# images.sh OUT CONTAINERD_SOCKET REPO: the node's images, built from this machine's own binaries
# (nothing can be pulled here) as docker-archive tarballs, imported into containerd's k8s.io
# namespace under the exact names the manifests and the harness use:
#   redis:7.0.15-alpine            the host's redis-server and redis-cli with their libraries, a
#                                  static busybox for sh/sed/awk, and glibc's getent (the hardened
#                                  example's start.sh resolves its peers with it)
#   redis-chaos/hit-counter:dev    the app as app/hit-counter/Dockerfile builds it: the esbuild
#                                  bundle and node, user node, port 5000
#   nicolaka/netshoot:v0.13        the node agent's tools: nsenter, nft, tc and ip (the real ones),
#                                  and dash as sh (busybox's sh would run its own tc applet)
#   k8s.gcr.io/pause:3.2           the sandbox, from the same Kubernetes source's pause.c
# The Redis image is Debian's redis-server, not Alpine's: the same version (7.0.15) the local
# platform runs, so the two platforms run the same server.
set -euo pipefail
OUT=$1 SOCK=$2 REPO=$3
PAUSE_BIN=${PAUSE_BIN:?PAUSE_BIN must name the pause binary}
mkdir -p "$OUT"

# copy_with_libs ROOT BINARY...: each binary at its own path, with the shared objects it loads.
copy_with_libs() {
  local root=$1; shift
  local f lib
  for f in "$@"; do
    cp --parents -L "$f" "$root/"
    for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u); do
      [ -e "$root$lib" ] || cp --parents -L "$lib" "$root/"
    done
  done
}

# busybox_links ROOT APPLET...: /bin/<applet> → busybox, for applets with no real binary in the image.
busybox_links() {
  local root=$1; shift
  mkdir -p "$root/bin"
  cp /usr/bin/busybox "$root/bin/busybox"
  local a
  for a in "$@"; do
    [ -e "$root/bin/$a" ] || [ -e "$root/usr/bin/$a" ] || [ -e "$root/usr/sbin/$a" ] || [ -e "$root/sbin/$a" ] || ln -s busybox "$root/bin/$a"
  done
}

base_etc() {
  local root=$1
  mkdir -p "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/root"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nredis:x:999:1000::/data:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nredis:x:1000:\nnode:x:1000:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'hosts: files dns\npasswd: files\ngroup: files\n' >"$root/etc/nsswitch.conf"
}

# archive NAME ROOT CONFIG_JSON: a docker-archive tarball of one layer.
archive() {
  local name=$1 root=$2 config=$3 work
  work=$(mktemp -d "$OUT/work.XXXXXX")
  tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$work/layer.tar" .
  local diff; diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$config" "$diff" >"$work/config.json"
  printf '[{"Config":"config.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$name" >"$work/manifest.json"
  local file; file="$OUT/$(echo "$name" | tr '/:' '__').tar"
  tar -C "$work" -cf "$file" manifest.json config.json layer.tar
  rm -rf "$work"
  ctr -a "$SOCK" -n k8s.io images import "$file" >/dev/null
  echo "images: $name ($(du -h "$file" | cut -f1))"
}

PATH_ENV='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
SHELL_APPLETS=(sh ash cat echo grep egrep sed awk ls mkdir rm cp mv ln sleep kill ps head tail tr cut wc test '[' true false
  hostname env id date printf chmod chown touch sort uniq xargs find basename dirname readlink stat ping nslookup timeout)

redis_image() {
  local root; root=$(mktemp -d "$OUT/redis.XXXXXX")
  base_etc "$root"
  copy_with_libs "$root" /usr/bin/redis-server /usr/bin/redis-cli /usr/bin/getent
  ln -s redis-server "$root/usr/bin/redis-check-aof"
  ln -s redis-server "$root/usr/bin/redis-check-rdb"
  busybox_links "$root" "${SHELL_APPLETS[@]}"
  mkdir -p "$root/data"
  archive redis:7.0.15-alpine "$root" "{\"Env\":[$PATH_ENV],\"Cmd\":[\"redis-server\"],\"WorkingDir\":\"/data\"}"
  rm -rf "$root"
}

app_image() {
  local root; root=$(mktemp -d "$OUT/app.XXXXXX")
  base_etc "$root"
  mkdir -p "$root/app" "$root/home/node"
  # The Dockerfile's build stage, run here: one bundle of the app and ioredis.
  "$REPO/node_modules/.bin/esbuild" "$REPO/app/hit-counter/main.ts" --bundle --platform=node --target=node20 --format=esm --log-level=warning \
    --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" \
    --outfile="$root/app/main.mjs"
  copy_with_libs "$root" "$(readlink -f "$(command -v node)")"
  [ -e "$root/usr/bin/node" ] || { mkdir -p "$root/usr/bin"; ln -s "$(readlink -f "$(command -v node)")" "$root/usr/bin/node"; }
  busybox_links "$root" sh cat echo ls
  archive redis-chaos/hit-counter:dev "$root" "{\"Env\":[$PATH_ENV,\"NODE_ENV=production\",\"PORT=5000\"],\"Cmd\":[\"node\",\"main.mjs\"],\"WorkingDir\":\"/app\",\"User\":\"node\"}"
  rm -rf "$root"
}

agent_image() {
  local root; root=$(mktemp -d "$OUT/agent.XXXXXX")
  base_etc "$root"
  copy_with_libs "$root" "$(command -v nsenter)" "$(command -v nft)" "$(command -v tc)" "$(command -v ip)" /bin/dash
  # The agent's shell is dash, not busybox: Debian's static busybox prefers its own applets, so its
  # sh would run busybox's tc (no netem, "invalid argument 'root'") whatever PATH says.
  ln -s dash "$root/bin/sh"
  [ -d /usr/lib/x86_64-linux-gnu/tc ] && cp --parents -r /usr/lib/x86_64-linux-gnu/tc "$root/" # netem's distribution tables
  busybox_links "$root" "${SHELL_APPLETS[@]}"
  archive nicolaka/netshoot:v0.13 "$root" "{\"Env\":[$PATH_ENV],\"Cmd\":[\"sh\"]}"
  rm -rf "$root"
}

pause_image() {
  local root; root=$(mktemp -d "$OUT/pause.XXXXXX")
  cp "$PAUSE_BIN" "$root/pause"
  archive k8s.gcr.io/pause:3.2 "$root" '{"Entrypoint":["/pause"]}'
  rm -rf "$root"
}

pause_image
redis_image
agent_image
app_image
