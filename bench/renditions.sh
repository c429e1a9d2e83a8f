#!/usr/bin/env bash
# Publish latency and rendition time of large uploads, for docs/media.md: builds Release, starts the AppHost as
# bench/run.sh does (fresh data folder, edge rate limits off) but with its dashboard, and for each size publishes one
# upload through the edge, one at a time, so no job waits behind another. Per upload it prints
#   - the publish latency (curl: request sent to answer; upload, ffprobe, cover, two blobs, commit);
#   - the time from the request until play_url names the rendition and serves H.264 with moov before mdat;
#   - the ffmpeg run's time, from the job's "rendition encode" span as the dashboard received it, per second of video.
#
#   bench/renditions.sh               2, 20 and 200 MB uploads (lossless 1080p30 test video cut at the size)
#   bench/renditions.sh --sizes 2,20  other sizes, in MB (at most Media:MaxVideoBytes, 200 MB)
#
# Exits non-zero when a publish is refused or a rendition is not H.264 with its index first within --within seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

sizes=2,20,200 within=1800
while (($#)); do
  case $1 in
    --sizes) sizes=$2; shift 2 ;;
    --within) within=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1;35m[renditions %s]\033[0m %s\n' "$(date -u +%T)" "$*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
work=$(mktemp -d "${TMPDIR:-/tmp}/douyin-renditions.XXXXXX")
chmod 755 "$work" # PostgreSQL runs as its own user when we are root
apphost_pid=""
cleanup() {
  local code=$?
  [ "$code" -eq 0 ] || [ ! -e "$work/apphost.log" ] || { echo "--- last lines of the AppHost's output:" >&2; tail -40 "$work/apphost.log" >&2; }
  if [ -n "$apphost_pid" ]; then
    kill -TERM "$apphost_pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$apphost_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$apphost_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

say "building Release"
dotnet build Douyin.AppHost -c Release --nologo -v q -clp:ErrorsOnly

# The dashboard's telemetry API under a key of our own (Aspire's AppHost:DashboardApiKey); its port is a random one.
api_key=$(openssl rand -hex 16)
say "starting the AppHost (data in $work/data)"
# A 200 MB upload's encode may take longer than the default 10 min on a busy machine: a timeout would retry it.
: >"$work/apphost.log"
RateLimiting__Enabled=false Renditions__EncodeTimeout=01:00:00 \
  ASPNETCORE_URLS="http://127.0.0.1:$(free_port)" ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL="http://127.0.0.1:$(free_port)" \
  ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="http://127.0.0.1:$(free_port)" ASPIRE_ALLOW_UNSECURED_TRANSPORT=true \
  dotnet run --project Douyin.AppHost -c Release --no-build --no-launch-profile -- \
  --AppHost:DataPath "$work/data" --AppHost:DashboardApiKey "$api_key" --DcpPublisher:RandomizePorts true \
  --DOTNET_LAUNCH_PROFILE production >"$work/apphost.log" 2>&1 &
apphost_pid=$!
wait_healthy "$work/apphost.log" "$apphost_pid" web 300 || { echo "the AppHost did not start everything" >&2; exit 1; }
web=$(endpoint "$work/apphost.log" web)
dashboard=$(grep -oE 'Login to the dashboard at http://[^/]+' "$work/apphost.log" | head -1 | sed 's/.* at //')
[ -n "$web" ] && [ -n "$dashboard" ] || { echo "the AppHost did not start everything" >&2; exit 1; }
for _ in $(seq 120); do curl -fs "$web/douyin/feed/" >/dev/null && break; sleep 1; done
say "web at $web, dashboard at $dashboard"

# Seconds the dashboard's "rendition encode" span of the video took (child of the job's "rendition" span, which names
# the upload's blob, videos/<id>.mp4); empty until the dashboard has it (the services export every few seconds).
# The API answers 200 spans unless given a limit.
encode_seconds() {
  curl -fsS -H "x-api-key: $api_key" "$dashboard/api/telemetry/spans?resource=feed&limit=100000" | jq -r --arg blob "videos/$1." '
    [.data.resourceSpans[].scopeSpans[].spans[]] as $spans
    | [$spans[] | select(.name == "rendition" and any(.attributes[]?; .key == "douyin.rendition.source"
        and (.value.stringValue // "" | startswith($blob)))) | .spanId] as $jobs
    | [$spans[] | select(.name == "rendition encode" and (.parentSpanId | IN($jobs[])))][-1]
    | if . == null then empty else (((.endTimeUnixNano | tonumber) - (.startTimeUnixNano | tonumber)) / 1e9) end'
}
# The top-level MP4 boxes in order, as a player reading from the first byte meets them.
boxes() {
  python3 - "$1" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as f:
    names = []
    while (header := f.read(8)) and len(header) == 8:
        size, name = struct.unpack(">I4s", header)
        if size == 1:
            size = struct.unpack(">Q", f.read(8))[0] - 8
        names.append(name.decode("latin-1"))
        if size == 0:
            break
        f.seek(size - 8, 1)
print(",".join(names))
PY
}

printf '\n%-10s %-10s %-10s %-18s %-24s %-12s %-14s %s\n' upload video bitrate "publish answered" "play_url H.264, index 1st" "ffmpeg run" "per s of video" "load (1/5/15 min)"
IFS=, read -ra megabytes <<<"$sizes"
for mb in "${megabytes[@]}"; do
  file="$work/upload-${mb}mb.mp4"
  # Lossless 1080p (High 4:4:4 Predictive, so it is encoded, not remuxed), the index last, cut at the size.
  ffmpeg -nostdin -loglevel error -f lavfi -i testsrc2=size=1920x1080:rate=30 -t 600 -c:v libx264 -preset ultrafast -qp 0 \
    -pix_fmt yuv420p -fs "${mb}M" "$file"
  duration=$(ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$file")
  bytes=$(stat -c %s "$file")
  user=$(curl -fsS -X POST "$web/douyin/user/register/?username=renditions-$mb-$RANDOM&password=bench-secret")
  # Ids are 64-bit: read as text, since jq's numbers are doubles.
  token=$(jq -r .token <<<"$user") user_id=$(grep -oE '"user_id":[0-9]+' <<<"$user" | cut -d: -f2)

  start=$(date +%s.%N)
  answer=$(curl -fsS -F "data=@$file" -F "token=$token" -F "title=$mb MB" -w '\n%{time_total}' "$web/douyin/publish/action/")
  published=$(tail -1 <<<"$answer")
  [ "$(head -1 <<<"$answer" | jq .status_code)" = 0 ] || { echo "publish of $mb MB refused: $answer" >&2; exit 1; }

  streamable="" video_id=""
  while [ -z "$streamable" ]; do
    (( $(echo "$(date +%s.%N) - $start > $within" | bc) )) && { echo "no streamable rendition of $mb MB within $within s" >&2; exit 1; }
    listed=$(curl -fsS "$web/douyin/publish/list/?user_id=$user_id&token=$token")
    video_id=$(grep -oE '"id":[0-9]+' <<<"$listed" | head -1 | cut -d: -f2) play_url=$(jq -r '.video_list[0].play_url' <<<"$listed")
    if [[ $play_url == */media/renditions/* ]]; then
      curl -fsS -o "$work/rendition.mp4" "$play_url"
      codec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of default=nw=1:nk=1 "$work/rendition.mp4")
      order=$(boxes "$work/rendition.mp4")
      [ "$codec" = h264 ] && [[ $order == *moov*mdat* ]] || { echo "the rendition of $mb MB is $codec, boxes $order" >&2; exit 1; }
      streamable=$(echo "$(date +%s.%N) - $start" | bc)
    else
      sleep 0.2
    fi
  done

  encode=""
  for _ in $(seq 60); do
    encode=$(encode_seconds "$video_id") && [ -n "$encode" ] && break
    sleep 0.5
  done
  printf '%-10s %-10s %-10s %-18s %-24s %-12s %-14s %s\n' "$(printf '%.1f MB' "$(echo "$bytes / 1000000" | bc -l)")" \
    "$(printf '%.1f s' "$duration")" "$(printf '%.0f Mb/s' "$(echo "$bytes * 8 / $duration / 1000000" | bc -l)")" \
    "$(printf '%.2f s' "$published")" "$(printf '%.1f s' "$streamable")" \
    "${encode:+$(printf '%.1f s' "$encode")}" "${encode:+$(printf '%.2f s' "$(echo "$encode / $duration" | bc -l)")}" "$(load)"
  rm -f "$file" "$work/rendition.mp4"
done
echo "(Renditions defaults; the load average is read after each upload, against $(nproc) cores)"
