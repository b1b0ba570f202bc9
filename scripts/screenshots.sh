#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png (the Temporal Web UI during a small sync) with headless Chromium.
# Needs PostgreSQL, ./bin/temporal (make bin/temporal) and Chromium (apt-get install -y chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
PVP_SCREENSHOTS_DIR=docs/screenshots go test ./ops/ -run '^TestUIScreenshots$' -count=1 -v -timeout 10m
ls -l docs/screenshots
