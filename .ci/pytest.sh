#!/bin/sh
# Run the whole test suite; pytest's exit code 5 (no tests collected) is a failure, not a pass.
set -u
venv=$1
shift
# tests/conftest.py selects the offscreen Qt platform (with a 1920x1080 screen) itself.
"$venv/bin/python" -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing the run." >&2
  exit 1
fi
exit "$rc"
