"""First-party algorithms, side by side with scikit-learn in one run (issue: K-Means, PCA, Linear Learner, LDA).

Kiln is measured as users run it: a real training worker process (`kiln worker train`, the process a training
job runs in) on an /opt/ml-style workspace, reading the channel files, training and writing `model_algo-1`.
Two times are reported for Kiln: the worker's own "trained in" figure (training only, data in memory, what the
scikit-learn figure also measures) and the whole process (parsing the channel files included). Quality is
computed here, in numpy, from Kiln's model file, with the same formulas as for scikit-learn.

Data: `../shared/bench/make_data.py` (mnist-like 70k x 784, higgs 1M x 28, the 20k-document LDA corpus) in
/tmp/kiln-bench-data or $KILN_BENCH_DATA. Channel files are written once into a cache folder next to it.

    python Benchmarks/first_party_bench.py --kiln .build-release/release/kiln [--only kmeans,pca] [--repeats 2]
"""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

THREADS = "2"
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = THREADS


def load_ndarrays(raw):
    """MXNet NDArray list file -> list of (name or None, float32 array)."""
    off = 24
    count = struct.unpack_from("<Q", raw, 16)[0]
    arrays = []
    for _ in range(count):
        off += 8  # magic, storage type
        ndim = struct.unpack_from("<I", raw, off)[0]
        off += 4
        shape = struct.unpack_from(f"<{ndim}q", raw, off)
        off += 8 * ndim + 12  # dims, context, dtype
        n = int(np.prod(shape))
        arrays.append(np.frombuffer(raw, dtype="<f4", count=n, offset=off).reshape(shape))
        off += 4 * n
    names = struct.unpack_from("<Q", raw, off)[0]
    off += 8
    labels = []
    for _ in range(names):
        length = struct.unpack_from("<Q", raw, off)[0]
        labels.append(raw[off + 8:off + 8 + length].decode())
        off += 8 + length
    return dict(zip(labels, arrays)) if labels else arrays


def run_worker(kiln, algorithm, hyperparameters, channels):
    """channels: name -> (file path, content type). Returns (process wall s, trained-in s, model bytes, log)."""
    ws = Path(tempfile.mkdtemp(prefix=f"kiln-bench-{algorithm}-"))
    try:
        config = ws / "input" / "config"
        config.mkdir(parents=True)
        (ws / "model").mkdir()
        (ws / "output" / "data").mkdir(parents=True)
        (config / "hyperparameters.json").write_text(json.dumps(hyperparameters))
        (config / "inputdataconfig.json").write_text(json.dumps({
            name: {"ContentType": ctype, "TrainingInputMode": "File", "S3DistributionType": "FullyReplicated",
                   "RecordWrapperType": "None"} for name, (_, ctype) in channels.items()}))
        (config / "resourceconfig.json").write_text(json.dumps({"current_host": "algo-1", "hosts": ["algo-1"]}))
        for name, (path, _) in channels.items():
            d = ws / "input" / "data" / name
            d.mkdir(parents=True)
            os.link(path, d / Path(path).name) if os.stat(path).st_dev == os.stat(d).st_dev else shutil.copy(path, d)
        started = time.perf_counter()
        out = subprocess.run([kiln, "worker", "train", "--workspace", str(ws), "--algorithm", algorithm],
                             capture_output=True, text=True)
        wall = time.perf_counter() - started
        if out.returncode != 0:
            raise RuntimeError(f"{algorithm} failed: {out.stdout[-3000:]}{out.stderr[-2000:]}")
        trained = re.findall(r"Trained in ([0-9.]+) s", out.stdout)
        return wall, float(trained[-1]) if trained else None, (ws / "model" / "model_algo-1").read_bytes(), out.stdout
    finally:
        shutil.rmtree(ws, ignore_errors=True)


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def write_csv(path, X, y=None):
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        for start in range(0, len(X), 20000):
            block = X[start:start + 20000]
            if y is not None:
                block = np.column_stack([y[start:start + 20000], block])
            np.savetxt(f, block, delimiter=",", fmt="%.6g")
    tmp.rename(path)
    return path


