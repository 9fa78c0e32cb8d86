#!/bin/sh
# Interleaved runs: Kiln LDA (release build of the side package) and scikit-learn, twice each.
# Usage: run_side_by_side.sh <LDABench binary> <export dir>
BIN=$1; DIR=$2; PY=/tmp/sm-venv/bin/python; HERE=$(dirname "$0")
for round in 1 2; do
  echo "== round $round"; uptime
  "$BIN" "$DIR" 20 3 | grep -E "train_|pwll"; $PY "$HERE/score.py" "$DIR/beta_out.f32"
  "$BIN" "$DIR" 20 0 | grep -E "train_|pwll"; $PY "$HERE/score.py" "$DIR/beta_out.f32"
  $PY "$HERE/sklearn_lda.py" online
  $PY "$HERE/sklearn_lda.py" batch
done
