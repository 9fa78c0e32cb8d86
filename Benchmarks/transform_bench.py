"""Batch transform benchmark: 1M CSV rows (HIGGS, 28 features) through a Kiln transform job versus pip xgboost's own
batch predict from Python on the same file.

The model is trained once by pip xgboost (100 trees, depth 6, on the 100k-row HIGGS test file) and handed to Kiln as
`model.tar.gz`, so both sides predict with the very same trees. Kiln runs a release `kiln serve` on a free port with a
temporary data folder; the job is SplitType Line, MultiRecord, MaxPayloadInMB 6, AssembleWith Line.

Reported, per repetition: Kiln's wall time from CreateTransformJob to Completed (polling Describe every 50 ms), the
worker's own time (its log line), and for xgboost the time to read the CSV (pandas) plus predict, and predict alone.
The outputs are compared row by row. Run it alone on the machine, twice; quote medians.
"""
import argparse, io, json, os, re, shutil, statistics, subprocess, tarfile, tempfile, time

import boto3
import numpy as np
import pandas as pd
import xgboost

DATA = "/tmp/kiln-bench-data/higgs"


def features_file(rows):
    """The first `rows` rows of HIGGS train.csv without the label column (cached next to it)."""
    path = f"{DATA}/features_{rows // 1000}k.csv"
    if not os.path.exists(path):
        with open(f"{DATA}/train.csv") as src, open(path + ".tmp", "w") as dst:
            for i, line in enumerate(src):
                if i == rows:
                    break
                dst.write(line.split(",", 1)[1])
        os.rename(path + ".tmp", path)
    return path


