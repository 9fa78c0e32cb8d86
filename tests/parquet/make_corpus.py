#!/usr/bin/env python3
"""Writes the Parquet test corpus with pyarrow (the oracle) into Tests/ParquetTests/Corpus/.

Each file NAME.parquet gets NAME.json: {"rows": N, "columns": {path: [values...]}} where values are canonical:
ints as ints, floats as floats, strings as strings, binary as hex, dates as days, timestamps as the stored
integer, INT96 timestamps as nanoseconds (ints as {"i": "123"}, floats as {"f": float.hex()} so no
precision is lost in JSON), decimals as the unscaled integer (a string), lists as lists, null as null.
Run: .venv-parquet/bin/python tests/parquet/make_corpus.py
"""
import datetime as dt
import decimal
import json
import math
import pathlib
import random

import pyarrow as pa
import pyarrow.parquet as pq

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "ParquetTests" / "Corpus"
N = 240


def columns(nullable: bool, seed: int):
    rnd = random.Random(seed)

    def maybe(v):
        return None if nullable and rnd.random() < 0.2 else v

    words = ["alpha", "beta", "gamma", "delta", "épsilon", "", "zeta-long-string-value", "eta"]
    base_ts = dt.datetime(2024, 3, 1, 12, 0, 0)
    cols = {
        "b": (pa.bool_(), [maybe(rnd.random() < 0.5) for _ in range(N)]),
        "i8": (pa.int8(), [maybe(rnd.randint(-128, 127)) for _ in range(N)]),
        "i32": (pa.int32(), [maybe(rnd.randint(-2**31, 2**31 - 1) if i % 3 else i) for i in range(N)]),
        "i64": (pa.int64(), [maybe(rnd.randint(-2**63, 2**63 - 1) if i % 4 else 1000 + i) for i in range(N)]),
        "u32": (pa.uint32(), [maybe(rnd.randint(0, 2**32 - 1)) for _ in range(N)]),
        "f32": (pa.float32(), [maybe(float(pa.scalar(rnd.uniform(-1e3, 1e3), pa.float32()).as_py())) for _ in range(N)]),
        "f64": (pa.float64(), [maybe(rnd.gauss(0, 1e6)) for _ in range(N)]),
        "s": (pa.string(), [maybe(rnd.choice(words) + (str(rnd.randint(0, 20)) if rnd.random() < 0.5 else "")) for _ in range(N)]),
        "bin": (pa.binary(), [maybe(bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 6)))) for _ in range(N)]),
        "fsb": (pa.binary(3), [maybe(bytes(rnd.randrange(256) for _ in range(3))) for _ in range(N)]),
        "d": (pa.date32(), [maybe(dt.date(1970, 1, 1) + dt.timedelta(days=rnd.randint(-20000, 30000))) for _ in range(N)]),
        "ts_ms": (pa.timestamp("ms"), [maybe(base_ts + dt.timedelta(milliseconds=rnd.randint(-10**9, 10**9))) for _ in range(N)]),
        "ts_us": (pa.timestamp("us", tz="UTC"), [maybe(base_ts.replace(tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=rnd.randint(-10**12, 10**12))) for _ in range(N)]),
        "ts_ns": (pa.timestamp("ns"), [maybe(rnd.randint(-2**62, 2**62)) for _ in range(N)]),
        "dec9": (pa.decimal128(9, 2), [maybe(decimal.Decimal(rnd.randint(-10**9 + 1, 10**9 - 1)).scaleb(-2)) for _ in range(N)]),
        "dec18": (pa.decimal128(18, 4), [maybe(decimal.Decimal(rnd.randint(-10**18 + 1, 10**18 - 1)).scaleb(-4)) for _ in range(N)]),
        "dec30": (pa.decimal128(30, 5), [maybe(decimal.Decimal(rnd.randint(-10**17, 10**17)).scaleb(-5)) for _ in range(N)]),
        "vf": (pa.list_(pa.float32()), [maybe([float(pa.scalar(rnd.uniform(-1, 1), pa.float32()).as_py()) if rnd.random() > 0.1 or not nullable else None
                                              for _ in range(rnd.randint(0, 5))]) for _ in range(N)]),
        "vd": (pa.list_(pa.float64()), [maybe([rnd.uniform(-1, 1) for _ in range(4)]) for _ in range(N)]),
    }
    return cols


