#!/usr/bin/env bash
# Installs Debian's chromium for the HTML report's browser test, when missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
