"""InvokeEndpoint throughput: an XGBoost model of 100 trees, depth 6, 28 features, single-row text/csv requests
at 16 concurrent connections (wrk, 2 threads, 10 s), against a release `kiln serve`.

Kiln runs with `--auth accept-any` here so that wrk can replay one fixed (well-formed) signature; with SigV4 on,
each request also pays one signature check (see foundation.md for that cost on small S3 requests).
The reference (`../shared/bench/serve_app.py`, Flask + gunicorn like SageMaker's XGBoost container) is run by
`../shared/bench/anchors.py --groups serving`; run both in one session and quote the ratio.
"""
import argparse, json, os, random, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(__file__))
import foundation_bench as fb  # noqa: E402
import boto3  # noqa: E402

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", default=os.path.join(os.path.dirname(__file__), "..", ".build-release", "release", "kiln"))
    ap.add_argument("--seconds", type=int, default=10)
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
        lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        lua.write('wrk.method = "POST"\n')
        lua.write(f'wrk.body = "{row}"\n')
        lua.write('wrk.headers["Content-Type"] = "text/csv"\n')
        lua.write('wrk.headers["X-Amz-Date"] = "20261122T000000Z"\n')
        lua.write('wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20261122/us-east-1/sagemaker/aws4_request, '
                  'SignedHeaders=host;x-amz-date, Signature=0000"\n')
        lua.write('done = function(s, latency, r) io.write(string.format("KILN %d %d %d %d %d\\n", s.requests, s.duration, '
                  's.errors.status, latency:percentile(50), latency:percentile(99))) end\n')
        lua.close()
        out = subprocess.run(["wrk", "-t2", "-c16", f"-d{a.seconds}s", "-s", lua.name, env["AWS_ENDPOINT_URL"] + "/endpoints/bench/invocations"],
                             capture_output=True, text=True, check=True).stdout
        requests, duration, bad, p50, p99 = map(int, [l for l in out.splitlines() if l.startswith("KILN ")][0].split()[1:])
        assert bad == 0, out
        print(json.dumps({"requests_per_s": round(requests / (duration / 1e6)), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000,
                          "trees": 100, "depth": 6, "features": 28, "connections": 16}))
    finally:
        proc.terminate()
        proc.wait(30)
        subprocess.run(["rm", "-rf", data])


if __name__ == "__main__":
    main()
