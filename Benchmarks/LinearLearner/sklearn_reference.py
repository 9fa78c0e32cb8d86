"""scikit-learn references for the LinearLearner bench (same settings as shared/bench/anchors.py g_linear).

usage: sklearn_reference.py higgs|regression|digits|breast_cancer|iris|wine|diabetes   (2 threads; prints wall/cpu seconds and test quality)
Timed like anchors.py: model fit on already standardised float32 data (the scaler is timed separately).
"""
import os
import sys
import time

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = "2"
import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier, SGDRegressor
from sklearn.metrics import r2_score, roc_auc_score, mean_squared_error
from sklearn.preprocessing import StandardScaler

D = "/tmp/kiln-bench-data"


def timed(label, fn, quality):
    c0, t0 = time.process_time(), time.perf_counter()
    m = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"RESULT {label} train_seconds={wall:.3f} cpu_seconds={cpu:.3f} {quality(m)}", flush=True)
    return m


def load(name, split):
    return np.load(f"{D}/{name}/{split}_X.npy"), np.load(f"{D}/{name}/{split}_y.npy")


which = sys.argv[1]
if which == "higgs":
    X, y = load("higgs", "train")
    Xt, yt = load("higgs", "test")
    sc = timed("StandardScaler fit+transform", lambda: StandardScaler().fit(X), lambda m: "")
    Xs, Xts = sc.transform(X).astype(np.float32), sc.transform(Xt).astype(np.float32)
    auc = lambda m: f"test_roc_auc_score={roc_auc_score(yt, m.decision_function(Xts)):.5f} test_accuracy={m.score(Xts, yt):.5f}"
    timed("SGDClassifier log_loss 5 epochs", lambda: SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=5, tol=None, random_state=0).fit(Xs, y), auc)
    timed("LogisticRegression lbfgs", lambda: LogisticRegression(solver="lbfgs", C=1.0, max_iter=200, tol=1e-4).fit(Xs, y), auc)
elif which == "regression":
    X, y = load("regression", "train")
    Xt, yt = load("regression", "test")
    q = lambda Xe: (lambda m: f"test_rmse={mean_squared_error(yt, m.predict(Xe)) ** 0.5:.5f} test_r2={r2_score(yt, m.predict(Xe)):.5f}")
    timed("Ridge alpha=1", lambda: Ridge(alpha=1.0).fit(X, y), q(Xt))
    sr = StandardScaler().fit(X)
    Xs, Xts = sr.transform(X).astype(np.float32), sr.transform(Xt).astype(np.float32)
    timed("SGDRegressor 5 epochs", lambda: SGDRegressor(max_iter=5, tol=None, alpha=1e-6, random_state=0).fit(Xs, y), q(Xts))
else:
    # scikit-learn's bundled sets as exported by make_data.py (80/20 train_test_split, random_state=SEEDS["small"],
    # stratified for classifiers): each estimator in a StandardScaler pipeline, default parameters.
    X, y = load(f"small/{which}", "train")
    Xt, yt = load(f"small/{which}", "test")
    from sklearn.pipeline import make_pipeline
    if which == "diabetes":
        q = lambda m: f"test_rmse={mean_squared_error(yt, m.predict(Xt)) ** 0.5:.5f}"
        timed("Ridge alpha=1 (StandardScaler pipeline)", lambda: make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(X, y), q)
        timed("SGDRegressor (StandardScaler pipeline)", lambda: make_pipeline(StandardScaler(), SGDRegressor(random_state=0)).fit(X, y), q)
    else:
        binary = len(np.unique(y)) == 2
        def q(m):
            out = f"test_accuracy={m.score(Xt, yt):.5f}"
            if binary:
                out += f" test_roc_auc_score={roc_auc_score(yt, m.decision_function(Xt)):.5f}"
            return out
        timed("LogisticRegression (StandardScaler pipeline)", lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X, y), q)
        timed("SGDClassifier log_loss (StandardScaler pipeline)", lambda: make_pipeline(StandardScaler(), SGDClassifier(loss="log_loss", random_state=0)).fit(X, y), q)
        timed("SGDClassifier hinge (StandardScaler pipeline)", lambda: make_pipeline(StandardScaler(), SGDClassifier(random_state=0)).fit(X, y), q)
