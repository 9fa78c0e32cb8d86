"""XGBoost training jobs and endpoints end to end through boto3: CSV, libsvm and RecordIO-protobuf input,
File and Pipe mode, bad rows named by file and line, Stop, the trained model served by an endpoint."""

import io
import os
import struct
import tarfile
import time

import pytest

from e2e_helpers import expect_client_error, unique_name
from test_training_jobs import XGB_IMAGE, job_request, wait_terminal

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"


def make_data(n=600, seed=1):
    import random
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        x = [rng.gauss(0, 1) for _ in range(4)]
        y = 1 if x[0] + 0.5 * x[1] + rng.gauss(0, 0.3) > 0 else 0
        rows.append((y, x))
    return rows


def as_csv(rows):
    return "\n".join(",".join([str(y)] + [f"{v:.6f}" for v in x]) for y, x in rows).encode()


def as_libsvm(rows):
    return "\n".join(f"{y} " + " ".join(f"{i}:{v:.6f}" for i, v in enumerate(x)) for y, x in rows).encode()


def as_recordio(rows):
    """RecordIO-protobuf as the SageMaker SDK writes it (features["values"], label["values"], float32)."""
    def varint(n):
        out = b""
        while n >= 0x80:
            out += bytes([(n & 0x7F) | 0x80])
            n >>= 7
        return out + bytes([n])

    def field(num, payload):
        return varint(num << 3 | 2) + varint(len(payload)) + payload

    def tensor(values):
        return field(2, field(1, b"".join(struct.pack("<f", v) for v in values)))

    out = b""
    for y, x in rows:
        record = field(1, field(1, b"values") + field(2, tensor(x))) + field(2, field(1, b"values") + field(2, tensor([float(y)])))
        out += struct.pack("<II", 0xCED7230A, len(record)) + record + b"\0" * ((4 - len(record) % 4) % 4)
    return out


