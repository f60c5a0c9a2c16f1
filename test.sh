#!/usr/bin/env bash
# Builds and runs every test (unit, Azurite, Agents Playground, headless Chromium) and prints a summary.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh --browser

echo "==> dotnet test"
log=$(mktemp)
set +e
dotnet test SupportBot.sln -c Release --nologo --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Not a timing: a short load through the real HTTP path that fails unless every request got exactly one answer.
echo
echo "==> bench smoke (bench/run.sh --smoke: replies == requests under load)"
smoke=0
bench/run.sh --smoke || smoke=$?

# The load, chaos and fuzz run in its short mode (bench/Chaos, about 2-3 minutes): two bot processes on one Azurite, 50
# simulated users, redeliveries, 429s, an Azurite restart, 2,000 fuzzed activities; it fails the build when a check fails.
echo "==> chaos short (bench/Chaos)"
chaos_log=$(mktemp)
set +e
dotnet build bench/Chaos -c Release --nologo -v q >"$chaos_log" 2>&1 && dotnet bench/Chaos/bin/Release/net10.0/Chaos.dll short 2>&1 | tee -a "$chaos_log"
chaos_status=${PIPESTATUS[0]}
set -e
if ! grep -q "^chaos short: all" "$chaos_log"; then cat "$chaos_log"; chaos_status=1; fi
rm -f "$chaos_log"
if [ "$status" = 0 ] && [ "$chaos_status" != 0 ]; then status=$chaos_status; fi

count() { grep -E "^ +$1: +[0-9]+" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0; }
total=$(grep -E "^Total tests: +[0-9]+" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0)
passed=$(count Passed); failed=$(count Failed); skipped=$(count Skipped)
echo
# The failures again at the very end, where a CI excerpt still shows them: the name, the message, the top of the stack.
awk '/^ +Failed [A-Za-z_]/ { sub(/^ */, "failed: "); left = 16 } left > 0 { print; left-- }' "$log" || true
rm -f "$log"
echo "$passed passed, $failed failed, $skipped skipped; chaos short: $([ "$chaos_status" = 0 ] && echo passed || echo FAILED)"
if [ "$total" = 0 ]; then echo "error: no test ran" >&2; exit 1; fi
if [ "$smoke" != 0 ]; then echo "error: the bench smoke failed (replies != requests, or errors); see artifacts/bench/" >&2; exit 1; fi
exit "$status"