def table(nullable=True, seed=1, only=None):
    cols = columns(nullable, seed)
    fields, arrays = [], []
    for name, (t, vals) in cols.items():
        if only and name not in only:
            continue
        fields.append(pa.field(name, t, nullable=nullable))
        arrays.append(pa.array(vals, type=t))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def canon(t: pa.DataType, v, int96=False):
    if v is None:
        return None
    if pa.types.is_list(t):
        return [None if x is None else {"f": float(x).hex()} for x in v]
    if pa.types.is_boolean(t):
        return bool(v)
    if pa.types.is_integer(t):
        return {"i": str(int(v))}
    if pa.types.is_floating(t):
        return {"f": float(v).hex()}
    if pa.types.is_string(t):
        return v
    if pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t):
        return v.hex()
    if pa.types.is_decimal(t):
        return str(int(v.scaleb(t.scale)))
    raise TypeError(t)


def expected(path: pathlib.Path, int96=False):
    tbl = pq.read_table(path)
    cols = {}
    for f, col in zip(tbl.schema, tbl.columns):
        t = f.type
        if pa.types.is_date(t) or pa.types.is_timestamp(t):
            vals = [None if v is None else {"i": str(v)} for v in
                    col.cast(pa.int32() if pa.types.is_date(t) else pa.int64()).to_pylist()]
        else:
            vals = [canon(t, v) for v in col.to_pylist()]
        cols[f.name] = vals
    md = pq.ParquetFile(path).metadata
    return {"rows": tbl.num_rows, "row_groups": md.num_row_groups, "columns": cols}


SEEN = {}


def write(name, tbl, **kw):
    """Writes NAME.parquet and NAME.json; identical expected columns are stored once ("columns_from")."""
    p = OUT / f"{name}.parquet"
    pq.write_table(tbl, p, **kw)
    exp = expected(p)
    key = json.dumps(exp["columns"], sort_keys=True)
    if key in SEEN:
        exp = {"rows": exp["rows"], "row_groups": exp["row_groups"], "columns_from": SEEN[key]}
    else:
        SEEN[key] = name
    (OUT / f"{name}.json").write_text(json.dumps(exp, separators=(",", ":")))
    return p


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.parquet"):
        if not old.name.startswith("crash-"):
            old.unlink()
    t = table(True, 1)
    treq = table(False, 2)
    write("default_nullable", t)
    write("default_required", treq)
    for codec in ["none", "gzip", "zstd"]:
        write(f"codec_{codec}_nullable", t, compression=codec)
    write("pagev2_snappy_nullable", t, data_page_version="2.0")
    write("pagev2_zstd_required", treq, data_page_version="2.0", compression="zstd")
    write("pagev2_none_nullable", t, data_page_version="2.0", compression="none")
    write("plain_nullable", t, use_dictionary=False)
    write("plain_required_v2", treq, use_dictionary=False, data_page_version="2.0")
    write("many_rowgroups_small_pages", t, row_group_size=50, data_page_size=128, write_batch_size=16)
    write("many_rowgroups_required_v2", treq, row_group_size=64, data_page_size=100, write_batch_size=10,
          data_page_version="2.0", compression="gzip")
    delta_cols = ["i32", "i64", "d", "ts_ms", "ts_ns", "s", "bin"]
    enc = {"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "d": "DELTA_BINARY_PACKED",
           "ts_ms": "DELTA_BINARY_PACKED", "ts_ns": "DELTA_BINARY_PACKED", "s": "DELTA_LENGTH_BYTE_ARRAY",
           "bin": "DELTA_BYTE_ARRAY"}
    write("delta_nullable", table(True, 3, delta_cols), use_dictionary=False, column_encoding=enc)
    write("delta_required_v2", table(False, 4, delta_cols), use_dictionary=False, column_encoding=enc,
          data_page_version="2.0", data_page_size=200, write_batch_size=20)
    enc2 = dict(enc, s="DELTA_BYTE_ARRAY", bin="DELTA_LENGTH_BYTE_ARRAY")
    write("delta_bytearray_required", table(False, 5, delta_cols), use_dictionary=False, column_encoding=enc2)
    bss_cols = ["f32", "f64", "i32", "i64", "fsb"]
    write("bss_nullable", table(True, 6, bss_cols), use_dictionary=False,
          column_encoding={c: "BYTE_STREAM_SPLIT" for c in bss_cols})
    write("bss_required_v2", table(False, 7, bss_cols), use_dictionary=False, data_page_version="2.0",
          column_encoding={c: "BYTE_STREAM_SPLIT" for c in bss_cols})
    write("int96_nullable", table(True, 8, ["ts_ms", "ts_us", "i32"]), use_deprecated_int96_timestamps=True)
    write("format1_legacy", table(True, 9), version="1.0", data_page_version="1.0",
          coerce_timestamps="us", allow_truncated_timestamps=True)
    write("dict_fallback_strings", pa.table({"s": pa.array([f"value-{i % 97}-{'x' * (i % 13)}" for i in range(3000)])}),
          dictionary_pagesize_limit=512, data_page_size=1024, row_group_size=1000)
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"corpus: {len(list(OUT.glob('*.parquet')))} files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
