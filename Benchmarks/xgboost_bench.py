#!/usr/bin/env python3
"""kiln-xgb vs pip xgboost vs LightGBM on the 1M x 28 binary data of shared/bench/make_data.py.

Each run is one fresh process doing the same work: read the raw CSV (label in column 0, no header),
bin, train hist / depth 6 / eta 0.3 / 100 rounds on 2 threads, save the model. Runs are
interleaved (kiln, xgboost, lightgbm, kiln, ...); wall time, CPU time and peak RSS (wait4) are
recorded per run and the ratios of the medians are reported. Test AUC is computed afterwards
from each saved model (outside the timing).

    .venv-xgb/bin/python Benchmarks/xgboost_bench.py --repeats 2
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

XGB_SCRIPT = r"""
import sys, xgboost as xgb
train, out, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = xgb.DMatrix(train + "?format=csv&label_column=0", nthread=2)
b = xgb.train(dict(tree_method="hist", max_depth=6, eta=0.3, objective="binary:logistic", nthread=2,
                   eval_metric="logloss"), d, rounds, evals=[(d, "train")] if "--eval" in sys.argv else [],
              verbose_eval=False)
b.save_model(out)
"""

LGB_SCRIPT = r"""
import sys, lightgbm as lgb
train, out, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
params = dict(objective="binary", num_leaves=64, max_depth=6, learning_rate=0.3, num_threads=2, max_bin=255,
              verbose=-1, header=False, label_column=0)
d = lgb.Dataset(train, params=params)
b = lgb.train(params, d, rounds)
b.save_model(out)
"""


def run_timed(cmd, env):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode()
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {err[-2000:]}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "peak_rss_mb": ru.ru_maxrss / 1024, "stderr": err}


def test_auc(lib, model, test_csv, kiln):
    from sklearn.metrics import roc_auc_score

    data = np.loadtxt(test_csv, delimiter=",", dtype=np.float32)
    y, X = data[:, 0], data[:, 1:]
    if lib == "kiln":
        r = subprocess.run([kiln, "predict", "--model", model, "--data", str(test_csv), "--content-type", "text/csv",
                            "--has-label"], capture_output=True, text=True, check=True)
        p = np.array(r.stdout.split(), dtype=np.float64)
    elif lib == "xgboost":
        import xgboost as xgb

        b = xgb.Booster()
        b.load_model(model)
        p = b.predict(xgb.DMatrix(X))
    else:
        import lightgbm as lgb

        p = lgb.Booster(model_file=model).predict(X)
    return float(roc_auc_score(y, p))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("KILN_BENCH_DATA", "/tmp/kiln-bench-data"))
    ap.add_argument("--kiln", default=str(REPO / ".build-release/release/kiln-xgb"))
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--libs", default="kiln,xgboost,lightgbm")
    ap.add_argument("--eval", action="store_true", help="print train logloss every round in kiln and xgboost")
    ap.add_argument("--out", default=str(REPO / "Benchmarks/results"))
    a = ap.parse_args()
    higgs = Path(a.data) / "higgs"
    train, test = higgs / "train.csv", higgs / "test.csv"
    if not train.exists():
        mk = REPO.parent / "shared/bench/make_data.py"
        subprocess.run([sys.executable, str(mk), "--only", "higgs", "--formats", "csv", "--out", a.data], check=True)
    env = dict(os.environ, OMP_NUM_THREADS="2", OMP_WAIT_POLICY="PASSIVE")
    libs = a.libs.split(",")
    models = {"kiln": "/tmp/bench-kiln-model.json", "xgboost": "/tmp/bench-xgb-model.json", "lightgbm": "/tmp/bench-lgb-model.txt"}
    cmds = {
        "kiln": [a.kiln, "train", "--train", str(train), "--content-type", "text/csv", "--model-out", models["kiln"],
                 "--param", f"num_round={a.rounds}", "--param", "max_depth=6", "--param", "eta=0.3",
                 "--param", "objective=binary:logistic", "--param", "tree_method=hist", "--param", "nthread=2",
                 "--profile"] + ([] if a.eval else ["--no-eval"]),
        "xgboost": [sys.executable, "-c", XGB_SCRIPT, str(train), models["xgboost"], str(a.rounds)] + (["--eval"] if a.eval else []),
        "lightgbm": [sys.executable, "-c", LGB_SCRIPT, str(train), models["lightgbm"], str(a.rounds)],
    }
    runs = {lib: [] for lib in libs}
    for rep in range(a.repeats):
        for lib in libs:
            with open("/proc/loadavg") as f:
                load = float(f.read().split()[0])
            r = run_timed(cmds[lib], env)
            r["load_before"] = load
            prof = [line for line in r.pop("stderr").splitlines() if line.startswith("profile:")]
            if prof:
                r["profile"] = prof[0]
            runs[lib].append(r)
            print(f"[{rep}] {lib:9s} wall {r['wall']:6.2f} s  cpu {r['cpu']:6.2f} s  peak {r['peak_rss_mb']:6.0f} MB  "
                  f"load {load:.1f}", flush=True)
            if prof:
                print("    " + prof[0], flush=True)
    summary = {}
    for lib in libs:
        summary[lib] = {
            "wall_median": statistics.median(r["wall"] for r in runs[lib]),
            "cpu_median": statistics.median(r["cpu"] for r in runs[lib]),
            "peak_rss_mb_max": max(r["peak_rss_mb"] for r in runs[lib]),
            "test_auc": test_auc(lib, models[lib], test, a.kiln),
        }
    print("\n| library | wall median s | CPU median s | peak RSS MB | test AUC | wall ratio kiln/lib |")
    print("|---|---:|---:|---:|---:|---:|")
    for lib in libs:
        s = summary[lib]
        ratio = summary["kiln"]["wall_median"] / s["wall_median"] if "kiln" in summary else float("nan")
        print(f"| {lib} | {s['wall_median']:.2f} | {s['cpu_median']:.2f} | {s['peak_rss_mb_max']:.0f} | "
              f"{s['test_auc']:.4f} | {ratio:.2f} |")
    Path(a.out).mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = Path(a.out) / f"xgboost-bench-{stamp}.json"
    out.write_text(json.dumps({"runs": runs, "summary": summary, "args": vars(a)}, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
