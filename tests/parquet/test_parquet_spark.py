"""Spark reads the files Kiln writes, and Kiln reads the files Spark writes (local Spark, one session)."""
import json
import math
import os
import pathlib
import subprocess

import pytest

from test_parquet_interop import TOOL, expected_rows

pyspark = pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("kiln-parquet")
               .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    yield session
    session.stop()


def test_spark_reads_kiln_files(spark, tmp_path):
    path = tmp_path / "kiln.parquet"
    subprocess.run([TOOL, "write-sample", str(path), "snappy"], check=True)
    rows = spark.read.parquet(str(path)).orderBy("id").collect()
    want = expected_rows()
    assert len(rows) == len(want)
    for got, exp in zip(rows, want):
        g = got.asDict()
        for name in ("id", "i32", "flag", "name", "vecd"):
            assert g[name] == exp[name], (name, g[name], exp[name])
        assert g["y"] == exp["y"]
        assert (g["x"] is None) == (exp["x"] is None) and (g["x"] is None or math.isclose(g["x"], exp["x"], rel_tol=1e-7))
        assert (bytes(g["blob"]) if g["blob"] is not None else None) == exp["blob"]
        assert (g["day"] - __import__("datetime").date(1970, 1, 1)).days == exp["day"] if g["day"] else exp["day"] is None
        assert (None if g["vec"] is None else [float(v) for v in g["vec"]]) == exp["vec"]


def test_kiln_reads_spark_files(spark, tmp_path):
    from pyspark.sql import Row

    data = [Row(label=float(i % 2), a=i * 0.5, b=None if i % 7 == 0 else float(i) ** 0.5, c=i, name=f"n{i % 5}")
            for i in range(1000)]
    out = tmp_path / "spark"
    spark.createDataFrame(data).repartition(1).write.option("compression", "snappy").parquet(str(out))
    files = sorted(pathlib.Path(out).glob("part-*.parquet"))
    assert files
    lines = subprocess.run([TOOL, "dense", str(files[0]), "label,a,b,c"], check=True, capture_output=True, text=True).stdout.splitlines()
    got = [row for line in lines for row in json.loads(line)["rows"]]
    assert len(got) == 1000
    expected = {(r.label, r.a, r.b, float(r.c)) for r in data}
    def f32(v):
        return None if v is None else float(__import__("numpy").float32(v))
    assert {tuple(f32(v) for v in row) for row in got} == {tuple(f32(v) for v in e) for e in expected}
