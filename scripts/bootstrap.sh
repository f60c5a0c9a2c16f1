# Sourced by dev.sh and test.sh: makes a fresh machine ready, doing nothing when it already is.
# Usage: source scripts/bootstrap.sh [--browser]

need() { command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is required ($2)" >&2; exit 1; }; }
need dotnet ".NET SDK 10"
need node "Node.js 20+"
need npm "npm"

# Node tools (Azurite, Agents Playground, adaptivecards) from the committed lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian chromium (headless browser for the UI test)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