def as_parquet(rows):
    """Label in column 0, features after it, as SageMaker XGBoost reads Parquet (written by pyarrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"label": [float(y) for y, _ in rows], **{f"f{i}": [x[i] for _, x in rows] for i in range(4)}})
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=200)
    return sink.getvalue()


@pytest.fixture(scope="module")
def sm(kiln):
    return kiln.client("sagemaker")


def channel(name, bucket, prefix, content_type, mode=None):
    c = {"ChannelName": name, "ContentType": content_type, "DataSource": {"S3DataSource": {
        "S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/{prefix}", "S3DataDistributionType": "FullyReplicated"}}}
    if mode:
        c["InputMode"] = mode
    return c


@pytest.mark.parametrize("content_type,encode,mode", [
    ("text/csv", as_csv, "File"), ("text/libsvm", as_libsvm, "File"),
    ("application/x-recordio-protobuf", as_recordio, "File"), ("application/x-parquet", as_parquet, "File"),
    ("text/csv", as_csv, "Pipe"), ("application/x-recordio-protobuf", as_recordio, "Pipe")])
def test_xgboost_trains_and_reports_metrics(sm, s3, bucket, content_type, encode, mode):
    rows = make_data()
    prefix = unique_name("data")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/train/part-0", Body=encode(rows[:450]))
    s3.put_object(Bucket=bucket, Key=f"{prefix}/validation/part-0", Body=encode(rows[450:]))
    name = unique_name("xgb")
    req = job_request(name, bucket, HyperParameters={"objective": "binary:logistic", "num_round": "15", "eval_metric": "auc", "max_depth": "3"},
                      InputDataConfig=[channel("train", bucket, f"{prefix}/train/", content_type, mode),
                                       channel("validation", bucket, f"{prefix}/validation/", content_type, mode)])
    sm.create_training_job(**req)
    d = wait_terminal(sm, name, timeout=120)
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    metrics = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
    assert metrics["validation:auc"] > 0.9 and metrics["train:auc"] > 0.9
    statuses = [t["Status"] for t in d["SecondaryStatusTransitions"]]
    assert statuses[-3:] == ["Training", "Uploading", "Completed"]
    key = d["ModelArtifacts"]["S3ModelArtifacts"].split(f"s3://{bucket}/", 1)[1]
    assert key == f"output/{name}/output/model.tar.gz"
    archive = tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    assert archive.getnames() == ["xgboost-model"]


def test_container_metrics_reach_final_metrics_and_drive_early_stopping(kiln, sm, s3, bucket):
    """accuracy / f1 / balanced_accuracy are the container's own metrics: logged after XGBoost's default logloss,
    parsed into FinalMetricDataList; the tuning metric (f1) joins the evaluation list, which is then sorted."""
    rows = make_data()
    prefix = unique_name("data")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/train/part-0", Body=as_csv(rows[:450]))
    s3.put_object(Bucket=bucket, Key=f"{prefix}/validation/part-0", Body=as_csv(rows[450:]))
    name = unique_name("xgb-metrics")
    req = job_request(name, bucket, HyperParameters={
        "objective": "binary:logistic", "num_round": "40", "max_depth": "3", "eval_metric": "accuracy,balanced_accuracy",
        "early_stopping_rounds": "5", "_tuning_objective_metric": "validation:f1"},
        InputDataConfig=[channel("train", bucket, f"{prefix}/train/", "text/csv"),
                         channel("validation", bucket, f"{prefix}/validation/", "text/csv")])
    sm.create_training_job(**req)
    d = wait_terminal(sm, name, timeout=120)
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    metrics = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
    for m in ("validation:accuracy", "validation:balanced_accuracy", "validation:f1", "validation:logloss", "train:accuracy"):
        assert m in metrics, sorted(metrics)
    assert 0.8 < metrics["validation:accuracy"] <= 1 and 0.8 < metrics["validation:f1"] <= 1
    logs = kiln.client("logs")
    stream = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=name)["logStreams"][0]
    events = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream["logStreamName"],
                                 startFromHead=True)["events"]
    first_round = next(e["message"] for e in events if e["message"].startswith("[0]")).replace("#011", "\t")
    assert [t.split(":")[0] for t in first_round.split("\t")[1:]] == [
        "train-logloss", "train-accuracy", "train-balanced_accuracy", "train-f1",
        "validation-logloss", "validation-accuracy", "validation-balanced_accuracy", "validation-f1"]


def _round_lines(kiln, name):
    from botocore.exceptions import ClientError
    logs = kiln.client("logs")
    try:
        streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=name)["logStreams"]
    except ClientError:  # the group appears with the first job's log
        return []
    if not streams:
        return []
    stream = streams[0]
    events = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream["logStreamName"],
                                 startFromHead=True)["events"]
    return [e["message"].replace("#011", "\t") for e in events]


def test_checkpoints_are_saved_to_s3_and_a_later_job_resumes_from_them(kiln, sm, s3, bucket):
    """CheckpointConfig: each round's model lands under S3Uri as xgboost-checkpoint.<round> (the job keeps the latest 5
    locally); a second
    job with the same S3Uri and more rounds goes on from the newest checkpoint and ends where one long job ends."""
    rows = make_data()
    prefix = unique_name("data")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/train/part-0", Body=as_csv(rows[:450]))
    s3.put_object(Bucket=bucket, Key=f"{prefix}/validation/part-0", Body=as_csv(rows[450:]))
    checkpoints = unique_name("ckpt")
    channels = [channel("train", bucket, f"{prefix}/train/", "text/csv"), channel("validation", bucket, f"{prefix}/validation/", "text/csv")]

    def run_job(rounds, checkpoint):
        name = unique_name("xgb-ckpt")
        extra = {"CheckpointConfig": {"S3Uri": f"s3://{bucket}/{checkpoints}"}} if checkpoint else {}
        sm.create_training_job(**job_request(name, bucket, HyperParameters={
            "objective": "binary:logistic", "num_round": str(rounds), "max_depth": "3", "eval_metric": "logloss"},
            InputDataConfig=channels, **extra))
        d = wait_terminal(sm, name, timeout=120)
        assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
        assert d.get("CheckpointConfig", {}).get("S3Uri") == (f"s3://{bucket}/{checkpoints}" if checkpoint else None)
        return name, d

    def saved():
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"{checkpoints}/").get("Contents", [])
        return sorted(int(o["Key"].rsplit(".", 1)[1]) for o in listed)

    first, _ = run_job(6, checkpoint=True)
    assert saved() == [1, 2, 3, 4, 5]
    second, resumed = run_job(10, checkpoint=True)
    lines = _round_lines(kiln, second)
    assert any("Resuming from checkpoint xgboost-checkpoint.5: 6 of 10 rounds done." in line for line in lines)
    rounds = [line.split("\t")[0] for line in lines if line.startswith("[")]
    assert rounds == [f"[{r}]" for r in range(6, 10)]
    assert saved() == list(range(1, 10))  # like SageMaker's sync, files pruned locally are not deleted from S3
    straight, whole = run_job(10, checkpoint=False)
    last_resumed = [line for line in lines if line.startswith("[9]")][0]
    last_straight = [line for line in _round_lines(kiln, straight) if line.startswith("[9]")][0]
    assert last_resumed == last_straight
    key = resumed["ModelArtifacts"]["S3ModelArtifacts"].split(f"s3://{bucket}/", 1)[1]
    archive = tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    model = archive.extractfile("xgboost-model").read()
    assert model.count(b'"split_indices"') == 10
    # Checkpoints of another model are refused with the reason, not silently mixed in.
    other = unique_name("xgb-ckpt")
    sm.create_training_job(**job_request(other, bucket, HyperParameters={"objective": "reg:squarederror", "num_round": "12"},
                                         InputDataConfig=channels, CheckpointConfig={"S3Uri": f"s3://{bucket}/{checkpoints}"}))
    d = wait_terminal(sm, other, timeout=120)
    assert d["TrainingJobStatus"] == "Failed" and "xgboost-checkpoint.9 does not continue this job" in d["FailureReason"]


@pytest.mark.parametrize("objective,columns", [("binary:logistic", 3), ("reg:squarederror", 2)])
def test_kfold_cross_validation(kiln, sm, s3, bucket, objective, columns):
    """_kfold=3, _num_cv_round=2: train and validation pooled, 6 models xgboost-model-<i>, the mean-over-folds lines the
    metric definitions read, and out-of-fold predictions for every row in output.tar.gz."""
    rows = make_data()
    prefix = unique_name("data")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/train/part-0", Body=as_csv(rows[:450]))
    s3.put_object(Bucket=bucket, Key=f"{prefix}/validation/part-0", Body=as_csv(rows[450:]))
    name = unique_name("xgb-kfold")
    metric = "auc" if objective.startswith("binary") else "rmse"
    sm.create_training_job(**job_request(name, bucket, HyperParameters={
        "objective": objective, "num_round": "8", "max_depth": "3", "eval_metric": metric, "_kfold": "3", "_num_cv_round": "2"},
        InputDataConfig=[channel("train", bucket, f"{prefix}/train/", "text/csv"),
                         channel("validation", bucket, f"{prefix}/validation/", "text/csv")]))
    d = wait_terminal(sm, name, timeout=180)
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    metrics = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
    assert f"validation:{metric}" in metrics and f"train:{metric}" in metrics
    if metric == "auc":
        assert 0.85 < metrics["validation:auc"] <= metrics["train:auc"] <= 1
    lines = _round_lines(kiln, name)
    assert any("Run 2-round of 3-fold cross validation with 600 rows" in line for line in lines)
    summaries = [line for line in lines if line.startswith("[8]\t")]
    assert len(summaries) == 3  # after each repeat, then over both
    assert [t.split(":")[0] for t in summaries[-1].split("\t")[1:]] == [f"train-{metric}", f"validation-{metric}"]
    key = d["ModelArtifacts"]["S3ModelArtifacts"].split(f"s3://{bucket}/", 1)[1]
    models = tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    assert sorted(models.getnames()) == [f"xgboost-model-{i}" for i in range(6)]
    output = tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket=bucket, Key=key.replace("model.tar.gz", "output.tar.gz"))["Body"].read()))
    predictions = output.extractfile("predictions.csv").read().decode().splitlines()
    assert len(predictions) == 600 and all(len(p.split(",")) == columns for p in predictions)
    labels = sorted(float(p.split(",")[0]) for p in predictions)
    assert labels == sorted(float(y) for y, _ in rows)
    if columns == 3:
        right = sum(1 for p in predictions if float(p.split(",")[0]) == float(p.split(",")[2]))
        assert right / 600 > 0.85


def test_malformed_csv_row_fails_with_file_and_line(sm, s3, bucket):
    rows = make_data(50)
    body = as_csv(rows).split(b"\n")
    body[6] = b"1,0.5,oops,0.1,0.2"
    prefix = unique_name("bad")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/train.csv", Body=b"\n".join(body))
    name = unique_name("badrow")
    sm.create_training_job(**job_request(name, bucket, prefix=f"{prefix}/", HyperParameters={"objective": "binary:logistic", "num_round": "3"}))
    d = wait_terminal(sm, name)
    assert d["TrainingJobStatus"] == "Failed"
    assert "train.csv" in d["FailureReason"] and "line 7" in d["FailureReason"], d["FailureReason"]


def test_unknown_hyperparameter_fails_the_job(sm, s3, bucket):
    prefix = unique_name("hp")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/train.csv", Body=as_csv(make_data(40)))
    name = unique_name("hp")
    sm.create_training_job(**job_request(name, bucket, prefix=f"{prefix}/", HyperParameters={"num_round": "3", "not_a_knob": "1"}))
    d = wait_terminal(sm, name)
    assert d["TrainingJobStatus"] == "Failed" and "not_a_knob" in d["FailureReason"]


def test_stop_a_long_job(sm, s3, bucket):
    prefix = unique_name("long")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/train.csv", Body=as_csv(make_data(3000)))
    name = unique_name("long")
    sm.create_training_job(**job_request(name, bucket, prefix=f"{prefix}/",
                                         HyperParameters={"objective": "binary:logistic", "num_round": "100000", "max_depth": "8", "eta": "0.01"}))
    deadline = time.time() + 60
    while sm.describe_training_job(TrainingJobName=name)["SecondaryStatus"] != "Training" and time.time() < deadline:
        time.sleep(0.2)
    sm.stop_training_job(TrainingJobName=name)
    assert sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] in ("Stopping", "Stopped")
    d = wait_terminal(sm, name, timeout=60)
    assert d["TrainingJobStatus"] == "Stopped"
    assert [t["Status"] for t in d["SecondaryStatusTransitions"]][-1] == "Stopped"


def test_stopped_job_keeps_its_model_with_save_model_on_termination(kiln, sm, s3, bucket):
    """save_model_on_termination=True (as the SDK sends Python's True): the model of the rounds done so far is
    uploaded when the job is stopped, and it loads in pip xgboost."""
    import xgboost as xgb
    prefix = unique_name("long")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/train.csv", Body=as_csv(make_data(3000)))
    name = unique_name("long-save")
    sm.create_training_job(**job_request(name, bucket, prefix=f"{prefix}/", HyperParameters={
        "objective": "binary:logistic", "num_round": "100000", "max_depth": "8", "eta": "0.01",
        "save_model_on_termination": "True"}))
    deadline = time.time() + 60
    while time.time() < deadline:  # stop once a few rounds are logged (so their model was written)
        if sm.describe_training_job(TrainingJobName=name)["SecondaryStatus"] == "Training" and \
                sum(line.startswith("[") for line in _round_lines(kiln, name)) >= 3:
            break
        time.sleep(0.2)
    sm.stop_training_job(TrainingJobName=name)
    d = wait_terminal(sm, name, timeout=60)
    assert d["TrainingJobStatus"] == "Stopped"
    key = d["ModelArtifacts"]["S3ModelArtifacts"].split(f"s3://{bucket}/", 1)[1]
    archive = tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    assert archive.getnames() == ["xgboost-model"]
    booster = xgb.Booster()
    booster.load_model(bytearray(archive.extractfile("xgboost-model").read()))
    assert booster.num_boosted_rounds() >= 1


def test_trained_model_serves_predictions(kiln, sm, s3, bucket):
    rows = make_data()
    prefix = unique_name("serve")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/train.csv", Body=as_csv(rows))
    job = unique_name("serve")
    sm.create_training_job(**job_request(job, bucket, prefix=f"{prefix}/",
                                         HyperParameters={"objective": "binary:logistic", "num_round": "10", "max_depth": "3"}))
    d = wait_terminal(sm, job, timeout=120)
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    model, cfg, ep = unique_name("m"), unique_name("c"), unique_name("e")
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": XGB_IMAGE, "ModelDataUrl": d["ModelArtifacts"]["S3ModelArtifacts"]})
    sm.create_endpoint_config(EndpointConfigName=cfg, ProductionVariants=[
        {"VariantName": "AllTraffic", "ModelName": model, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
    sm.create_endpoint(EndpointName=ep, EndpointConfigName=cfg)
    deadline = time.time() + 60
    while sm.describe_endpoint(EndpointName=ep)["EndpointStatus"] == "Creating" and time.time() < deadline:
        time.sleep(0.2)
    assert sm.describe_endpoint(EndpointName=ep)["EndpointStatus"] == "InService"
    runtime = kiln.client("sagemaker-runtime")
    positive, negative = "2.0,2.0,0,0", "-2.0,-2.0,0,0"
    out = runtime.invoke_endpoint(EndpointName=ep, ContentType="text/csv", Body=f"{positive}\n{negative}")
    scores = [float(v) for v in out["Body"].read().decode().split()]
    assert out["ContentType"] == "text/csv" and out["InvokedProductionVariant"] == "AllTraffic"
    assert scores[0] > 0.8 and scores[1] < 0.2
    as_json = runtime.invoke_endpoint(EndpointName=ep, ContentType="text/csv", Accept="application/json", Body=positive)["Body"].read()
    assert as_json.startswith(b'{"predictions": [{"score": ')
    libsvm = runtime.invoke_endpoint(EndpointName=ep, ContentType="text/libsvm", Body="0:2.0 1:2.0")["Body"].read()
    assert float(libsvm) > 0.8
    # Bad input is the caller's error; the endpoint keeps serving.
    expect_client_error(runtime.invoke_endpoint, EndpointName=ep, ContentType="text/csv", Body="1,2,3,4,5,6", code="ModelError")
    expect_client_error(runtime.invoke_endpoint, EndpointName=ep, ContentType="application/json", Body="{}", code="ModelError")
    expect_client_error(runtime.invoke_endpoint, EndpointName=ep, ContentType="text/csv", Body="1,x,3,4", code="ModelError")
    assert runtime.invoke_endpoint(EndpointName=ep, ContentType="text/csv", Body=positive)["Body"].read()
    # The AWS CLI too.
    out_file = f"/tmp/{ep}.out"
    kiln.aws("sagemaker-runtime", "invoke-endpoint", "--endpoint-name", ep, "--content-type", "text/csv",
             "--body", positive, out_file)
    with open(out_file) as f:
        assert float(f.read()) > 0.8
    os.unlink(out_file)
    sm.delete_endpoint(EndpointName=ep)


def deploy(sm, model_data, name_prefix):
    model, cfg, ep = unique_name(f"{name_prefix}-m"), unique_name(f"{name_prefix}-c"), unique_name(f"{name_prefix}-e")
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": XGB_IMAGE, "ModelDataUrl": model_data})
    sm.create_endpoint_config(EndpointConfigName=cfg, ProductionVariants=[
        {"VariantName": "AllTraffic", "ModelName": model, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
    return model, cfg, ep


def wait_in_service(sm, ep, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = sm.describe_endpoint(EndpointName=ep)["EndpointStatus"]
        if status not in ("Creating", "Updating"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"{ep} still {status}")


def train_model(sm, s3, bucket, rounds="5"):
    prefix = unique_name("d")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/train.csv", Body=as_csv(make_data(300)))
    job = unique_name("j")
    sm.create_training_job(**job_request(job, bucket, prefix=f"{prefix}/",
                                         HyperParameters={"objective": "binary:logistic", "num_round": rounds, "max_depth": "2"}))
    d = wait_terminal(sm, job, timeout=120)
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    return d["ModelArtifacts"]["S3ModelArtifacts"]


def test_update_endpoint_under_load_fails_no_request(kiln, sm, s3, bucket):
    import threading

    first, second = train_model(sm, s3, bucket, "3"), train_model(sm, s3, bucket, "8")
    _, cfg1, ep = deploy(sm, first, "blue")
    sm.create_endpoint(EndpointName=ep, EndpointConfigName=cfg1)
    assert wait_in_service(sm, ep) == "InService"
    _, cfg2, _ = deploy(sm, second, "green")
    runtime = kiln.client("sagemaker-runtime")
    failures, answers, stop = [], [], threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                answers.append(runtime.invoke_endpoint(EndpointName=ep, ContentType="text/csv", Body="1,1,0,0")["Body"].read())
            except Exception as e:  # any failed request fails the test
                failures.append(e)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    sm.update_endpoint(EndpointName=ep, EndpointConfigName=cfg2)
    assert wait_in_service(sm, ep) == "InService"
    time.sleep(0.3)
    stop.set()
    for t in threads:
        t.join()
    assert not failures, failures[:3]
    assert len(set(answers)) == 2, "both the old and the new model answered during the switch"
    assert sm.describe_endpoint(EndpointName=ep)["EndpointConfigName"] == cfg2


def test_endpoint_comes_back_after_restart(kiln_factory):
    server = kiln_factory.start()
    sm, s3 = server.client("sagemaker"), server.client("s3")
    bucket = unique_name("restart")
    s3.create_bucket(Bucket=bucket)
    _, cfg, ep = deploy(sm, train_model(sm, s3, bucket), "restart")
    sm.create_endpoint(EndpointName=ep, EndpointConfigName=cfg)
    assert wait_in_service(sm, ep) == "InService"
    before = server.client("sagemaker-runtime").invoke_endpoint(EndpointName=ep, ContentType="text/csv", Body="1,1,0,0")["Body"].read()
    server.stop()
    server.start()
    sm = server.client("sagemaker")
    assert wait_in_service(sm, ep) == "InService"
    after = server.client("sagemaker-runtime").invoke_endpoint(EndpointName=ep, ContentType="text/csv", Body="1,1,0,0")["Body"].read()
    assert after == before


def test_variant_weights_target_variant_and_weight_updates(kiln, sm, s3, bucket):
    data = train_model(sm, s3, bucket)
    a, b = unique_name("va"), unique_name("vb")
    for m in (a, b):
        sm.create_model(ModelName=m, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": XGB_IMAGE, "ModelDataUrl": data})
    cfg, ep = unique_name("wc"), unique_name("we")
    sm.create_endpoint_config(EndpointConfigName=cfg, ProductionVariants=[
        {"VariantName": "A", "ModelName": a, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large", "InitialVariantWeight": 1.0},
        {"VariantName": "B", "ModelName": b, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large", "InitialVariantWeight": 0.0}])
    assert cfg in [c["EndpointConfigName"] for c in sm.list_endpoint_configs(NameContains=cfg)["EndpointConfigs"]]
    sm.create_endpoint(EndpointName=ep, EndpointConfigName=cfg)
    assert wait_in_service(sm, ep) == "InService"
    runtime = kiln.client("sagemaker-runtime")
    served = {runtime.invoke_endpoint(EndpointName=ep, ContentType="text/csv", Body="1,1,0,0")["InvokedProductionVariant"] for _ in range(20)}
    assert served == {"A"}
    assert runtime.invoke_endpoint(EndpointName=ep, ContentType="text/csv", Body="1,1,0,0", TargetVariant="B")["InvokedProductionVariant"] == "B"
    sm.update_endpoint_weights_and_capacities(EndpointName=ep, DesiredWeightsAndCapacities=[
        {"VariantName": "A", "DesiredWeight": 0.0}, {"VariantName": "B", "DesiredWeight": 1.0, "DesiredInstanceCount": 2}])
    served = {runtime.invoke_endpoint(EndpointName=ep, ContentType="text/csv", Body="1,1,0,0")["InvokedProductionVariant"] for _ in range(20)}
    assert served == {"B"}
    variants = {v["VariantName"]: v for v in sm.describe_endpoint(EndpointName=ep)["ProductionVariants"]}
    assert variants["B"]["CurrentWeight"] == 1.0 and variants["B"]["CurrentInstanceCount"] == 2
    expect_client_error(sm.update_endpoint_weights_and_capacities, EndpointName=ep,
                        DesiredWeightsAndCapacities=[{"VariantName": "C", "DesiredWeight": 1.0}], code="ValidationException")
    expect_client_error(runtime.invoke_endpoint, EndpointName=ep, ContentType="text/csv", Body="1,1,0,0", TargetVariant="C",
                        code="ValidationError")


def long_job(sm, s3, bucket):
    prefix = unique_name("slow")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/train.csv", Body=as_csv(make_data(3000)))
    name = unique_name("slow")
    sm.create_training_job(**job_request(name, bucket, prefix=f"{prefix}/",
                                         HyperParameters={"objective": "binary:logistic", "num_round": "100000", "max_depth": "8", "eta": "0.01"}))
    return name


def test_jobs_queue_for_a_slot_and_a_restart_never_leaves_them_in_progress(kiln_factory):
    server = kiln_factory.start()  # one training slot by default
    sm, s3 = server.client("sagemaker"), server.client("s3")
    bucket = unique_name("queue")
    s3.create_bucket(Bucket=bucket)
    first, second = long_job(sm, s3, bucket), long_job(sm, s3, bucket)
    deadline = time.time() + 60
    while sm.describe_training_job(TrainingJobName=first)["SecondaryStatus"] != "Training" and time.time() < deadline:
        time.sleep(0.2)
    waiting = sm.describe_training_job(TrainingJobName=second)
    assert waiting["SecondaryStatus"] == "Starting"
    assert waiting["SecondaryStatusTransitions"][-1]["StatusMessage"] == "Waiting for a free training slot on this Kiln"
    server.kill()  # SIGKILL: workers die with the server
    server.start()
    sm = server.client("sagemaker")
    for name in (first, second):
        d = sm.describe_training_job(TrainingJobName=name)
        assert d["TrainingJobStatus"] == "Failed" and "Kiln restarted" in d["FailureReason"]
