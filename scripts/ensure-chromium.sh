#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser test when it is missing (as root, with apt).
# Called by the system-tests module before its integration tests; does nothing when Chromium is there.
set -euo pipefail
for c in chromium chromium-browser; do
  if command -v "$c" >/dev/null 2>&1; then exit 0; fi
done
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: Chromium is missing and cannot be installed here (needs root and apt-get)." >&2
  echo "ensure-chromium: install Debian's 'chromium' package, then run the tests again." >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium package (once)"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
command -v chromium >/dev/null
