#!/usr/bin/env bash
# Sets up everything a fresh clone needs and runs every test: Swift unit tests, then the end-to-end suite
# that drives a real `kiln serve` with the pinned AWS clients.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: zlib, SQLite and zstd headers (zstd is Parquet's ZSTD codec); installed if missing.
if ! [ -f /usr/include/zlib.h ] || ! [ -f /usr/include/sqlite3.h ] || ! [ -f /usr/include/zstd.h ]; then
    if command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq zlib1g-dev libsqlite3-dev libzstd-dev
    fi
fi

# Java for the local Spark of the Parquet interop test.
if ! command -v java >/dev/null && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless
fi

# Python venv with the pinned clients.
# One venv for every Python suite; constraints.txt pins every transitive package too (pip freeze of a working install).
REQUIREMENTS="tests/e2e/requirements.txt tests/xgboost/requirements.txt tests/parquet/requirements.txt"
if ! [ -x .venv/bin/python ] || ! cat $REQUIREMENTS tests/e2e/constraints.txt | cmp -s - .venv/.requirements 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install -q $(printf -- '-r %s ' $REQUIREMENTS) -c tests/e2e/constraints.txt
    cat $REQUIREMENTS tests/e2e/constraints.txt > .venv/.requirements
fi

# sagemaker-pyspark needs Spark 3.3 (its jars are built against it): a second venv for the Spark suite.
SPARK_REQUIREMENTS="tests/spark/requirements.txt tests/spark/constraints.txt"
if ! [ -x .venv-spark/bin/python ] || ! cat $SPARK_REQUIREMENTS | cmp -s - .venv-spark/.requirements 2>/dev/null; then
    python3 -m venv .venv-spark
    .venv-spark/bin/pip install -q -r tests/spark/requirements.txt -c tests/spark/constraints.txt
    cat $SPARK_REQUIREMENTS > .venv-spark/.requirements
fi

echo "== swift build"
swift build --build-tests
echo "== swift test"
swift test --skip-build
echo "== end-to-end and parity suites (pytest)"
export KILN_BIN="$PWD/.build/debug/kiln" KILN_XGB="$PWD/.build/debug/kiln-xgb" PARQUET_TOOL="$PWD/.build/debug/ParquetTool" KILN_E2E_REQUIRE=1
PATH="$PWD/.venv/bin:$PATH" .venv/bin/python -m pytest tests/e2e tests/xgboost tests/parquet -q -p no:cacheprovider "$@"
echo "== sagemaker-spark suite (local-mode PySpark 3.3)"
PATH="$PWD/.venv-spark/bin:$PATH" .venv-spark/bin/python -m pytest tests/spark -q -p no:cacheprovider