def mnist(data):
    Xa = np.load(data / "mnist" / "train_X.npy")
    Xb = np.load(data / "mnist" / "test_X.npy")
    ya = np.load(data / "mnist" / "train_y.npy")
    yb = np.load(data / "mnist" / "test_y.npy")
    return np.concatenate([Xa, Xb]).astype(np.float32), np.concatenate([ya, yb])


def bench_kmeans(a, data, cache, results):
    from sklearn.cluster import KMeans
    X, _ = mnist(data)
    csv = write_csv(cache / "mnist70k.csv", X.astype(np.int32))
    X64 = X.astype(np.float64)

    def inertia(C):
        C = C.astype(np.float64)
        return float(np.maximum((X64 * X64).sum(1)[:, None] - 2 * X64 @ C.T + (C * C).sum(1)[None, :], 0).min(1).sum())

    hp = {"k": "10", "feature_dim": "784", "mini_batch_size": "5000", "init_method": "kmeans++"}
    for r in range(a.repeats):
        wall, trained, model, _ = run_worker(a.kiln, "kmeans", hp, {"train": (csv, "text/csv;label_size=0")})
        C = load_ndarrays(model)[0]
        results.append({"algorithm": "kmeans", "impl": "kiln", "repeat": r, "process_s": wall, "train_s": trained, "inertia": inertia(C)})
        t, m = timed(lambda: KMeans(n_clusters=10, n_init=1, algorithm="lloyd", max_iter=300, tol=1e-4, random_state=r).fit(X))
        results.append({"algorithm": "kmeans", "impl": "sklearn KMeans lloyd n_init=1", "repeat": r, "train_s": t, "inertia": float(m.inertia_)})
        print(json.dumps(results[-2:]), flush=True)


def bench_pca(a, data, cache, results):
    from sklearn.decomposition import PCA
    X, _ = mnist(data)
    csv = write_csv(cache / "mnist70k.csv", X.astype(np.int32))
    total = float(X.astype(np.float64).var(axis=0, ddof=1).sum())
    for r in range(a.repeats):
        wall, trained, model, _ = run_worker(a.kiln, "pca", {"num_components": "50", "feature_dim": "784", "mini_batch_size": "500"},
                                             {"train": (csv, "text/csv;label_size=0")})
        s = load_ndarrays(model)["s"].astype(np.float64)
        evr = float((s ** 2).sum() / (len(X) - 1) / total)
        results.append({"algorithm": "pca", "impl": "kiln regular", "repeat": r, "process_s": wall, "train_s": trained, "explained_var_ratio_50": evr})
        t, m = timed(lambda: PCA(n_components=50, svd_solver="covariance_eigh").fit(X))
        results.append({"algorithm": "pca", "impl": "sklearn covariance_eigh", "repeat": r, "train_s": t,
                        "explained_var_ratio_50": float(m.explained_variance_ratio_.sum())})
        print(json.dumps(results[-2:]), flush=True)


def bench_linear(a, data, cache, results):
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import StandardScaler
    train_csv = data / "higgs" / "train.csv"
    Xte, yte = np.load(data / "higgs" / "test_X.npy"), np.load(data / "higgs" / "test_y.npy")
    Xtr, ytr = np.load(data / "higgs" / "train_X.npy"), np.load(data / "higgs" / "train_y.npy")
    hp = {"predictor_type": "binary_classifier", "feature_dim": "28", "mini_batch_size": "1000", "epochs": "5"}
    for r in range(a.repeats):
        wall, trained, model, _ = run_worker(a.kiln, "linear-learner", hp, {"train": (train_csv, "text/csv")})
        m = json.loads(model)["model"]
        margin = Xte.astype(np.float64) @ np.array(m["weights"][:28]) + m["bias"][0]
        results.append({"algorithm": "linear", "impl": "kiln binary_classifier", "repeat": r, "process_s": wall, "train_s": trained,
                        "test_auc": float(roc_auc_score(yte, margin))})
        t_scale, scaler = timed(lambda: StandardScaler().fit(Xtr))
        Xs, Xts = scaler.transform(Xtr).astype(np.float32), scaler.transform(Xte).astype(np.float32)
        t, sgd = timed(lambda: SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=5, tol=None, random_state=r).fit(Xs, ytr))
        results.append({"algorithm": "linear", "impl": "sklearn SGDClassifier 5 epochs (+scaler)", "repeat": r, "train_s": t + t_scale,
                        "test_auc": float(roc_auc_score(yte, sgd.decision_function(Xts)))})
        t, lr = timed(lambda: LogisticRegression(solver="lbfgs", C=1.0, max_iter=200, tol=1e-4).fit(Xs, ytr))
        results.append({"algorithm": "linear", "impl": "sklearn LogisticRegression lbfgs (+scaler)", "repeat": r, "train_s": t + t_scale,
                        "test_auc": float(roc_auc_score(yte, lr.decision_function(Xts)))})
        print(json.dumps(results[-3:]), flush=True)


