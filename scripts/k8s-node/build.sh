#!/usr/bin/env bash
# Builds the binaries of one Kubernetes node from Debian's `kubernetes` source package (the whole
# v1.20.2 tree with vendor/) with the fixes in patches/, into the build cache, keyed by the source
# package's version and the patches:
#   $K8S_NODE_CACHE/<version>/bin-<patches>/{kube-apiserver,kube-controller-manager,kube-scheduler,kubelet,kube-proxy,kubectl,pause}
# A second run with the same version and patches reuses them. Everything it writes (sources, GOPATH, Go's
# build cache and work folders, binaries) is under $K8S_NODE_CACHE; nothing goes into the clone.
#
# Needs: a deb-src entry for the Debian mirror and suite (added here if missing, and said),
# golang-go, rsync, dpkg-dev and golang-github-modern-go-reflect2-dev (installed by k8s-node.sh).
set -euo pipefail

CACHE="${K8S_NODE_CACHE:-/var/cache/redis-chaos/k8s-node}"
PATCHES="$(cd "$(dirname "$0")" && pwd)/patches"
BINS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
log() { echo "k8s-node build: $*" >&2; }

ensure_deb_src() {
  if apt-cache showsrc kubernetes 2>/dev/null | grep -q '^Version:'; then return; fi
  local list=/etc/apt/sources.list.d/redis-chaos-deb-src.sources
  # The same mirror and suites as the binary entries, for source packages only.
  local uris suites
  uris=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  suites=$(awk '/^Suites:/{$1=""; print; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  if [ -z "$uris" ]; then
    uris=$(awk '$1=="deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    suites=$(awk '$1=="deb" && $2 !~ /security/ {print $3; exit}' /etc/apt/sources.list 2>/dev/null || true)
  fi
  [ -n "$uris" ] || { log "no Debian mirror found in /etc/apt to add a deb-src entry for"; exit 2; }
  log "adding a deb-src entry for $uris ($suites) in $list, to fetch Debian's kubernetes source package"
  printf 'Types: deb-src\nURIs: %s\nSuites:%s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uris" "${suites:- bookworm}" > "$list"
  apt-get update -qq
  apt-cache showsrc kubernetes 2>/dev/null | grep -q '^Version:' || { log "Debian has no kubernetes source package here"; exit 2; }
}

version() { apt-cache showsrc kubernetes | awk '/^Version:/{print $2; exit}'; }

# The tree carries the patches it was last built with (copies in .redis-chaos-patches): when they
# differ from patches/, those are taken back out and these applied, so one unpacked tree serves.
apply_patches() {
  local tree=$1 applied="$1/.redis-chaos-patches" p
  if [ -d "$applied" ] && diff -rq "$applied" "$PATCHES" >/dev/null; then return; fi
  if [ -d "$applied" ]; then
    for p in $(ls -r "$applied"/*.patch 2>/dev/null); do patch -s -f -R -p1 -d "$tree" <"$p" || { log "could not take $(basename "$p") back out of $tree"; exit 2; }; done
    rm -rf "$applied"
  fi
  for p in "$PATCHES"/*.patch; do
    # Already in (a run cut short before it noted it): it takes back out cleanly.
    if patch -s -f -R -p1 --dry-run -d "$tree" <"$p" >/dev/null 2>&1; then continue; fi
    log "patching the source: $(basename "$p")"
    patch -s -f -p1 -d "$tree" <"$p" || { log "$(basename "$p") does not apply to $tree"; exit 2; }
  done
  mkdir -p "$applied" && cp "$PATCHES"/*.patch "$applied/"
}

main() {
  ensure_deb_src
  local v; v=$(version)
  # Binaries built without a patch (an older cache) are not these: the patches' digest names them.
  local out; out="$CACHE/$v/bin-$(cat "$PATCHES"/*.patch | sha256sum | cut -c1-12)"
  if [ -x "$out/pause" ] && for b in "${BINS[@]}"; do [ -x "$out/$b" ] || exit 1; done; then
    echo "$out"; return
  fi
  local work="$CACHE/$v/src"
  mkdir -p "$work" "$out"
  local tree
  tree=$(find "$work" -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)
  if [ -z "$tree" ]; then
    log "fetching Debian's kubernetes $v source package"
    # Unpacked aside and moved in whole: a fetch cut short leaves no half tree for the next build.
    rm -rf "$work/.fetch" && mkdir -p "$work/.fetch"
    (cd "$work/.fetch" && apt-get source -qq kubernetes="$v" >/dev/null 2>&1) || { log "apt-get source kubernetes=$v failed"; exit 2; }
    mv "$(find "$work/.fetch" -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)" "$work/"
    rm -rf "$work/.fetch"
    tree=$(find "$work" -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)
  fi
  apply_patches "$tree"
  # Go 1.19 and the vendored reflect2 v1.0.1: the apiserver panics on every JSON body that holds a
  # map. Debian's golang-github-modern-go-reflect2-dev (1.0.2) is the fixed package.
  local reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
  [ -d "$reflect2" ] || { log "missing $reflect2: apt-get install golang-github-modern-go-reflect2-dev"; exit 2; }
  rm -rf "$tree/vendor/github.com/modern-go/reflect2"
  cp -r "$reflect2" "$tree/vendor/github.com/modern-go/reflect2"
  # GOPATH mode, as debian/rules builds it (go build -mod=vendor fails on this tree).
  mkdir -p "$tree/.go/src/k8s.io"
  [ -L "$tree/.go/src/k8s.io/kubernetes" ] || ln -s ../../.. "$tree/.go/src/k8s.io/kubernetes"
  local what=()
  for b in "${BINS[@]}"; do [ -x "$out/$b" ] || what+=("cmd/$b"); done
  if [ ${#what[@]} -gt 0 ]; then
    log "building ${what[*]} (about 6 minutes cold on 2 cores)"
    # Go's work folders (go-build*, 1.3 GB mid-build) go under the cache too, not /tmp: a build cut
    # short (a machine restart) then leaves them where the next build clears them.
    rm -rf "$CACHE/tmp" && mkdir -p "$CACHE/tmp"
    # Not `make WHAT=…`: its generated_files step builds five code generators and re-runs them over
    # the whole tree, 5.4 min of CI's build beside the unit suite, to write what the tree already
    # ships (every zz_generated deepcopy, defaults, conversion and prerelease-lifecycle file came
    # out the same but for Go 1.19's added //go:build line; bindata.go holds kubectl's message
    # catalogues). The one generated file the tree lacks is pkg/generated/openapi's: gen_openapi
    # writes it, then the targets are built as make would build them.
    (cd "$tree" && env GOPATH="$tree/.go" GOCACHE="$CACHE/go-build" GOTMPDIR="$CACHE/tmp" TMPDIR="$CACHE/tmp" GOFLAGS= CGO_ENABLED=0 HOME="$CACHE/home" \
      bash -c 'make gen_openapi && hack/make-rules/build.sh "$@"' build "${what[@]}" >"$CACHE/$v/build.log" 2>&1) || { log "the build failed; see $CACHE/$v/build.log"; tail -n 20 "$CACHE/$v/build.log" >&2; exit 2; }
    # Each in whole, under its name last: a copy cut short is not taken for a binary next time.
    for b in "${what[@]}"; do install -m 0755 "$tree/_output/bin/${b#cmd/}" "$out/.${b#cmd/}.tmp" && mv -f "$out/.${b#cmd/}.tmp" "$out/${b#cmd/}"; done
    rm -rf "$CACHE/tmp"
  fi
  if [ ! -x "$out/pause" ]; then
    gcc -Os -static -o "$out/pause" "$tree/build/pause/linux/pause.c" -DVERSION=redis-chaos
  fi
  echo "$out"
}
main "$@"
