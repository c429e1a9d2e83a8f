#!/usr/bin/env bash
# Load test of the whole stack on this machine: builds Release, starts the AppHost on a fresh data folder with the
# edge rate limits off (all load comes from one address), publishes one real video through the API, bulk-loads the
# rest with bench/Douyin.Bench.DataGen, measures a bare Kestrel "hello" as the ceiling of one HTTP hop, then runs
# every scenario with wrk and checks the writes against the database.
#
#   bench/run.sh                      10,000 users, 100,000 videos, 400 connections, 30 s a scenario; writes the
#                                     table into docs/benchmarks.md between the markers of --label (default "default")
#   bench/run.sh --videos 1000000 --label videos-1m --scenarios feed
#   bench/run.sh --hold               loads and warms up, then keeps the stack up for profiling until stopped
#   bench/run.sh --smoke              tiny data, 3 s a scenario at 64 connections, no doc written: what eng/test.sh runs in CI
#
# Exits non-zero when a scenario has any error or non-2xx answer, or a count check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
command="bench/run.sh${*:+ $*}"

smoke=0 hold=0 label=default duration=30 warmup=10 connections=400 threads=2 scenarios=""
data_args=(--users 10000 --videos 100000 --likes 1000000 --follows 200000 --messages 100000 --comments 100000)
extra_args=()
while (($#)); do
  case $1 in
    --smoke) smoke=1 duration=3 warmup=2 connections=64 data_args=(--users 300 --videos 2000 --likes 15000 --follows 3000 --messages 3000 --comments 3000); shift ;;
    --label) label=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --hold) hold=1; shift ;;
    --users|--videos|--likes|--follows|--messages|--comments) extra_args+=("$1" "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
data_args+=("${extra_args[@]}") # later options win in Microsoft.Extensions.Configuration's command line
all_scenarios="hello feed feed-token user publish-list comment-list favorite-action comment-action relation-action message-action chat"
scenarios=${scenarios:-$all_scenarios}

say() { printf '\033[1;35m[bench %s]\033[0m %s\n' "$(date -u +%T)" "$*" >&2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/douyin-bench.XXXXXX")
chmod 755 "$work" # PostgreSQL runs as its own user when we are root
apphost_pid="" hello_pid=""
cleanup() {
  local code=$?
  [ "$code" -eq 0 ] || [ ! -e "$work/apphost.log" ] || { echo "--- last lines of the AppHost's output:" >&2; tail -40 "$work/apphost.log" >&2; }
  [ -z "$hello_pid" ] || kill "$hello_pid" 2>/dev/null || true
  if [ -n "$apphost_pid" ]; then
    # TERM, not INT: a background job of a script ignores SIGINT. The AppHost stops its resources on either.
    kill -TERM "$apphost_pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$apphost_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$apphost_pid" 2>/dev/null || true
  fi
  # Kept for a look afterwards (timing logs, errors): the services' output and wrk's.
  mkdir -p artifacts/bench && cp "$work"/*.log artifacts/bench/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

say "building Release"
dotnet build Douyin.AppHost -c Release --nologo -v q -clp:ErrorsOnly
dotnet build bench/Douyin.Bench.DataGen -c Release --nologo -v q -clp:ErrorsOnly
dotnet build bench/Douyin.Bench.Hello -c Release --nologo -v q -clp:ErrorsOnly

# Secrets chosen here so the generator can reach PostgreSQL and sign tokens with the services' key.
jwt_key=$(openssl rand -hex 32) pg_password=$(openssl rand -hex 12) cache_password=$(openssl rand -hex 12)
say "starting the AppHost (data in $work/data)"
RateLimiting__Enabled=false dotnet run --project Douyin.AppHost -c Release --no-build --no-launch-profile -- --no-dashboard \
  --AppHost:DataPath "$work/data" --DcpPublisher:RandomizePorts true --DOTNET_LAUNCH_PROFILE production \
  --Parameters:jwt-key "$jwt_key" --Parameters:pg-password "$pg_password" --Parameters:cache-password "$cache_password" \
  >"$work/apphost.log" 2>&1 &
apphost_pid=$!

# The AppHost logs "<resource> is healthy at <addresses>" for each resource; web is the last (it waits for the others).
wait_healthy "$work/apphost.log" "$apphost_pid" web 240 || { echo "the AppHost did not start everything" >&2; exit 1; }
web=$(endpoint "$work/apphost.log" web) pg_port=$(endpoint "$work/apphost.log" pg | sed -E 's/.*:([0-9]+).*/\1/')
redis_port=$(endpoint "$work/apphost.log" cache | sed -E 's/.*:([0-9]+).*/\1/')
[ -n "$web" ] && [ -n "$pg_port" ] && [ -n "$redis_port" ] || { echo "the AppHost did not come up" >&2; exit 1; }
for _ in $(seq 120); do curl -fs "$web/douyin/feed/" >/dev/null && break; sleep 1; done
say "web at $web, PostgreSQL on $pg_port, Redis on $redis_port"
pg() { PGPASSWORD=$pg_password psql -h localhost -p "$pg_port" -U postgres -d "$1" -tAq -v ON_ERROR_STOP=1 -c "$2"; }
api() { curl -fsS "$@"; }
# Messages in a queue, ready and unacknowledged, from the AppHost's own RabbitMQ node: its name and epmd port are in
# the server's environment, its cookie in its data folder.
queue_depth() {
  local pid vars
  for pid in $(pgrep beam.smp); do
    vars=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -E '^(HOME|RABBITMQ_NODENAME|ERL_EPMD_PORT)=') || continue
    grep -qx "HOME=$work/data/messaging" <<<"$vars" || continue
    env $(grep -v '^HOME=' <<<"$vars") rabbitmqctl -q --erlang-cookie "$(cat "$work/data/messaging/.erlang.cookie")" list_queues name messages 2>/dev/null |
      awk -v q="$1" '$1 == q { print $2; found = 1 } END { exit !found }'
    return
  done
  return 1
}

say "publishing the one real video"
ffmpeg -loglevel error -f lavfi -i testsrc=duration=1:size=320x240:rate=15 -pix_fmt yuv420p -c:v libx264 "$work/clip.mp4"
owner_token=$(api -X POST "$web/douyin/user/register/?username=bench-owner&password=bench-secret" | sed -E 's/.*"token":"([^"]+)".*/\1/')
api -F "data=@$work/clip.mp4" -F "token=$owner_token" -F "title=Bench clip" "$web/douyin/publish/action/" | grep -q '"status_code":0'
# Wait for Social to count the work, so the counters the generator recomputes are not bumped again afterwards.
for _ in $(seq 60); do api "$web/douyin/user/?token=$owner_token" | grep -q '"work_count":1' && break; sleep 0.5; done

say "generating data: ${data_args[*]}"
conn="Host=localhost;Port=$pg_port;Username=postgres;Password=$pg_password;Database"
dotnet artifacts/bin/Douyin.Bench.DataGen/release/Douyin.Bench.DataGen.dll "${data_args[@]}" --out "$work/data-files" \
  --feeddb "$conn=feeddb" --socialdb "$conn=socialdb" --chatdb "$conn=chatdb" --jwt-key "$jwt_key"
# Caches cold: the timeline (and its floor) and cached cards were built from the state before the copy.
for pattern in 'feed:timeline*' 'feed:video:*' 'feed:liked:*' 'social:card:*' 'social:following:*'; do
  REDISCLI_AUTH=$cache_password redis-cli -p "$redis_port" --scan --pattern "$pattern" | xargs -r env REDISCLI_AUTH="$cache_password" redis-cli -p "$redis_port" DEL >/dev/null
done
video_count=$(pg feeddb "SELECT count(*) FROM videos")

hello_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ASPNETCORE_URLS="http://localhost:$hello_port" dotnet artifacts/bin/Douyin.Bench.Hello/release/Douyin.Bench.Hello.dll >"$work/hello.log" 2>&1 &
hello_pid=$!
for _ in $(seq 60); do curl -fs "http://localhost:$hello_port/hello" >/dev/null && break; sleep 0.5; done

export BENCH_DATA="$work/data-files" BENCH_THREADS=$threads
wrk_run() { # seconds script url [args...]; prints the BENCH line
  local seconds=$1 script=$2 url=$3; shift 3
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency --timeout 10s -s "$script" "$url" ${1:+-- "$@"} 2>"$work/wrk.err" | tee -a "$work/wrk.log" | grep '^BENCH ' || { cat "$work/wrk.err" >&2; return 1; }
}

say "warming up ($warmup s each of feed, feed with a token, user)"
for s in feed feed-token user; do wrk_run "$warmup" "bench/wrk/$s.lua" "$web" >/dev/null; done

if [ "$hold" -eq 1 ]; then
  # For profiling by hand: the loaded stack stays up until this script is stopped.
  say "holding: web at $web, hello at http://localhost:$hello_port, data files in $BENCH_DATA; stop with Ctrl-C"
  while :; do sleep 60; done
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
status=0 rows=() hello_rps=""
field() { sed -nE "s/.* $1=([0-9.]+).*/\1/p" <<<"$2"; }
for scenario in $scenarios; do
  case $scenario in
    hello) line=$(wrk_run "$duration" bench/wrk/hello.lua "http://localhost:$hello_port") ;;
    favorite-action)
      before=$(pg feeddb "SELECT count(*) FROM favorites WHERE sequence > 0")
      line=$(wrk_run "$duration" bench/wrk/toggle.lua "$web" /douyin/favorite/action/ video_id likes-new.txt likes-existing.txt) ;;
    relation-action) line=$(wrk_run "$duration" bench/wrk/toggle.lua "$web" /douyin/relation/action/ to_user_id follows-new.txt follows-existing.txt) ;;
    *) line=$(wrk_run "$duration" "bench/wrk/$scenario.lua" "$web") ;;
  esac
  rps=$(field rps "$line") p50=$(field p50 "$line") p99=$(field p99 "$line")
  errors=$(( $(field socket_errors "$line") + $(field failed "$line") )) non2xx=$(field non2xx "$line")
  [ "$scenario" = hello ] && hello_rps=$rps
  check=""
  if [ "$scenario" = favorite-action ]; then
    # Every acknowledged write must be applied once the queue drains: each pair is written once a run, so the rows
    # touched by an endpoint (sequence > 0) must number at least the acknowledged writes and at most those sent.
    acked=$(field acked "$line") sent=$(field sent "$line") drained=""
    for second in $(seq 0 2 600); do
      depth=$(queue_depth feed.writes) || { echo "cannot read the depth of feed.writes from RabbitMQ" >&2; exit 1; }
      [ "$depth" = 0 ] && { drained=$second; break; }
      sleep 2
    done
    applied=$(( $(pg feeddb "SELECT count(*) FROM favorites WHERE sequence > 0") - before ))
    bad_counts=$(pg feeddb "SELECT count(*) FROM videos v WHERE favorite_count <> (SELECT count(*) FROM favorites f WHERE f.video_id = v.id AND f.is_favorite)")
    if [ "$applied" -ge "$acked" ] && [ "$applied" -le "$sent" ] && [ "$bad_counts" -eq 0 ]; then
      check="ok: $applied applied, $acked acknowledged, $sent sent; video counters match rows; queue drained ${drained} s after the load"
    else
      check="FAILED: $applied applied, $acked acknowledged, $sent sent; $bad_counts videos whose counter differs from rows; queue drained ${drained:-not within 600} s after the load"; status=1
    fi
  fi
  if [ "$errors" -ne 0 ] || [ "${non2xx:-0}" -ne 0 ]; then status=1; fi
  say "$scenario: $rps req/s, p50 $((p50 / 1000)) ms, p99 $((p99 / 1000)) ms, errors $errors, non-2xx $non2xx ${check:+($check)}"
  rows+=("$scenario|$rps|$p50|$p99|$errors|$non2xx|$check")
