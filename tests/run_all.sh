#!/usr/bin/env bash
# Every test: C envs and binding, sanitizers, server, browser (Chromium), training/export.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m pytest -q --durations=15 tests "$@"
