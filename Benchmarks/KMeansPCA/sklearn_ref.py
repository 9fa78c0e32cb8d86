"""scikit-learn reference, measured as anchors.py does (2 threads): K-Means lloyd/elkan and PCA covariance_eigh."""
import os
import sys
import time

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(v, "2")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA

what = sys.argv[1]
X = np.fromfile(sys.argv[2] if len(sys.argv) > 2 else "/tmp/kp-mnist-70000x784.f32", dtype=np.float32).reshape(-1, 784)
if what.startswith("kmeans"):
    algo = what.split("-")[1] if "-" in what else "lloyd"
    t, c = time.perf_counter(), time.process_time()
    m = KMeans(n_clusters=10, n_init=1, algorithm=algo, max_iter=300, tol=1e-4, random_state=0).fit(X)
    print(f"sklearn kmeans {algo}: wall {time.perf_counter() - t:.3f} s cpu {time.process_time() - c:.3f} s inertia {m.inertia_:.6e} n_iter {m.n_iter_}")
else:
    solver = what.split("-")[1] if "-" in what else "covariance_eigh"
    t, c = time.perf_counter(), time.process_time()
    m = PCA(n_components=50, svd_solver=solver, random_state=0).fit(X)
    print(f"sklearn pca {solver}: wall {time.perf_counter() - t:.3f} s cpu {time.process_time() - c:.3f} s evr50 {m.explained_variance_ratio_.sum():.7f} "
          f"s_top {m.singular_values_[0]:.6e} s_50 {m.singular_values_[-1]:.6e}")
