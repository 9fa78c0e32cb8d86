"""Examples/ are documentation that must keep working: run each against a live Kiln."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_xgboost_end_to_end_example(kiln):
    out = subprocess.run([sys.executable, str(REPO / "Examples/xgboost_end_to_end.py")], env=kiln.cli_env(),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Completed" in out.stdout and "InService" in out.stdout
    scores = [float(v.strip("'[],")) for v in out.stdout.strip().splitlines()[-1].split(":", 1)[1].split()]
    assert scores[0] > 0.9 and scores[1] < 0.1
