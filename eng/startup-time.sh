#!/usr/bin/env bash
# Start-up time (docs/dev-loop.md): from `dotnet run --project Douyin.AppHost` to every resource healthy, which is when
# web is (web waits for feed, social and chat, they for the servers). Runs the AppHost N times back to back (default 3)
# with its data folder (.douyin/) kept, so that every run after the first is warm, and prints each run's seconds and
# when each resource became healthy. Reads both AppHosts: Aspire's log line "web is healthy at …" and the home-made
# layer's resource table (main before issue 16: "web … Running, Healthy").
#   eng/startup-time.sh [runs] [-- AppHost arguments]
#   STARTUP_DASHBOARD_PORT=18988  the dashboard on that port and the next two instead of the launch profile's 18888-18890
#   STARTUP_DETAIL=1              also log Aspire's resource state changes (ResourceNotificationService at Debug) and
#                                 keep dcp's logs of each process (dcp-<run>/)
# The logs stay in the directory printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
shift || true
[ "${1:-}" = "--" ] && shift
logs="$(mktemp -d)"

run_args=(--project Douyin.AppHost -c Release --no-build)
if [ -n "${STARTUP_DASHBOARD_PORT:-}" ]; then
  # What the launch profile sets, on other ports (another session may hold 18888).
  run_args+=(--no-launch-profile)
  export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
  export ASPNETCORE_URLS="http://localhost:$STARTUP_DASHBOARD_PORT"
  export ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://localhost:$((STARTUP_DASHBOARD_PORT + 1))"
  export ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="http://localhost:$((STARTUP_DASHBOARD_PORT + 2))"
fi
app_args=("$@")
if [ -n "${STARTUP_DETAIL:-}" ]; then
  app_args+=(--Logging:LogLevel:Aspire.Hosting.ApplicationModel.ResourceNotificationService=Debug)
fi

nice -n 19 dotnet build Douyin.AppHost -c Release -v q -nologo >/dev/null

for run in $(seq "$runs"); do
  log="$logs/run-$run.log"
  : >"$log"
  start=$(date +%s.%N)
  export START="$start"
  # A session of its own, so that one SIGTERM reaches `dotnet run` and the AppHost (a background job ignores SIGINT);
  # every line stamped with the seconds since the start.
  setsid bash -c 'nice -n 19 dotnet run "$@" 2>&1 | perl -MTime::HiRes=time -ne "BEGIN { \$| = 1 } printf q(%7.3f %s), time - $START, \$_"' \
    startup "${run_args[@]}" -- "${app_args[@]}" >"$log" &
  apphost=$!
  trap 'kill -TERM -- -$apphost 2>/dev/null || true' EXIT
  until grep -Eq 'web is healthy at|^ *[0-9.]+ web +\S+ +Running, Healthy' "$log"; do
    kill -0 $apphost 2>/dev/null || { cat "$log"; echo "the AppHost ended before web was healthy" >&2; exit 1; }
    sleep 0.1
  done
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  if [ -n "${STARTUP_DETAIL:-}" ]; then
    # dcp's session folder, which it deletes when it stops: every process's output with timestamps (<id>_out, <id>_err)
    # and dcp's log of each (resource-executable-<id>.log: when it started which command).
    session="$(grep -o -- '--kubeconfig "[^"]*' "$log" | head -1 | sed -e 's/--kubeconfig "//' -e 's|/kubeconfig$||' || true)"
    [ -z "$session" ] || cp -r "$session" "$logs/dcp-$run"
  fi
  kill -TERM -- -$apphost 2>/dev/null || true
  wait $apphost 2>/dev/null || true
  # The next run needs the servers of this one gone (PostgreSQL's lock on its data folder, the ports of the projects).
  while pgrep -f "$PWD/.douyin/" >/dev/null || pgrep -f "$PWD/artifacts/bin/" >/dev/null; do sleep 0.2; done
  printf 'run %s: %.1f s to web healthy\n' "$run" "$seconds"
  grep -Eo '^ *[0-9.]+ .*(is healthy at|Running, Healthy)' "$log" | sed -E 's/^ *([0-9.]+) (info: Douyin.AppHost\[0\] *)?/  \1 s  /' | cut -c1-80 || true
done
echo "logs: $logs"
