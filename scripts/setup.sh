#!/usr/bin/env bash
# npm run setup: installs the system packages the local platform and the tests need, saying each
# one it installs, and nothing when they are all present. Debian/Ubuntu (apt-get, as root or
# with sudo); on macOS it prints the Homebrew line instead of guessing.
set -euo pipefail

# command → Debian package that provides it
declare -A PACKAGES=(
  [redis-server]=redis-server # the local platform's pods
  [redis-cli]=redis-tools     # --cluster create, the by-hand baselines
  [chromium]=chromium         # report.html and the Allure report, tested in a real browser
  # --isolation namespaces (the default as root on Linux): pods' network namespaces, bridge and veths,
  # partitions and loss (nft), mount and UTS namespaces, and delayd.py for delays
  [ip]=iproute2
  [nft]=nftables
  [nsenter]=util-linux
  [unshare]=util-linux
  [python3]=python3
  [strace]=strace # a test slows Redis's fsync with it (harness/checkers/crash-window.test.ts)
)
present() { command -v "$1" >/dev/null 2>&1 || { [ "$1" = chromium ] && [ -x /usr/bin/chromium ]; }; }

missing=()
for cmd in redis-server redis-cli chromium ip nft nsenter unshare python3 strace; do
  present "$cmd" || [[ " ${missing[*]} " == *" ${PACKAGES[$cmd]} "* ]] || missing+=("${PACKAGES[$cmd]}")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: nothing to install (redis-server, redis-cli, chromium, ip, nft, nsenter, unshare, python3 and strace are present)"
  exit 0
fi

case "$(uname -s)" in
  Darwin)
    echo "setup: missing ${missing[*]}; on macOS run: brew install redis && brew install --cask chromium" >&2
    exit 2 ;;
  Linux) ;;
  *) echo "setup: unsupported system $(uname -s); install redis-server and redis-cli >= 7.0 yourself" >&2; exit 2 ;;
esac
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: no apt-get here; install ${missing[*]} with your package manager (redis-server >= 7.0)" >&2
  exit 2
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup: installing ${missing[*]} needs root or sudo" >&2; exit 2; }
  sudo=(sudo)
fi
for p in "${missing[@]}"; do echo "setup: installing $p"; done
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: installed ${missing[*]}"
