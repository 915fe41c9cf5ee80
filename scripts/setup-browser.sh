#!/usr/bin/env bash
# The browser the practice-page tests drive: Debian's chromium and chromium-driver (a browser
# downloaded from elsewhere cannot be had here). Installed when missing and running as root;
# otherwise those tests skip and say why. Safe to run twice.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "setup: installing chromium and chromium-driver from Debian packages (for the browser tests)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
else
    echo "setup: chromium/chromedriver missing; the browser tests will skip (as root: apt-get install chromium chromium-driver)" >&2
fi
