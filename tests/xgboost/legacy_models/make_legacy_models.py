"""Writes the legacy binary XGBoost models of this folder (what SageMaker's XGBoost 1.0-1 … 1.5-1 containers save
as `xgboost-model`) and the margins xgboost itself predicts with them. Needs xgboost 1.7.x, the last release that
writes the format (`pip install "xgboost==1.7.6" "numpy<2"` in a scratch venv); the files are committed, so the
tests do not need it.

    python tests/xgboost/legacy_models/make_legacy_models.py
"""
import json
from pathlib import Path

import numpy as np
import xgboost as xgb

HERE = Path(__file__).resolve().parent
rng = np.random.default_rng(7)
X = rng.normal(size=(400, 6))
X[rng.random(X.shape) < 0.08] = np.nan
probe = rng.normal(size=(25, 6))
probe[rng.random(probe.shape) < 0.1] = np.nan
s = np.nan_to_num(X[:, 0]) + 0.5 * np.nan_to_num(X[:, 1])

CASES = {
    "binary_logistic": ({"objective": "binary:logistic", "max_depth": 3}, (s > 0).astype(float), 5),
    "multi_softprob": ({"objective": "multi:softprob", "num_class": 3, "max_depth": 2, "num_parallel_tree": 2},
                       np.digitize(s, [-0.5, 0.5]).astype(float), 3),
    "tweedie": ({"objective": "reg:tweedie", "tweedie_variance_power": 1.3, "max_depth": 3}, np.exp(s / 2), 4),
    "poisson": ({"objective": "count:poisson", "max_depth": 3}, np.round(np.exp(s / 2)), 4),
    "dart": ({"booster": "dart", "objective": "reg:squarederror", "rate_drop": 0.3, "max_depth": 3, "seed": 3}, s, 6),
    "gblinear": ({"booster": "gblinear", "objective": "reg:squarederror"}, s, 5),
    # eval_metric given: the file says it has metrics (1.x keeps their names in an attribute).
    "with_eval_metric": ({"objective": "binary:logistic", "max_depth": 2, "eval_metric": ["auc", "logloss"]},
                         (s > 0).astype(float), 3),
}

expected = {}
for name, (params, y, rounds) in CASES.items():
    booster = xgb.train({**params, "base_score": 0.5}, xgb.DMatrix(X, label=y), rounds)
    booster.save_model(str(HERE / f"{name}.bin"))  # no .json/.ubj suffix: the legacy binary format in 1.7
    margins = booster.predict(xgb.DMatrix(probe), output_margin=True)
    expected[name] = {"margins": np.asarray(margins, dtype=float).tolist(), "xgboost": xgb.__version__}
np.savetxt(HERE / "probe.csv", probe, delimiter=",", fmt="%.17g")
(HERE / "expected.json").write_text(json.dumps(expected, indent=1))
