#!/usr/bin/env bash
# Runs every test of the solution against real PostgreSQL, Redis, RabbitMQ, Azurite and ffmpeg, which the
# tests start themselves as local processes. Prints one closing line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

./eng/setup.sh || exit 1

log=$(mktemp)
dotnet test Douyin.sln --nologo -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The integration tests once more with two replicas of Feed, Social and Chat, as a deployment runs them (the fault
# drill once is enough: it is the longest test, and replicas change none of its figures' causes).
# Left out there: the fault drill (once is enough for CI's time), the stop-mid-stream test, which two competing
# consumers finish before the stop lands, so it would prove nothing, and the upload limits, which are per process:
# the edge spreads a test's uploads over both Feeds, so no one process reaches its cap. And the replica-loss and
# rollout tests, which start replicas of their own whatever the pass asks for.
DOUYIN_TEST_REPLICAS=2 dotnet test tests/Douyin.IntegrationTests --nologo -c Release --no-build \
  --filter "FullyQualifiedName!~FaultDrillTests&FullyQualifiedName!~StoppingFeedWhileWritesAreQueued&FullyQualifiedName!~UploadLimitsTests&FullyQualifiedName!~ReplicaLossTests&FullyQualifiedName!~FrozenReplicaTests&FullyQualifiedName!~RolloutTests" "$@" 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# The load-test harness in its smoke mode (tiny data, 3 s a scenario): it fails on any error, non-2xx answer or failed
# count check, so a change that breaks the harness or an endpoint under concurrency shows here.
if bench/run.sh --smoke 2>&1 | tee -a "$log"; then bench=0; else bench=1; status=1; fi

# dotnet test prints one summary per test assembly; add them up.
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
passed=$((passed + 1 - bench)) failed=$((failed + bench)) # the harness counts as one test
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi # a build or host failure counts as a failure

# A red run names what failed right above the closing line: each failed test (with the pass it failed in), build
# errors, a test host that crashed, and the harness.
if [ "$status" -ne 0 ]; then
  echo
  echo "What failed:"
  awk '/^Test run for .*IntegrationTests/ { pass = (++runs > 1) ? " (two replicas)" : "" }
       /^  Failed [A-Za-z_]/ { sub(/^  Failed /, ""); sub(/ \[[^]]*\]$/, ""); print "  - " $0 pass }' "$log" | sort -u
  grep -E ': error [A-Z]+[0-9]+' "$log" | sed -E 's/^ *//; s/ \[[^]]*\]$//' | sort -u | head -20 | sed 's/^/  - build: /'
  grep -E 'The active test run was aborted|Test host process crashed' "$log" | sort -u | sed 's/^ */  - /'
  [ "$bench" -eq 0 ] || echo "  - bench/run.sh --smoke (the load-test harness; its output is above)"
fi
rm -f "$log"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
