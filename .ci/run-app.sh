#!/bin/sh
# Open VerifyDesk on its embedded sandbox pool. Without a display, run it on a virtual one (Xvfb).
set -eu
venv=$1
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ] || [ "$(uname)" = "Darwin" ]; then
  exec "$venv/bin/verifydesk" --sandbox
fi
echo "No display found: running VerifyDesk on a virtual 1280x800 screen (Xvfb); Ctrl+C stops it."
exec xvfb-run -a -s "-screen 0 1280x800x24" "$venv/bin/verifydesk" --sandbox
