import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def find_tool():
    env = os.environ.get("KILN_XGB")
    if env:
        return env
    for p in [REPO / ".build-release/release/kiln-xgb", REPO / ".build/release/kiln-xgb", REPO / ".build/debug/kiln-xgb"]:
        if p.exists():
            return str(p)
    found = shutil.which("kiln-xgb")
    if found:
        return found
    raise RuntimeError("kiln-xgb not built: run `swift build --product kiln-xgb` or set KILN_XGB")


@pytest.fixture(scope="session")
def kiln_xgb():
    return find_tool()


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stderr}\n{r.stdout[-2000:]}")
    return r
