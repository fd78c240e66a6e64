#!/bin/sh
# Install the Debian packages VerifyDesk needs, only those missing (fast when all are present).
#   .ci/system-deps.sh run   -> Qt's runtime libraries, fonts, and Xvfb for machines without a display
#   .ci/system-deps.sh test  -> the above plus Node.js/npm (cognito-local peer), packaging tools, and
#                               dbus + gnome-keyring (the real SecretService round-trip test)
set -eu

QT_RUNTIME="libglib2.0-0 libgl1 libegl1 libfontconfig1 libfreetype6 libx11-6 libxkbcommon0 libdbus-1-3
 fonts-dejavu-core libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0"
HEADLESS="xvfb xauth"
TEST_EXTRA="nodejs npm dpkg-dev binutils desktop-file-utils imagemagick dbus gnome-keyring dovecot-imapd dovecot-lmtpd"

case "${1:-run}" in
  run) wanted="$QT_RUNTIME $HEADLESS" ;;
  test) wanted="$QT_RUNTIME $HEADLESS $TEST_EXTRA" ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

missing=""
for pkg in $wanted; do
  # nodejs/npm may come from elsewhere (nvm, NodeSource): the commands are what matter.
  case "$pkg" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in *"ok installed"*) ;; *) missing="$missing $pkg" ;; esac
done

if [ -z "$missing" ]; then
  exit 0
fi

echo "Installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "Missing packages:$missing. Install them as root: apt-get install -y$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086  # word splitting of the package list is intended
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