done

# The table: latencies in ms, each scenario also as a fraction of the bare hello endpoint.
table=$(
  echo "| Scenario | Requests/s | % of hello | p50 ms | p99 ms | Errors | Non-2xx | Check |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  for row in "${rows[@]}"; do
    IFS='|' read -r name rps p50 p99 errors non2xx check <<<"$row"
    share=$([ -n "$hello_rps" ] && awk -v a="$rps" -v b="$hello_rps" 'BEGIN { printf "%.0f%%", 100 * a / b }' || echo "")
    awk -v n="$name" -v r="$rps" -v s="$share" -v a="$p50" -v b="$p99" -v e="$errors" -v x="$non2xx" -v c="$check" \
      'BEGIN { printf "| %s | %.0f | %s | %.1f | %.1f | %d | %d | %s |\n", n, r, s, a / 1000, b / 1000, e, x, c }'
  done
)
machine="$(nproc) cores, $(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ { print $2 }') GB RAM, $(uname -sr)"
echo "$table"
if [ "$smoke" -eq 0 ]; then
  block="$work/block.md"
  {
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $machine; $video_count videos; load average before the scenarios:"
    echo "$load_before (anything above the stack's own idle load is other work sharing the machine)."
    echo "wrk -t$threads -c$connections -d${duration}s. Command: \`$command\`."
    echo
    echo "$table"
  } >"$block"
  doc=docs/benchmarks.md
  grep -q "<!-- results:$label -->" "$doc" || printf '\n<!-- results:%s -->\n<!-- /results:%s -->\n' "$label" "$label" >>"$doc"
  awk -v label="$label" -v block="$block" '
    $0 == "<!-- results:" label " -->" { print; while ((getline l < block) > 0) print l; skip = 1; next }
    $0 == "<!-- /results:" label " -->" { skip = 0 }
    !skip' "$doc" >"$work/doc.md" && cp "$work/doc.md" "$doc"
  say "table written to $doc ($label)"
fi
exit $status
