#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine (run as root or with sudo):
# system packages, a virtualenv with oerpack and its test extras, and a separate Kolibri venv.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# System packages: a browser for the viewer tests, media tools for fixtures and conversions,
# fonts for generated PDFs, web servers and download tools for the benchmarks, Kiwix's own
# zimcheck and kiwix-serve for the ZIM tests.
APT_PACKAGES=(
  python3-venv python3-pip
  chromium
  ffmpeg
  libreoffice-impress libreoffice-writer
  fonts-dejavu-core
  poppler-utils
  unzip zip
  nginx-light wget curl aria2
  zim-tools kiwix-tools
  firefox-esr
  fusefat fuse dosfstools mtools time
)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The project and its test tools.
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip setuptools wheel
.venv/bin/python -m pip install -q -e ".[test]"

# A real Kolibri in its own virtualenv (it vendors its own Django), kept between runs.
KOLIBRI_VERSION=${KOLIBRI_VERSION:-0.19.5}
KOLIBRI_VENV=${OERPACK_KOLIBRI_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/oerpack-test/kolibri-$KOLIBRI_VERSION}
if [ ! -x "$KOLIBRI_VENV/bin/kolibri" ]; then
  rm -rf "$KOLIBRI_VENV"
  "$PY" -m venv "$KOLIBRI_VENV"
  "$KOLIBRI_VENV/bin/python" -m pip install -q "kolibri==$KOLIBRI_VERSION"
fi
echo "$KOLIBRI_VENV" > .venv/kolibri-venv-path

# axe-core for the viewer's accessibility tests, in a project-local folder (never global).
command -v npm >/dev/null || { $SUDO apt-get update -q; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends npm; }
[ -f .venv/node/node_modules/axe-core/axe.min.js ] || npm install --silent --no-audit --no-fund --prefix .venv/node axe-core@4
