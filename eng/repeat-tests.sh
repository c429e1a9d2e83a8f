#!/usr/bin/env bash
# Runs one test project's filter N times in a row, the flake hunt of issue 14, and keeps each run's whole output
# (a failure's table or stack is often longer than a terminal's scroll-back).
#   eng/repeat-tests.sh 10 tests/Douyin.IntegrationTests 'FullyQualifiedName~Douyin.IntegrationTests.Faults'
# Logs go to $REPEAT_LOGS (default: a new temporary directory); the last line is "N of N passed".
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { echo "usage: $0 RUNS PROJECT FILTER [dotnet test options]" >&2; exit 2; }
runs=$1 project=$2 filter=$3
shift 3
logs=${REPEAT_LOGS:-$(mktemp -d -t douyin-repeat.XXXXXX)}
mkdir -p "$logs"

dotnet build "$project" -c Release -v q -nologo || exit 1
passed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if dotnet test "$project" -c Release --no-build --nologo --filter "$filter" "$@" >"$logs/run-$i.log" 2>&1; then
    passed=$((passed + 1)) result=passed
  else
    result="FAILED: $(grep -E '^  Failed [A-Za-z_]' "$logs/run-$i.log" | sed -E 's/^  Failed //; s/ \[[^]]*\]$//' | sort -u | paste -sd, -)"
  fi
  echo "run $i: $result ($(( $(date +%s) - start )) s, load $(cut -d' ' -f1 /proc/loadavg)) $logs/run-$i.log"
done
echo "$passed of $runs passed"
[ "$passed" -eq "$runs" ]
