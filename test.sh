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

count() { grep -E "^ +$1: +[0-9]+" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0; }
total=$(grep -E "^Total tests: +[0-9]+" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0)
passed=$(count Passed); failed=$(count Failed); skipped=$(count Skipped)
rm -f "$log"
echo
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$total" = 0 ]; then echo "error: no test ran" >&2; exit 1; fi
if [ "$smoke" != 0 ]; then echo "error: the bench smoke failed (replies != requests, or errors); see artifacts/bench/" >&2; exit 1; fi
exit "$status"
