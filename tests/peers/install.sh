#!/bin/sh
# Install the pinned peer emulators (cognito-local) into tests/peers/node_modules.
# Idempotent: `npm ci` runs only when node_modules is missing or package.json/package-lock.json changed
# since the last successful install (a stamp file records their checksum).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "tests/peers/install.sh: node and npm are required for the cognito-local peer test." >&2
  echo "Install them (Debian: sh .ci/system-deps.sh test, or apt-get install nodejs npm) and re-run." >&2
  exit 1
fi

stamp=node_modules/.verifydesk-install-stamp
want=$(cat package.json package-lock.json | cksum | cut -d' ' -f1,2)
bin=node_modules/.bin/cognito-local

if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

echo "Installing cognito-local (pinned by tests/peers/package-lock.json)..."
rm -f "$stamp"
# No install scripts are needed (the only one prints aws-sdk's maintenance notice).
if ! npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; then
  echo "tests/peers/install.sh: npm ci failed; the peer test cannot run." >&2
  exit 1
fi
if [ ! -x "$bin" ]; then
  echo "tests/peers/install.sh: npm ci finished but $bin is missing." >&2
  exit 1
fi
printf '%s\n' "$want" > "$stamp"
echo "cognito-local $(node -p "require('./node_modules/cognito-local/package.json').version") installed."
