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

summary=$(grep -E "^(Passed|Failed)!" "$log" | tail -1)
passed=$(sed -nE 's/.*Passed: +([0-9]+).*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*Failed: +([0-9]+),.*/\1/p' <<<"$summary")
skipped=$(sed -nE 's/.*Skipped: +([0-9]+).*/\1/p' <<<"$summary")
rm -f "$log"
echo
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [ "${passed:-0}" = 0 ] && [ "$status" = 0 ]; then echo "error: no test ran" >&2; exit 1; fi
exit "$status"
