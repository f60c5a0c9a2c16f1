#!/usr/bin/env bash
# The HTTP benchmark: SupportBot and the botbuilder 4.23 echo bot, one after the other, printing one table.
# Usage: bench/run.sh [--smoke] [--duration S] [--runs N] [--connections 1,64] [--mixes a,b,c,d] [--no-echo] [--bot-env K=V]
# Needs the .NET 10 SDK and Node.js 20+ with npm; installs the rest (npm ci for Azurite and the echo bot).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
needs_echo=true
for arg in "$@"; do case "$arg" in --smoke|--no-echo) needs_echo=false ;; esac; done
if $needs_echo && { [ ! -f bench/echo-bot/node_modules/.package-lock.json ] || [ bench/echo-bot/package-lock.json -nt bench/echo-bot/node_modules/.package-lock.json ]; }; then
  echo "==> npm ci (bench/echo-bot)"
  (cd bench/echo-bot && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "==> dotnet build (Release)"
dotnet build Bot -c Release --nologo -v q -clp:ErrorsOnly
dotnet build bench/Runner -c Release --nologo -v q -clp:ErrorsOnly
exec dotnet bench/Runner/bin/Release/net10.0/SupportBot.Bench.dll "$@"
