#!/usr/bin/env bash
# Installs the Debian packages that the test suites use as external peers:
#   chromium            - browser WebSocket interop (driven by playwright-core)
#   python3-websockets  - Python WebSocket client interop
#   python3-autobahn, python3-cbor2, python3-msgpack - Autobahn|Python WAMP interop
#   nats-server         - router cluster suites
#
# Only acts when running as root on a system with apt-get; otherwise it
# prints why and exits 0 (the suites then skip, or fail under CI=true).
# Idempotent: checks dpkg first and does nothing (no apt-get update) when
# every package is already installed. Exits non-zero if an install fails.
set -euo pipefail

PACKAGES=(chromium python3-websockets nats-server python3-autobahn python3-cbor2 python3-msgpack)

log() { printf '[install-test-deps] %s\n' "$*" >&2; }

if [[ "$(id -u)" != 0 ]]; then
  log "not root; skipping apt install of: ${PACKAGES[*]}"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  log "apt-get/dpkg not available; skipping install of: ${PACKAGES[*]}"
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all present: ${PACKAGES[*]}"
  exit 0
fi

log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

# Verify.
for pkg in "${missing[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    log "failed to install $pkg (status: '${status:-absent}')"
    exit 1
  fi
done
log "installed: ${missing[*]}"
