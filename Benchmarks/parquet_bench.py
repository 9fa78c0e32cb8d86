#!/usr/bin/env python3
"""Parquet read/write benchmark: Kiln's native reader/writer vs pyarrow, interleaved A/B, ratio of medians.

Reads /tmp/kiln-bench-data/higgs/train.parquet (1M x 29 FLOAT, snappy; make it with
../shared/bench/make_data.py --only higgs --formats parquet) into a dense row-major float32 matrix:
  A: pyarrow.parquet.read_table + np.column_stack(to_numpy) on 2 threads (as ../shared/bench/anchors.py)
  B: parquet-tool bench-read (release build in .build-release), time measured inside the process
and writes it: pyarrow.parquet.write_table (defaults) vs parquet-tool bench-write (SNAPPY, PLAIN floats).
Usage: .venv-parquet/bin/python Benchmarks/parquet_bench.py [--file F] [--repeats 5] [--no-build]
Build: swift build -c release --product ParquetTool --scratch-path .build-release
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOOL = ROOT / ".build-release" / "release" / "ParquetTool"


def swift_time(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()
    return float(out[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", default=os.environ.get("KILN_BENCH_DATA", "/tmp/kiln-bench-data") + "/higgs/train.parquet")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "ParquetTool", "--scratch-path",
                        str(ROOT / ".build-release")], check=True, cwd=ROOT)
    pa.set_cpu_count(2)
    size_mb = os.path.getsize(args.file) / 1e6

    def py_read():
        t0 = time.perf_counter()
        t = pq.read_table(args.file)
        m = np.column_stack([c.to_numpy() for c in t.columns])
        dt = time.perf_counter() - t0
        assert m.shape[0] == t.num_rows
        return dt

    a, b = [], []
    for _ in range(args.repeats):
        a.append(py_read())
        b.append(swift_time([str(TOOL), "bench-read", args.file, "1"]))
    ra = statistics.median(a) / statistics.median(b)
    print(f"read  pyarrow median {statistics.median(a):.3f}s ({size_mb / statistics.median(a):.0f} MB/s)  "
          f"kiln median {statistics.median(b):.3f}s ({size_mb / statistics.median(b):.0f} MB/s)  "
          f"speed ratio kiln/pyarrow = {ra:.2f}x")

    table = pq.read_table(args.file)
    with tempfile.TemporaryDirectory() as d:
        out_a, out_b = os.path.join(d, "a.parquet"), os.path.join(d, "b.parquet")
        wa, wb = [], []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            pq.write_table(table, out_a)
            wa.append(time.perf_counter() - t0)
            wb.append(swift_time([str(TOOL), "bench-write", args.file, out_b, "1"]))
        back = pq.read_table(out_b)
        assert back.equals(table.cast(back.schema)), "kiln-written file differs"
    rw = statistics.median(wa) / statistics.median(wb)
    print(f"write pyarrow median {statistics.median(wa):.3f}s  kiln median {statistics.median(wb):.3f}s  "
          f"speed ratio kiln/pyarrow = {rw:.2f}x")


if __name__ == "__main__":
    main()