def topic_recovery(components, beta):
    from scipy.optimize import linear_sum_assignment
    L = components / components.sum(axis=1, keepdims=True)
    A = L / np.linalg.norm(L, axis=1, keepdims=True)
    B = beta / np.linalg.norm(beta, axis=1, keepdims=True)
    C = B @ A.T
    r, c = linear_sum_assignment(-C)
    cos = C[r, c]
    return {"topic_cosine_mean": float(cos.mean()), "topics_recovered_cos>=0.9": int((cos >= 0.9).sum())}


def bench_lda(a, data, cache, results):
    import scipy.sparse as sp
    from sklearn.decomposition import LatentDirichletAllocation
    X = sp.load_npz(data / "lda" / "corpus_counts.npz").tocsr()
    beta = np.load(data / "lda" / "true_beta.npy")
    pbr = cache / "lda_corpus.pbr"
    if not pbr.exists():
        from sagemaker.amazon.common import write_spmatrix_to_sparse_tensor
        with open(pbr, "wb") as f:
            write_spmatrix_to_sparse_tensor(f, X.astype(np.float32))
    hp = {"num_topics": "20", "feature_dim": str(X.shape[1]), "mini_batch_size": str(X.shape[0])}
    for r in range(a.repeats):
        wall, trained, model, _ = run_worker(a.kiln, "lda", hp, {"train": (pbr, "application/x-recordio-protobuf")})
        alpha, kiln_beta = load_ndarrays(model)
        results.append({"algorithm": "lda", "impl": "kiln", "repeat": r, "process_s": wall, "train_s": trained,
                        **topic_recovery(kiln_beta.astype(np.float64), beta)})
        print(json.dumps(results[-1:]), flush=True)
    if not a.skip_sklearn_lda:
        Xf = X.astype(np.float64)
        t, m = timed(lambda: LatentDirichletAllocation(n_components=20, learning_method="online", batch_size=128, max_iter=5,
                                                       random_state=0, n_jobs=1).fit(Xf))
        results.append({"algorithm": "lda", "impl": "sklearn online VB 5 passes", "repeat": 0, "train_s": t,
                        **topic_recovery(m.components_, beta)})
        print(json.dumps(results[-1:]), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", default=str(Path(__file__).resolve().parent.parent / ".build-release" / "release" / "kiln"))
    ap.add_argument("--data", default=os.environ.get("KILN_BENCH_DATA", "/tmp/kiln-bench-data"))
    ap.add_argument("--only", default="kmeans,pca,linear,lda")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--skip-sklearn-lda", action="store_true", help="sklearn's LDA takes ~25 s per run")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / f"first_party-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"))
    a = ap.parse_args()
    data = Path(a.data)
    cache = data / "kiln-channels"
    cache.mkdir(exist_ok=True)
    results = []
    for name in a.only.split(","):
        {"kmeans": bench_kmeans, "pca": bench_pca, "linear": bench_linear, "lda": bench_lda}[name](a, data, cache, results)
    Path(a.out).write_text(json.dumps(results, indent=1))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
