#!/usr/bin/env bash
# Installs what Douyin needs on a Debian machine and restores the solution. Safe to run again: it only
# installs what is missing. Used by the README's run command and by eng/test.sh (and so by CI).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;36m[setup]\033[0m %s\n' "$*"; }

# Debian packages: the backing services the AppHost runs as local processes, the media tools, and the browser
# the end-to-end tests drive (Playwright uses this Chromium; it downloads no browser of its own), and wrk for bench/run.sh.
packages=(postgresql redis-server rabbitmq-server ffmpeg chromium wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # The AppHost starts its own instances on free ports: keep the packages from starting system-wide daemons.
  policy=/usr/sbin/policy-rc.d
  had_policy=0; [ -e "$policy" ] && had_policy=1
  [ $had_policy -eq 1 ] || { printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null; $sudo chmod +x "$policy"; }
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ $had_policy -eq 1 ] || $sudo rm -f "$policy"
fi

# npm packages, pinned in package-lock.json: the Azure Storage emulator (Azurite). npm records what it installed in
# node_modules/.package-lock.json; install again when the lock file is newer.
if [ ! -x node_modules/.bin/azurite-blob ] || [ ! -e node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || { echo "npm is required (Node.js 20+)" >&2; exit 1; }
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

say "restoring .NET packages"
dotnet restore Douyin.sln --nologo -v quiet
# dotnet-ef, pinned in .config/dotnet-tools.json: `dotnet ef migrations add` (see the README).
dotnet tool restore >/dev/null
say "ready"
