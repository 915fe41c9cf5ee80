#!/usr/bin/env bash
# The browser the practice-page tests drive: Debian's chromium and chromium-driver (a browser
# downloaded from elsewhere cannot be had here). Installed when missing and running as root;
# otherwise those tests skip and say why. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        echo "setup: installing chromium and chromium-driver from Debian packages (for the browser tests)" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
    else
        echo "setup: chromium/chromedriver missing; the browser tests will skip (as root: apt-get install chromium chromium-driver)" >&2
    fi
fi

# axe-core, the accessibility checker the browser tests run on the practice pages, from the
# npm registry (a pinned version; npm checks the tarball's integrity). Fetched once into .cache/.
AXE_VERSION=4.10.2
AXE_DIR=.cache/axe-core-$AXE_VERSION
if [ ! -f "$AXE_DIR/axe.min.js" ] && command -v npm >/dev/null; then
    mkdir -p "$AXE_DIR"
    ( cd "$AXE_DIR" && npm pack "axe-core@$AXE_VERSION" --silent >/dev/null \
        && tar xzf "axe-core-$AXE_VERSION.tgz" package/axe.min.js && mv package/axe.min.js . \
        && rmdir package && rm "axe-core-$AXE_VERSION.tgz" ) \
        || echo "setup: could not fetch axe-core from the npm registry; the accessibility test will skip" >&2
fi
