import sys, numpy as np
sys.path.insert(0, '/work/shared/bench')
from anchors import _topic_recovery
b = np.load('/tmp/kiln-bench-data/lda/true_beta.npy')
L = np.fromfile(sys.argv[1] if len(sys.argv) > 1 else '/tmp/lda-bench/beta_out.f32', dtype=np.float32).reshape(-1, b.shape[1]).astype(np.float64)
print(_topic_recovery(L, b))
