#!/usr/bin/env bash
# Builds a release kiln (separate scratch folder) and runs the foundation benchmark with the test venv's clients.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
scripts/build-release.sh kiln
PY=python3; [ -x .venv/bin/python ] && PY=.venv/bin/python
exec "$PY" Benchmarks/foundation_bench.py "$@"
