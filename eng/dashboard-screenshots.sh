#!/usr/bin/env bash
# Takes the dashboard screenshots of docs/dev-loop.md: starts the AppHost as `dotnet run` does (launch profile http,
# dashboard on http://localhost:18888), waits for web to be healthy, runs eng/dashboard-screenshots.cs against the
# dashboard's login URL, and stops the AppHost. Output: docs/images/dashboard-*.png (or the directory given).
# The dashboard shows the checkout's paths (content roots, data folders in the servers' command lines and logs), so the
# shots are taken in a worktree of HEAD at a neutral path (DOUYIN_SCREENSHOT_ROOT, default /tmp/douyin), built there
# and removed after: commit what the shots should show first.
set -euo pipefail
cd "$(dirname "$0")/.."
output="$(realpath -m "${1:-docs/images}")"
root="${DOUYIN_SCREENSHOT_ROOT:-/tmp/douyin}"
log="$(mktemp)"

[ ! -e "$root" ] || { echo "$root exists: remove it or set DOUYIN_SCREENSHOT_ROOT" >&2; exit 1; }
git worktree add --detach "$root" HEAD
cleanup() {
  [ -z "${apphost:-}" ] || { kill -TERM -- -"$apphost" 2>/dev/null; wait "$apphost" 2>/dev/null || true; }
  rm -f "$log"
  git worktree remove --force "$root"
}
trap cleanup EXIT
cd "$root"
npm ci --no-audit --no-fund >/dev/null
dotnet build Douyin.AppHost -c Release -v q -nologo

# A session of its own, so that the SIGTERM at the end reaches the AppHost under `dotnet run` too (a background job ignores
# SIGINT), and it stops its resources as on Ctrl-C. The AppHost logs the login URL, then each resource once healthy
# ("web is healthy at http://localhost:…").
start_apphost() {
  setsid dotnet run --project Douyin.AppHost -c Release --no-build --launch-profile http >"$log" 2>&1 &
  apphost=$!
  for _ in $(seq 300); do
    grep -q "web is healthy at" "$log" && return
    kill -0 $apphost 2>/dev/null || { cat "$log"; exit 1; }
    sleep 1
  done
}
# Once to create the data folder (a first run's console shows initdb and the first migrations), then for the shots.
start_apphost
kill -TERM -- -$apphost
wait $apphost || true
while pgrep -f "$root/.douyin/" >/dev/null; do sleep 0.5; done # the servers gone (PostgreSQL's lock on its data)
start_apphost
login="$(grep -o 'http://localhost:[0-9]*/login?t=[0-9a-f]*' "$log" | head -1)"
web="$(grep -o 'web is healthy at http://[^ ]*' "$log" | head -1 | sed 's/web is healthy at //')"
[ -n "$login" ] && [ -n "$web" ] || { echo "no login URL or web address in the AppHost's output" >&2; cat "$log"; exit 1; }

dotnet run eng/dashboard-screenshots.cs -- "$login" "$web" "$output"