def train_model(workdir):
    test = pd.read_csv(f"{DATA}/test.csv", header=None)
    booster = xgboost.train({"objective": "binary:logistic", "max_depth": 6, "eta": 0.3, "tree_method": "hist"},
                            xgboost.DMatrix(test.iloc[:, 1:].values, label=test.iloc[:, 0].values), num_boost_round=100)
    model_file = os.path.join(workdir, "xgboost-model")
    booster.save_model(model_file + ".json")
    os.rename(model_file + ".json", model_file)
    archive = os.path.join(workdir, "model.tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(model_file, arcname="xgboost-model")
    return booster, archive


def start_kiln(binary, data_dir):
    p = subprocess.Popen([binary, "serve", "--data-dir", data_dir, "--port", "0", "--log-level", "warning"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout:
        if line.startswith("export AWS_ENDPOINT_URL="):
            return p, dict(kv.split("=", 1) for kv in line.split()[1:])
    raise RuntimeError("kiln did not start")


def kiln_transform(clients, bucket, model, rows, concurrency, payload):
    sm, logs = clients["sagemaker"], clients["logs"]
    name = f"bench-{int(time.time() * 1000)}"
    t0 = time.perf_counter()
    sm.create_transform_job(
        TransformJobName=name, ModelName=model, BatchStrategy="MultiRecord", MaxPayloadInMB=payload, MaxConcurrentTransforms=concurrency,
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/in/"}},
                        "ContentType": "text/csv", "SplitType": "Line"},
        TransformOutput={"S3OutputPath": f"s3://{bucket}/out/{name}", "AssembleWith": "Line", "Accept": "text/csv"},
        TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1})
    while True:
        d = sm.describe_transform_job(TransformJobName=name)
        if d["TransformJobStatus"] in ("Completed", "Failed", "Stopped"):
            break
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    assert d["TransformJobStatus"] == "Completed", d.get("FailureReason")
    stream = logs.describe_log_streams(logGroupName="/aws/sagemaker/TransformJobs", logStreamNamePrefix=name + "/")["logStreams"][0]
    text = "\n".join(e["message"] for e in logs.get_log_events(logGroupName="/aws/sagemaker/TransformJobs",
                                                                logStreamName=stream["logStreamName"], startFromHead=True)["events"])
    m = re.search(r"Transformed .*: (\d+) record\(s\) in (\d+) invocation\(s\), ([0-9.]+) s", text)
    assert m and int(m.group(1)) == rows, text
    return name, wall, float(m.group(3)), int(m.group(2))


def xgboost_predict(booster, path):
    t0 = time.perf_counter()
    frame = pd.read_csv(path, header=None, dtype=np.float32)
    t1 = time.perf_counter()
    predictions = booster.predict(xgboost.DMatrix(frame.values))
    t2 = time.perf_counter()
    return predictions, t2 - t0, t2 - t1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", default=os.path.join(os.path.dirname(__file__), "..", ".build-release", "release", "kiln"))
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=os.cpu_count())
    ap.add_argument("--payload", type=int, default=6)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()

    path = features_file(args.rows)
    work = tempfile.mkdtemp(prefix="kiln-transform-bench-")
    server = None
    try:
        booster, archive = train_model(work)
        server, env = start_kiln(os.path.abspath(args.kiln), os.path.join(work, "data"))
        session = boto3.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                                region_name=env["AWS_DEFAULT_REGION"])
        clients = {s: session.client(s, endpoint_url=env["AWS_ENDPOINT_URL"]) for s in ("s3", "sagemaker", "logs")}
        s3 = clients["s3"]
        bucket = "bench"
        s3.create_bucket(Bucket=bucket)
        s3.upload_file(archive, bucket, "model/model.tar.gz")
        s3.upload_file(path, bucket, "in/features.csv")
        clients["sagemaker"].create_model(ModelName="bench-model", ExecutionRoleArn="arn:aws:iam::000000000000:role/Bench", PrimaryContainer={
            "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", "ModelDataUrl": f"s3://{bucket}/model/model.tar.gz"})

        kiln_wall, kiln_worker, xgb_total, xgb_predict = [], [], [], []
        for i in range(args.repeat):
            name, wall, worker, calls = kiln_transform(clients, bucket, "bench-model", args.rows, args.concurrency, args.payload)
            kiln_wall.append(wall)
            kiln_worker.append(worker)
            expected, total, predict_only = xgboost_predict(booster, path)
            xgb_total.append(total)
            xgb_predict.append(predict_only)
            print(f"run {i + 1}: kiln {wall:.2f} s wall ({worker:.2f} s in the worker, {calls} invocations); "
                  f"xgboost read+predict {total:.2f} s (predict alone {predict_only:.2f} s)", flush=True)
        body = s3.get_object(Bucket=bucket, Key=f"out/{name}/features.csv.out")["Body"].read()
        got = np.array(body.split(), dtype=np.float64)
        max_diff = float(np.max(np.abs(got - expected)))
        assert len(got) == args.rows and max_diff < 1e-5, max_diff

        med = {k: statistics.median(v) for k, v in
               {"kiln_wall": kiln_wall, "kiln_worker": kiln_worker, "xgb_total": xgb_total, "xgb_predict": xgb_predict}.items()}
        rate = {k: args.rows / v for k, v in med.items()}
        result = {"rows": args.rows, "repeat": args.repeat, "concurrency": args.concurrency, "max_payload_mb": args.payload,
                  "cpus": os.cpu_count(), "xgboost": xgboost.__version__, "max_abs_diff": max_diff, "median_seconds": med,
                  "median_rows_per_s": rate, "ratio_kiln_wall_vs_xgboost_read_predict": rate["kiln_wall"] / rate["xgb_total"],
                  "runs": {"kiln_wall": kiln_wall, "kiln_worker": kiln_worker, "xgb_total": xgb_total, "xgb_predict": xgb_predict},
                  "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
        print(f"\n| measure ({args.rows:,} rows, median of {args.repeat}) | seconds | rows/s |\n| --- | ---: | ---: |")
        for label, key in (("Kiln transform job, create → Completed", "kiln_wall"), ("Kiln worker alone (read, predict, write)", "kiln_worker"),
                           ("xgboost: pandas read_csv + predict", "xgb_total"), ("xgboost: predict alone (data in memory)", "xgb_predict")):
            print(f"| {label} | {med[key]:.2f} | {rate[key]:,.0f} |")
        print(f"\nKiln job vs xgboost read+predict: {result['ratio_kiln_wall_vs_xgboost_read_predict']:.2f}×; outputs agree to {max_diff:.1e}")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(result, f, indent=2)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
