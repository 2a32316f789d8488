#!/usr/bin/env bash
# Install what the project needs on a fresh Debian machine: a virtualenv with the pinned
# Python packages and, with --browser, Debian's chromium and chromium-driver for browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements-stamp
want="$(cat requirements.txt requirements-dev.txt requirements-overrides.txt | sha256sum | cut -d" " -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -r requirements-dev.txt
  # Pins stricter than a dependency's own requirement (see the file): installed over it.
  .venv/bin/pip install --quiet --no-deps -r requirements-overrides.txt
  echo "$want" > "$stamp"
fi
if [ "${1:-}" = "--browser" ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
