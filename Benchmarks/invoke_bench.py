"""InvokeEndpoint throughput: an XGBoost model of 100 trees, depth 6, 28 features, single-row text/csv requests
at 16 concurrent connections (wrk, 2 threads, 10 s), against a release `kiln serve`.

Kiln runs with `--auth accept-any` here so that wrk can replay one fixed (well-formed) signature; with SigV4 on,
each request also pays one signature check (see foundation.md for that cost on small S3 requests).
With `--reference-python PY` (a Python with flask, gunicorn, gevent and xgboost, e.g. a venv made from
`../shared/bench/requirements.txt`), the same run also serves the very same model with the reference,
`../shared/bench/serve_app.py` (Flask + gunicorn + gevent, 2 workers, built like SageMaker's XGBoost container),
and measures it with the same wrk settings, alternating Kiln and reference `--rounds` times.
"""
import argparse, io, json, os, random, socket, subprocess, sys, tarfile, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import foundation_bench as fb  # noqa: E402
import boto3  # noqa: E402

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", default=os.path.join(os.path.dirname(__file__), "..", ".build-release", "release", "kiln"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--reference-python", help="Python that can run ../shared/bench/serve_app.py under gunicorn")
    ap.add_argument("--rounds", type=int, default=1, help="Kiln/reference alternations")
    a = ap.parse_args()
    data = tempfile.mkdtemp(prefix="kiln-invoke-")
    proc = subprocess.Popen([a.kiln, "serve", "--data-dir", data, "--port", "0", "--auth", "accept-any", "--log-level", "error"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        env = None
        for line in proc.stdout:
            if line.startswith("export AWS_ENDPOINT_URL="):
                env = dict(kv.split("=", 1) for kv in line.split()[1:])
                break
        session = boto3.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                                region_name="us-east-1")
        s3, sm = (session.client(s, endpoint_url=env["AWS_ENDPOINT_URL"]) for s in ("s3", "sagemaker"))
        rng = random.Random(0)
        rows = []
        for _ in range(20000):
            x = [rng.gauss(0, 1) for _ in range(28)]
            rows.append(",".join([str(int(sum(x[:5]) > 0))] + [f"{v:.4f}" for v in x]))
        s3.create_bucket(Bucket="bench")
        s3.put_object(Bucket="bench", Key="train/train.csv", Body="\n".join(rows).encode())
        sm.create_training_job(
            TrainingJobName="bench", RoleArn="arn:aws:iam::000000000000:role/r",
            AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            HyperParameters={"objective": "binary:logistic", "num_round": "100", "max_depth": "6", "eta": "0.3"},
            InputDataConfig=[{"ChannelName": "train", "ContentType": "text/csv", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": "s3://bench/train/", "S3DataDistributionType": "FullyReplicated"}}}],
            OutputDataConfig={"S3OutputPath": "s3://bench/out"},
            ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
            StoppingCondition={"MaxRuntimeInSeconds": 600})
        while (d := sm.describe_training_job(TrainingJobName="bench"))["TrainingJobStatus"] == "InProgress":
            time.sleep(0.2)
        assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
        sm.create_model(ModelName="bench", ExecutionRoleArn="arn:aws:iam::000000000000:role/r",
                        PrimaryContainer={"Image": IMAGE, "ModelDataUrl": d["ModelArtifacts"]["S3ModelArtifacts"]})
        sm.create_endpoint_config(EndpointConfigName="bench", ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": "bench", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
        sm.create_endpoint(EndpointName="bench", EndpointConfigName="bench")
        while sm.describe_endpoint(EndpointName="bench")["EndpointStatus"] == "Creating":
            time.sleep(0.1)
        row = rows[0].split(",", 1)[1]
        model_json = None
        if a.reference_python:
            bucket, key = d["ModelArtifacts"]["S3ModelArtifacts"][len("s3://"):].split("/", 1)
            archive = tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
            model_json = os.path.join(data, "xgboost-model.json")
            with open(model_json, "wb") as f:
                f.write(archive.extractfile("xgboost-model").read())
        for r in range(a.rounds):
            kiln = run_wrk(env["AWS_ENDPOINT_URL"] + "/endpoints/bench/invocations", row, a.seconds, signed=True)
            print(json.dumps({"server": "kiln", "round": r, **kiln, "trees": 100, "depth": 6, "features": 28, "connections": 16}), flush=True)
            if model_json:
                ref = run_reference(a.reference_python, model_json, row, a.seconds)
                print(json.dumps({"server": "serve_app.py (gunicorn+gevent, 2 workers, SERVE_MODE=sm)", "round": r, **ref,
                                  "kiln_over_reference": round(kiln["requests_per_s"] / ref["requests_per_s"], 2)}), flush=True)
    finally:
        proc.terminate()
        proc.wait(30)
        subprocess.run(["rm", "-rf", data])


def run_wrk(url, row, seconds, signed):
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    lua.write('wrk.method = "POST"\n')
    lua.write(f'wrk.body = "{row}"\n')
    lua.write('wrk.headers["Content-Type"] = "text/csv"\n')
    if signed:
        lua.write('wrk.headers["X-Amz-Date"] = "20261122T000000Z"\n')
        lua.write('wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20261122/us-east-1/sagemaker/aws4_request, '
                  'SignedHeaders=host;x-amz-date, Signature=0000"\n')
    lua.write('done = function(s, latency, r) io.write(string.format("KILN %d %d %d %d %d\\n", s.requests, s.duration, '
              's.errors.status, latency:percentile(50), latency:percentile(99))) end\n')
    lua.close()
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", lua.name, url], capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    requests, duration, bad, p50, p99 = map(int, [l for l in out.splitlines() if l.startswith("KILN ")][0].split()[1:])
    assert bad == 0, out
    return {"requests_per_s": round(requests / (duration / 1e6)), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000}


def run_reference(python, model_json, row, seconds):
    """serve_app.py as ../shared/bench/anchors.py starts it (gunicorn, gevent workers, one per core)."""
    bench = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gunicorn = os.path.join(os.path.dirname(python), "gunicorn")
    srv = subprocess.Popen([gunicorn, "-w", "2", "-k", "gevent", "--keep-alive", "60", "-b", f"127.0.0.1:{port}",
                            "--log-level", "warning", "serve_app:app"], cwd=bench,
                           # As ../shared/bench/anchors.py runs it: 2 threads per library, passive OpenMP waits.
                           env=dict(os.environ, MODEL_PATH=model_json, SERVE_MODE="sm", OMP_NUM_THREADS="2",
                                    OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2", OMP_WAIT_POLICY="PASSIVE"),
                           stdout=subprocess.DEVNULL, stderr=open(model_json + ".gunicorn.log", "w"), start_new_session=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2):
                    break
            except OSError:
                assert time.time() < deadline and srv.poll() is None, \
                    "serve_app.py did not start: " + open(model_json + ".gunicorn.log").read()[-2000:]
                time.sleep(0.2)
        return run_wrk(f"http://127.0.0.1:{port}/invocations", row, seconds, signed=False)
    finally:
        if srv.poll() is None:
            os.killpg(srv.pid, 15)
        srv.wait(30)


if __name__ == "__main__":
    main()
