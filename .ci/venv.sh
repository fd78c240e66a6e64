#!/bin/sh
# Create the virtualenv and install VerifyDesk with the given extras; skipped when nothing changed.
#   .ci/venv.sh PYTHON VENV EXTRAS
set -eu
python=$1
venv=$2
extras=$3

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
stamp="$venv/.verifydesk-installed-$(echo "$extras" | tr ',' '-')"
fingerprint=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ]; then
  exit 0
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install -q --disable-pip-version-check -e ".[$extras]"
echo "$fingerprint" > "$stamp"
