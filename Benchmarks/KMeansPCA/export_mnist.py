"""Writes the mnist-like train+test rows (as anchors.py concatenates them) as raw float32, row-major."""
import sys
import numpy as np

data = sys.argv[1] if len(sys.argv) > 1 else "/tmp/kiln-bench-data"
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/kp-mnist-70000x784.f32"
X = np.concatenate([np.load(f"{data}/mnist/train_X.npy"), np.load(f"{data}/mnist/test_X.npy")]).astype(np.float32)
X.tofile(out)
print(out, X.shape)
