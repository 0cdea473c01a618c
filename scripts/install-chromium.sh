#!/bin/sh
# Install Debian's Chromium for the browser tests when it is missing (never a downloaded browser).
set -e
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "Chromium ontbreekt en kan niet worden geinstalleerd (geen root): de browsertests worden overgeslagen." >&2
    exit 0
fi
echo "Chromium installeren (Debian-pakketten chromium en chromium-driver) ..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
