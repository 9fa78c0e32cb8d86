# scikit-learn LDA anchor, run exactly as /work/shared/bench/anchors.py g_lda does (20 topics,
# 5 passes, n_jobs=1, random_state=0); prints wall and CPU seconds and topic recovery.
# Usage: python sklearn_lda.py online|batch
import sys, time
import numpy as np, scipy.sparse as sp
sys.path.insert(0, '/work/shared/bench')
from anchors import _topic_recovery
from sklearn.decomposition import LatentDirichletAllocation

method = sys.argv[1]
X = sp.load_npz('/tmp/kiln-bench-data/lda/corpus_counts.npz').astype(np.float64).tocsr()
beta = np.load('/tmp/kiln-bench-data/lda/true_beta.npy')
p = dict(n_components=20, learning_method=method, max_iter=5, random_state=0, n_jobs=1)
if method == 'online':
    p['batch_size'] = 128
w0, c0 = time.time(), time.process_time()
m = LatentDirichletAllocation(**p).fit(X)
print(f"sklearn {method}: wall_seconds={time.time() - w0:.3f} cpu_seconds={time.process_time() - c0:.3f}")
print(_topic_recovery(m.components_, beta))
