#!/usr/bin/env bash
# Runs SupportBot locally: Azurite (tables), the bot in anonymous development mode (with its dashboard), and the Agents Playground.
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh

BOT_PORT=3978
PLAYGROUND_PORT=56150
TABLE_PORT=10002
mkdir -p .azurite
pids=()
cleanup() { trap - INT TERM EXIT; echo; echo "==> stopping"; kill -INT "${pids[0]}" 2>/dev/null || true; kill "${pids[@]:1}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT

wait_for() { # url name
  for _ in $(seq 1 120); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "error: $2 did not start ($1)" >&2; exit 1
}

echo "==> Azurite tables on 127.0.0.1:$TABLE_PORT (data in .azurite/)"
node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort $TABLE_PORT --location .azurite \
  --disableTelemetry --skipApiVersionCheck >.azurite/azurite.log 2>&1 &
pids+=($!)

echo "==> bot on http://127.0.0.1:$BOT_PORT"
dotnet build Bot -c Release --nologo -v q
ASPNETCORE_ENVIRONMENT=Development MicrosoftAppId= ConnectionStrings__Tables="UseDevelopmentStorage=true" \
  dotnet run --project Bot -c Release --no-build --no-launch-profile -- --urls "http://127.0.0.1:$BOT_PORT" &
pids+=($!)
wait_for "http://127.0.0.1:$BOT_PORT/readyz" "the bot"

echo "==> Agents Playground on http://127.0.0.1:$PLAYGROUND_PORT"
NODE_OPTIONS="--require $PWD/tools/force-localhost.cjs" TEAMSAPPTESTER_BROWSER=none \
  node_modules/.bin/agentsplayground --dt -p $PLAYGROUND_PORT \
  -e "http://127.0.0.1:$BOT_PORT/api/messages" --su "http://127.0.0.1:$PLAYGROUND_PORT/_connector" &
pids+=($!)
wait_for "http://127.0.0.1:$PLAYGROUND_PORT/_debug/ping" "the Agents Playground"

echo
echo "  Open http://127.0.0.1:$PLAYGROUND_PORT and chat to the bot. Ctrl-C stops everything."
echo "  The technicians' dashboard: http://127.0.0.1:$BOT_PORT/dashboard (open to this machine only, in Development)"
echo
wait -n "${pids[@]}"
