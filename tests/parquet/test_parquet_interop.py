"""Files Kiln's Parquet writer makes read back identically in pyarrow and DuckDB.

Needs a built parquet-tool: `swift build --product ParquetTool` (or set PARQUET_TOOL to its path).
Run: .venv-parquet/bin/python -m pytest tests/parquet
"""
import math
import os
import pathlib
import subprocess

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOL = os.environ.get("PARQUET_TOOL", str(ROOT / ".build" / "debug" / "ParquetTool"))


def expected_rows():
    """The values parquet-tool write-sample writes (kept in step with Sources/ParquetTool/main.swift)."""
    rows = []
    rid = 0
    for g in range(3):
        n = 100 + 50 * g
        for k in range(n):
            r = rid + k
            valid = r % 7 != 3
            i32 = (r * 2654435761) & 0xFFFFFFFF
            i32 = i32 - 2**32 if i32 >= 2**31 else i32
            rows.append({
                "id": r,
                "i32": i32 if valid else None,
                "flag": (r % 3 == 0) if r % 5 != 1 else None,
                "x": float(pa.scalar(r * 0.25 - 10, pa.float32()).as_py()) if valid else None,
                "y": math.sin(r) * 1e6,
                "name": f"name-{r % 13}-é" if valid else None,
                "blob": bytes([r & 0xFF, 0, 255]) if r % 4 != 0 else None,
                "day": 19000 + r if valid else None,
                "ts": 1_700_000_000_000_000 + r * 1_000_003 if valid else None,
                "vec": [float(pa.scalar(r + j / 8, pa.float32()).as_py()) for j in range(r % 4)] if r % 9 != 2 else None,
                "vecd": [r * 0.5 + j for j in range(3)],
            })
        rid += n
    return rows


@pytest.fixture(scope="module", params=["snappy", "gzip", "zstd", "none"])
def sample(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("pq") / f"sample-{request.param}.parquet"
    subprocess.run([TOOL, "write-sample", str(path), request.param], check=True)
    return path


def normalise(table: pa.Table):
    out = []
    for row in table.to_pylist():
        r = dict(row)
        if r["day"] is not None:
            r["day"] = (r["day"] - __import__("datetime").date(1970, 1, 1)).days
        if r["ts"] is not None:
            r["ts"] = int(pa.scalar(r["ts"], pa.timestamp("us", tz="UTC")).cast(pa.int64()).as_py())
        out.append(r)
    return out


def test_pyarrow_reads_values_and_schema(sample):
    t = pq.read_table(sample)
    assert t.schema.field("id").type == pa.int64() and not t.schema.field("id").nullable
    assert t.schema.field("name").type == pa.string()
    assert t.schema.field("day").type == pa.date32()
    assert t.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    assert t.schema.field("vec").type == pa.list_(pa.field("element", pa.float32()))
    assert normalise(t) == expected_rows()


def test_row_groups_and_statistics(sample):
    md = pq.ParquetFile(sample).metadata
    assert md.num_row_groups == 3 and md.num_rows == 450
    rows = expected_rows()
    start = 0
    for g in range(3):
        rg = md.row_group(g)
        n = 100 + 50 * g
        assert rg.num_rows == n
        part = rows[start:start + n]
        start += n
        for i in range(rg.num_columns):
            col = rg.column(i)
            name = col.path_in_schema
            if "." in name:
                continue
            st = col.statistics
            assert st is not None and st.has_null_count
            vals = [r[name] for r in part]
            assert st.null_count == sum(v is None for v in vals), name
            present = [v for v in vals if v is not None]
            if name in ("day", "ts", "blob"):
                continue
            assert st.has_min_max, name
            assert st.min == min(present) and st.max == max(present), name


def test_duckdb_reads_the_same(sample):
    con = duckdb.connect()
    t = con.execute(f"SELECT * FROM read_parquet('{sample}')").to_arrow_table()
    assert normalise(t.cast(pq.read_table(sample).schema)) == expected_rows()
    meta = con.execute(f"SELECT row_group_id, row_group_num_rows FROM parquet_metadata('{sample}')").fetchall()
    assert sorted(set(meta)) == [(0, 100), (1, 150), (2, 200)]
