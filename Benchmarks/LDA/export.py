import numpy as np, scipy.sparse as sp
X = sp.load_npz('/tmp/kiln-bench-data/lda/corpus_counts.npz').tocsr()
X.sort_indices()
print(X.shape, X.nnz, X.sum(), X.dtype, np.diff(X.indptr).min(), X.sum(axis=1).min())
X.indptr.astype(np.int64).tofile('indptr.i64'); X.indices.astype(np.int32).tofile('indices.i32'); X.data.astype(np.float32).tofile('data.f32')
b = np.load('/tmp/kiln-bench-data/lda/true_beta.npy'); print(b.shape, b.dtype); b.astype(np.float32).tofile('beta.f32')
