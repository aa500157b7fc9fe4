#!/usr/bin/env bash
# The README's first command: set up what the demo needs on a fresh Debian 12 machine, then run it.
#   bash scripts/demo.sh [--with-influxd] [--lang en] …   (arguments go to `netcov demo`)
# As root it installs the Debian packages the demo uses when they are missing (fping for the ICMP
# rounds, nftables for the simulated outages, influxdb with --with-influxd, a compiler for the two
# native add-ons); then `npm ci` and `npm run demo`. Not as root, it installs nothing and the demo
# says which incidents it cannot simulate.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" ]] || [[ -x "/sbin/$1" ]]; }
have fping || need+=(fping)
have nft || need+=(nftables)
have ping || need+=(iputils-ping)
have g++ || need+=(g++)
have make || need+=(make)
have python3 || need+=(python3)
for arg in "$@"; do
  if [[ "$arg" == "--with-influxd" ]] && ! have influxd; then need+=(influxdb); fi
done

if ((${#need[@]})); then
  if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "--- installing from Debian: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d keeps influxdb's own service from starting: the demo runs its own instance.
    POLICY=/usr/sbin/policy-rc.d
    if [[ ! -e "$POLICY" ]]; then
      printf '#!/bin/sh\nexit 101\n' > "$POLICY" && chmod 755 "$POLICY"
      trap 'rm -f "$POLICY"' EXIT
    fi
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "--- missing: ${need[*]} (run as root to install them with apt-get; the demo runs without what it can)"
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then
  echo "netcov needs Node.js 20 or later (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "Debian 12's nodejs is 18: install Node 20 (e.g. NodeSource's Debian packages), then run this again." >&2
  exit 1
fi

echo "--- npm ci"
npm ci --no-audit --no-fund --loglevel=warn
echo "--- npm run demo"
exec npm run demo -- "$@"
