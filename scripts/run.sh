#!/usr/bin/env bash
# Builds Kiln (release), starts it on the embedded defaults (./kiln-data, SQLite, 127.0.0.1:8700), shows it
# doing real work (Examples/xgboost_end_to_end.py: upload, train XGBoost, deploy, predict), then keeps serving
# until Ctrl-C. Extra arguments go to `kiln serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-release.sh kiln
PY=python3
[ -x .venv/bin/python ] && PY=.venv/bin/python
"$PY" -c "import boto3" 2>/dev/null || { python3 -m venv .venv && .venv/bin/pip install -q boto3==1.43.11 && PY=.venv/bin/python; }

LOG=$(mktemp)
.build-release/release/kiln serve "$@" > >(tee "$LOG") 2>&1 &
KILN_PID=$!
trap 'kill -TERM $KILN_PID 2>/dev/null; wait $KILN_PID 2>/dev/null; rm -f "$LOG"' EXIT INT TERM
for _ in $(seq 1 100); do grep -q '^export AWS_ENDPOINT_URL=' "$LOG" && break; sleep 0.1; done
eval "$(grep '^export AWS_ENDPOINT_URL=' "$LOG")"
echo "--- demo: a SageMaker workflow against this Kiln ---"
"$PY" Examples/xgboost_end_to_end.py || echo "(the demo failed; Kiln keeps running)"
echo "--- Kiln keeps serving; Ctrl-C stops it ---"
wait $KILN_PID
