#!/bin/sh
# Interleaved comparison, same session: scikit-learn vs Kiln (default x86-64 build and -target-cpu haswell build).
cd /work/wt-kmeans-pca/Benchmarks/KMeansPCA
F=/tmp/kp-mnist-70000x784.f32
for i in 1 2; do
  uptime
  /tmp/sm-venv/bin/python sklearn_ref.py kmeans-lloyd $F
  /work/side-kp/.build/release/KPBench kmeans $F 70000 784
  /work/side-kp/.build-hsw/release/KPBench kmeans $F 70000 784
  /tmp/sm-venv/bin/python sklearn_ref.py kmeans-elkan $F
  /tmp/sm-venv/bin/python sklearn_ref.py pca-covariance_eigh $F
  /work/side-kp/.build/release/KPBench pca $F 70000 784
  /work/side-kp/.build-hsw/release/KPBench pca $F 70000 784
  /tmp/sm-venv/bin/python sklearn_ref.py pca-randomized $F
  /work/side-kp/.build/release/KPBench pca-randomized $F 70000 784
  /work/side-kp/.build-hsw/release/KPBench pca-randomized $F 70000 784
done
