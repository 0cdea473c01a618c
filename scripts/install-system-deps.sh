#!/bin/sh
# Install the Debian packages the tests use, when missing: Chromium (browser tests, PDF of the
# session packs), QGIS's Python bindings (headless QGIS check), poppler (reading the PDFs), wrk and
# nginx (tile benchmark, scripts/bench_tiles_peers.py). Never a browser downloaded by a test tool.
set -e
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium chromium-driver"
/usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1 || missing="$missing python3-qgis"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"                        # load generator of the tile benchmarks
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing="$missing nginx"  # the static-file peer
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "Ontbrekende pakketten ($missing) kunnen niet worden geinstalleerd (geen root); die tests worden overgeslagen." >&2
    exit 0
fi
echo "Debian-pakketten installeren:$missing ..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
