"""Batch transform end to end: CreateTransformJob / Describe / List / Stop through boto3 and the unmodified
`sagemaker` SDK v2 (`Transformer.transform(..., split_type="Line", wait=True, logs=True)`), on an XGBoost model
Kiln trained; `.out` files compared with pip xgboost's predictions from the same model file."""

import gzip
import io
import json
import tarfile
import time

import pytest

from e2e_helpers import expect_client_error, unique_name
from test_training_jobs import XGB_IMAGE
from test_xgboost_jobs import ROLE, as_csv, as_recordio, make_data, train_model

xgboost = pytest.importorskip("xgboost")
np = pytest.importorskip("numpy")


@pytest.fixture(scope="module")
def sm(kiln):
    return kiln.client("sagemaker")


@pytest.fixture(scope="module")
def trained(kiln, sm):
    """One XGBoost model trained by Kiln, registered as a SageMaker model, and its booster loaded by pip xgboost."""
    s3 = kiln.client("s3")
    bucket = unique_name("bt-model")
    s3.create_bucket(Bucket=bucket)
    model_data = train_model(sm, s3, bucket, rounds="8")
    model = unique_name("bt-m")
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": XGB_IMAGE, "ModelDataUrl": model_data})
    key = model_data.split("/", 3)[3]
    archive = tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    raw = archive.extractfile("xgboost-model").read()
    booster = xgboost.Booster()
    booster.load_model(bytearray(raw))
    return {"model": model, "booster": booster}


def features(n, seed):
    return [x for _, x in make_data(n, seed=seed)]


def features_csv(rows):
    return ("\n".join(",".join(f"{v:.6f}" for v in x) for x in rows) + "\n").encode()


def local_predictions(booster, rows):
    return booster.predict(xgboost.DMatrix(np.array(rows, dtype=np.float32)))


def transform_request(name, model, bucket, in_prefix, out_prefix, **overrides):
    r = {
        "TransformJobName": name, "ModelName": model,
        "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/{in_prefix}"}},
                           "ContentType": "text/csv", "SplitType": "Line"},
        "TransformOutput": {"S3OutputPath": f"s3://{bucket}/{out_prefix}", "AssembleWith": "Line"},
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
    }
    for k, v in overrides.items():
        if isinstance(v, dict) and isinstance(r.get(k), dict):
            r[k] = {**r[k], **v}
        else:
            r[k] = v
    return r


def wait_transform(sm, name, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sm.describe_transform_job(TransformJobName=name)
        if d["TransformJobStatus"] in ("Completed", "Failed", "Stopped"):
            return d
        time.sleep(0.2)
    raise AssertionError(f"transform job {name} still {d['TransformJobStatus']}")


def read_lines(s3, bucket, key):
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()


def test_sdk_transformer_line_split_matches_local_predictions(kiln, sm, s3, bucket, trained, tmp_path, monkeypatch, capsys):
    sagemaker = pytest.importorskip("sagemaker")
    import boto3
    from sagemaker.transformer import Transformer

    config = tmp_path / "sagemaker-config.yaml"
    config.write_text("SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n"
                      f"      Session:\n        DefaultS3Bucket: {bucket}\n")
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))
    monkeypatch.setenv("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    for name, value in kiln.cli_env().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    session = sagemaker.Session(boto_session=boto3.Session(aws_access_key_id=kiln.access_key, aws_secret_access_key=kiln.secret_key,
                                                           region_name=kiln.region), default_bucket=bucket)
    first, second = features(700, seed=11), features(300, seed=12)
    s3.put_object(Bucket=bucket, Key="sdk-in/a.csv", Body=features_csv(first))
    s3.put_object(Bucket=bucket, Key="sdk-in/nested/b.csv", Body=features_csv(second))
    transformer = Transformer(model_name=trained["model"], instance_count=1, instance_type="ml.m5.large",
                              output_path=f"s3://{bucket}/sdk-out", assemble_with="Line", accept="text/csv",
                              strategy="MultiRecord", max_payload=1, sagemaker_session=session)
    transformer.transform(f"s3://{bucket}/sdk-in/", content_type="text/csv", split_type="Line", wait=True, logs=True)
    printed = capsys.readouterr().out
    assert "Transformed s3://" in printed, printed[-2000:]
    d = sm.describe_transform_job(TransformJobName=transformer.latest_transform_job.name)
    assert d["TransformJobStatus"] == "Completed"
    for key, rows in (("sdk-out/a.csv.out", first), ("sdk-out/nested/b.csv.out", second)):
        got = np.array([float(v) for v in read_lines(s3, bucket, key)])
        assert len(got) == len(rows)
        np.testing.assert_allclose(got, local_predictions(trained["booster"], rows), rtol=1e-5, atol=1e-6)


def test_single_record_recordio_gzip_and_whole_objects_give_the_same_predictions(sm, s3, bucket, trained):
    rows = features(400, seed=21)
    expected = local_predictions(trained["booster"], rows)
    s3.put_object(Bucket=bucket, Key="single/in.csv", Body=features_csv(rows))
    s3.put_object(Bucket=bucket, Key="gz/in.csv.gz", Body=gzip.compress(features_csv(rows)))
    s3.put_object(Bucket=bucket, Key="rio/in.pbr", Body=as_recordio([(0, x) for x in rows]))
    jobs = {
        "single": transform_request(unique_name("bt-single"), trained["model"], bucket, "single/", "single-out/",
                                    BatchStrategy="SingleRecord", MaxConcurrentTransforms=3),
        "gz": transform_request(unique_name("bt-gz"), trained["model"], bucket, "gz/", "gz-out/",
                                TransformInput={"CompressionType": "Gzip"}, BatchStrategy="MultiRecord"),
        "rio": transform_request(unique_name("bt-rio"), trained["model"], bucket, "rio/", "rio-out/",
                                 TransformInput={"ContentType": "application/x-recordio-protobuf", "SplitType": "RecordIO"},
                                 BatchStrategy="MultiRecord", MaxPayloadInMB=1),
        "whole": transform_request(unique_name("bt-whole"), trained["model"], bucket, "single/", "whole-out/",
                                   TransformInput={"SplitType": "None"}),
    }
    for r in jobs.values():
        sm.create_transform_job(**r)
    outputs = {"single": "single-out/in.csv.out", "gz": "gz-out/in.csv.gz.out", "rio": "rio-out/in.pbr.out", "whole": "whole-out/in.csv.out"}
    for label, r in jobs.items():
        d = wait_transform(sm, r["TransformJobName"])
        assert d["TransformJobStatus"] == "Completed", (label, d.get("FailureReason"))
        got = np.array([float(v) for v in read_lines(s3, bucket, outputs[label])])
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6, err_msg=label)


def test_input_filter_join_and_output_filter(sm, s3, bucket, trained):
    rows = features(250, seed=31)
    ids = [f"id{i}" for i in range(len(rows))]
    body = "\n".join(f"{i}," + ",".join(f"{v:.6f}" for v in x) for i, x in zip(ids, rows)).encode()
    s3.put_object(Bucket=bucket, Key="join/in.csv", Body=body)
    expected = local_predictions(trained["booster"], rows)
    for strategy in ("MultiRecord", "SingleRecord"):
        name = unique_name("bt-join")
        sm.create_transform_job(**transform_request(name, trained["model"], bucket, "join/", f"join-out-{strategy}/", BatchStrategy=strategy,
                                                    DataProcessing={"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]"}))
        d = wait_transform(sm, name)
        assert d["TransformJobStatus"] == "Completed", d.get("FailureReason")
        assert d["DataProcessing"] == {"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]"}
        lines = read_lines(s3, bucket, f"join-out-{strategy}/in.csv.out")
        assert [line.split(",")[0] for line in lines] == ids
        np.testing.assert_allclose([float(line.split(",")[1]) for line in lines], expected, rtol=1e-5, atol=1e-6)
    # Join without an output filter: every input column, then the prediction.
    name = unique_name("bt-join-all")
    sm.create_transform_job(**transform_request(name, trained["model"], bucket, "join/", "join-all/",
                                                DataProcessing={"InputFilter": "$[1:]", "JoinSource": "Input"}))
    assert wait_transform(sm, name)["TransformJobStatus"] == "Completed"
    first = read_lines(s3, bucket, "join-all/in.csv.out")[0].split(",")
    assert first[:5] == body.decode().split("\n")[0].split(",") and len(first) == 6


def test_manifest_file_input(sm, s3, bucket, trained):
    a, b = features(50, seed=41), features(60, seed=42)
    s3.put_object(Bucket=bucket, Key="man/data/a.csv", Body=features_csv(a))
    s3.put_object(Bucket=bucket, Key="man/data/deep/b.csv", Body=features_csv(b))
    s3.put_object(Bucket=bucket, Key="man/data/ignored.csv", Body=b"not,numbers\n")
    manifest = [{"prefix": f"s3://{bucket}/man/data/"}, "a.csv", "deep/b.csv"]
    s3.put_object(Bucket=bucket, Key="man/input.manifest", Body=json.dumps(manifest).encode())
    name = unique_name("bt-manifest")
    sm.create_transform_job(**transform_request(name, trained["model"], bucket, "man/input.manifest", "man-out",
                                                TransformInput={"DataSource": {"S3DataSource": {
                                                    "S3DataType": "ManifestFile", "S3Uri": f"s3://{bucket}/man/input.manifest"}}}))
    d = wait_transform(sm, name)
    assert d["TransformJobStatus"] == "Completed", d.get("FailureReason")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="man-out/")["Contents"])
    assert keys == ["man-out/a.csv.out", "man-out/deep/b.csv.out"]
    np.testing.assert_allclose([float(v) for v in read_lines(s3, bucket, "man-out/deep/b.csv.out")],
                               local_predictions(trained["booster"], b), rtol=1e-5, atol=1e-6)


def test_malformed_row_fails_with_object_and_line(kiln, sm, s3, bucket, trained):
    s3.put_object(Bucket=bucket, Key="bad/a.csv", Body=features_csv(features(20, seed=51)))
    s3.put_object(Bucket=bucket, Key="bad/b.csv", Body=b"0.1,0.2,0.3,0.4\n0.5,0.6,0.7,0.8\n0.1,oops,0.3,0.4\n")
    name = unique_name("bt-bad")
    sm.create_transform_job(**transform_request(name, trained["model"], bucket, "bad/", "bad-out/"))
    d = wait_transform(sm, name)
    assert d["TransformJobStatus"] == "Failed"
    assert f"s3://{bucket}/bad/b.csv, line 3" in d["FailureReason"], d["FailureReason"]
    assert "oops" in d["FailureReason"]
    assert "bad-out/" not in str(s3.list_objects_v2(Bucket=bucket, Prefix="bad-out/").get("Contents", []))
    # Too many features is the model's error too, named the same way.
    s3.put_object(Bucket=bucket, Key="wide/a.csv", Body=b"0.1,0.2,0.3,0.4\n1,2,3,4,5,6,7\n")
    name = unique_name("bt-wide")
    sm.create_transform_job(**transform_request(name, trained["model"], bucket, "wide/", "wide-out/", BatchStrategy="SingleRecord"))
    d = wait_transform(sm, name)
    assert d["TransformJobStatus"] == "Failed" and f"s3://{bucket}/wide/a.csv, line 2" in d["FailureReason"], d["FailureReason"]
    # An oversized record against MaxPayloadInMB.
    s3.put_object(Bucket=bucket, Key="huge/a.csv", Body=b"0.5," * 400_000 + b"1\n")
    name = unique_name("bt-huge")
    sm.create_transform_job(**transform_request(name, trained["model"], bucket, "huge/", "huge-out/", MaxPayloadInMB=1))
    d = wait_transform(sm, name)
    assert d["TransformJobStatus"] == "Failed" and "MaxPayloadInMB" in d["FailureReason"], d["FailureReason"]


def test_logs_in_cloudwatch(kiln, sm, s3, bucket, trained):
    s3.put_object(Bucket=bucket, Key="logs/a.csv", Body=features_csv(features(10, seed=61)))
    name = unique_name("bt-logs")
    sm.create_transform_job(**transform_request(name, trained["model"], bucket, "logs/", "logs-out/"))
    assert wait_transform(sm, name)["TransformJobStatus"] == "Completed"
    logs = kiln.client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TransformJobs", logStreamNamePrefix=f"{name}/",
                                        orderBy="LogStreamName", limit=1)
    assert len(streams["logStreams"]) == 1 and "nextToken" not in streams
    events = logs.get_log_events(logGroupName="/aws/sagemaker/TransformJobs", logStreamName=streams["logStreams"][0]["logStreamName"],
                                 startFromHead=True)["events"]
    text = "\n".join(e["message"] for e in events)
    assert f"Transformed s3://{bucket}/logs/a.csv: 10 record(s)" in text, text


def test_stop_a_running_job(sm, s3, bucket, trained):
    # 2M identical rows, gzipped to a few KB, one invocation per record: long enough to stop.
    s3.put_object(Bucket=bucket, Key="stop/in.csv.gz", Body=gzip.compress(b"0.1,0.2,0.3,0.4\n" * 2_000_000))
    name = unique_name("bt-stop")
    sm.create_transform_job(**transform_request(name, trained["model"], bucket, "stop/", "stop-out/", BatchStrategy="SingleRecord",
                                                 MaxConcurrentTransforms=1, TransformInput={"CompressionType": "Gzip"}))
    time.sleep(0.5)
    sm.stop_transform_job(TransformJobName=name)
    assert sm.describe_transform_job(TransformJobName=name)["TransformJobStatus"] in ("Stopping", "Stopped")
    d = wait_transform(sm, name, timeout=60)
    assert d["TransformJobStatus"] == "Stopped"
    assert "TransformEndTime" in d
    expect_client_error(sm.stop_transform_job, TransformJobName=name, code="ValidationException")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="stop-out/")


def test_errors_describe_and_list_shapes(kiln, sm, s3, bucket, trained):
    expect_client_error(sm.create_transform_job, **transform_request(unique_name("bt-x"), "no-such-model", bucket, "in/", "out/"),
                        code="ValidationException", message="Could not find model")
    expect_client_error(sm.describe_transform_job, TransformJobName="no-such-job", code="ResourceNotFound")
    expect_client_error(sm.stop_transform_job, TransformJobName="no-such-job", code="ResourceNotFound")
    expect_client_error(sm.create_transform_job, **transform_request(unique_name("bt-x"), trained["model"], bucket, "in/", "out/",
                                                                      DataProcessing={"InputFilter": "$[oops"}),
                        code="ValidationException", message="InputFilter")
    expect_client_error(sm.create_transform_job, **transform_request(unique_name("bt-x"), trained["model"], bucket, "in/", "out/",
                                                                      MaxPayloadInMB=60, MaxConcurrentTransforms=2),
                        code="ValidationException", message="MaxPayloadInMB")
    expect_client_error(sm.create_transform_job, **transform_request(unique_name("bt-x"), trained["model"], bucket, "in/", "out/",
                                                                      TransformOutput={"Accept": "application/json"},
                                                                      DataProcessing={"JoinSource": "Input"}),
                        code="ValidationException", message="JoinSource Input")

    s3.put_object(Bucket=bucket, Key="shape/a.csv", Body=features_csv(features(5, seed=71)))
    tag = unique_name("shape")
    names = [f"{tag}-{i}" for i in range(3)]
    for n in names:
        sm.create_transform_job(**transform_request(n, trained["model"], bucket, "shape/", f"shape-out/{n}/"))
    expect_client_error(sm.create_transform_job, **transform_request(names[0], trained["model"], bucket, "shape/", "x/"),
                        code="ResourceInUse")
    d = sm.describe_transform_job(TransformJobName=names[0])
    assert d["TransformJobArn"] == f"arn:aws:sagemaker:{kiln.region}:000000000000:transform-job/{names[0]}"
    assert d["ModelName"] == trained["model"]
    assert d["TransformInput"]["SplitType"] == "Line" and d["TransformResources"]["InstanceCount"] == 1
    assert d["BatchStrategy"] == "MultiRecord" and d["MaxPayloadInMB"] == 6
    for n in names:
        assert wait_transform(sm, n)["TransformJobStatus"] == "Completed"
    d = sm.describe_transform_job(TransformJobName=names[0])
    assert d["TransformStartTime"] <= d["TransformEndTime"] and "FailureReason" not in d

    listed = sm.list_transform_jobs(NameContains=tag, SortBy="Name", SortOrder="Ascending")["TransformJobSummaries"]
    assert [s["TransformJobName"] for s in listed] == names
    assert set(listed[0]) >= {"TransformJobName", "TransformJobArn", "CreationTime", "TransformEndTime", "LastModifiedTime", "TransformJobStatus"}
    newest_first = sm.list_transform_jobs(NameContains=tag)["TransformJobSummaries"]
    assert [s["TransformJobName"] for s in newest_first] == names[::-1]
    page = sm.list_transform_jobs(NameContains=tag, MaxResults=2, SortBy="Name", SortOrder="Ascending")
    assert len(page["TransformJobSummaries"]) == 2 and "NextToken" in page
    rest = sm.list_transform_jobs(NameContains=tag, MaxResults=2, SortBy="Name", SortOrder="Ascending", NextToken=page["NextToken"])
    assert [s["TransformJobName"] for s in rest["TransformJobSummaries"]] == names[2:] and "NextToken" not in rest
    assert sm.list_transform_jobs(NameContains=tag, StatusEquals="Failed")["TransformJobSummaries"] == []
    paginated = [s["TransformJobName"] for p in sm.get_paginator("list_transform_jobs").paginate(NameContains=tag, PaginationConfig={"PageSize": 1})
                 for s in p["TransformJobSummaries"]]
    assert sorted(paginated) == names


def test_restart_settles_running_jobs(kiln_factory):
    server = kiln_factory.start()
    sm, s3 = server.client("sagemaker"), server.client("s3")
    bucket = unique_name("bt-restart")
    s3.create_bucket(Bucket=bucket)
    model_data = train_model(sm, s3, bucket, rounds="2")
    model = unique_name("bt-rm")
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": XGB_IMAGE, "ModelDataUrl": model_data})
    s3.put_object(Bucket=bucket, Key="in/big.csv.gz", Body=gzip.compress(b"0.1,0.2,0.3,0.4\n" * 2_000_000))
    name = unique_name("bt-restart")
    sm.create_transform_job(**transform_request(name, model, bucket, "in/", "out/", BatchStrategy="SingleRecord",
                                                MaxConcurrentTransforms=1, TransformInput={"CompressionType": "Gzip"}))
    time.sleep(0.5)
    server.restart()
    sm = server.client("sagemaker")
    d = sm.describe_transform_job(TransformJobName=name)
    assert d["TransformJobStatus"] == "Failed" and "restarted" in d["FailureReason"]


KMEANS_IMAGE = "382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1"


def test_json_lines_records_joined_with_their_input(sm, s3, bucket):
    """A first-party model over `application/jsonlines`: each input line carries an id beside its features; the
    output joins every result into its input object as `SageMakerOutput` and keeps only the id and the result."""
    rng = np.random.default_rng(5)
    centres = np.array([[0, 0, 0], [10, 10, 10], [-10, 10, 0]], dtype=np.float32)
    train = np.concatenate([c + rng.normal(0, 0.5, (60, 3)) for c in centres]).astype(np.float32)
    s3.put_object(Bucket=bucket, Key="km-json/train/train.csv", Body="\n".join(",".join(f"{v:.5f}" for v in r) for r in train).encode())
    job = unique_name("km-json")
    sm.create_training_job(
        TrainingJobName=job, RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": KMEANS_IMAGE, "TrainingInputMode": "File"},
        HyperParameters={"k": "3", "feature_dim": "3", "init_method": "kmeans++"},
        InputDataConfig=[{"ChannelName": "train", "ContentType": "text/csv", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/km-json/train/", "S3DataDistributionType": "FullyReplicated"}}}],
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/km-json/out"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 600})
    deadline = time.time() + 180
    while (d := sm.describe_training_job(TrainingJobName=job))["TrainingJobStatus"] == "InProgress":
        assert time.time() < deadline, "kmeans training did not finish"
        time.sleep(0.3)
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    model = unique_name("km-json-m")
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": KMEANS_IMAGE, "ModelDataUrl": d["ModelArtifacts"]["S3ModelArtifacts"]})

    points = np.concatenate([c + rng.normal(0, 0.5, (5, 3)) for c in centres])
    lines = [json.dumps({"id": f"p{i}", "features": [round(float(v), 5) for v in p]}) for i, p in enumerate(points)]
    s3.put_object(Bucket=bucket, Key="km-json/in/points.jsonl", Body=("\n".join(lines) + "\n").encode())
    name = unique_name("bt-json")
    sm.create_transform_job(**transform_request(
        name, model, bucket, "km-json/in/", "km-json/result/",
        TransformInput={"ContentType": "application/jsonlines", "SplitType": "Line"},
        TransformOutput={"Accept": "application/jsonlines"}, BatchStrategy="MultiRecord",
        DataProcessing={"JoinSource": "Input", "OutputFilter": "$['id','SageMakerOutput']"}))
    d = wait_transform(sm, name)
    assert d["TransformJobStatus"] == "Completed", d.get("FailureReason")
    out = [json.loads(line) for line in read_lines(s3, bucket, "km-json/result/points.jsonl.out")]
    assert [o["id"] for o in out] == [f"p{i}" for i in range(len(points))]
    assert all(set(o) == {"id", "SageMakerOutput"} for o in out)
    clusters = [o["SageMakerOutput"]["closest_cluster"] for o in out]
    # five points around each true centre: one cluster per group, three different clusters
    groups = [set(clusters[5 * g: 5 * g + 5]) for g in range(3)]
    assert all(len(g) == 1 for g in groups) and len(set.union(*groups)) == 3, clusters
    assert all(o["SageMakerOutput"]["distance_to_cluster"] < 3 for o in out)

    # An input filter that leaves the model no "features" fails the job and names the object and record.
    bad = unique_name("bt-json-bad")
    sm.create_transform_job(**transform_request(
        bad, model, bucket, "km-json/in/", "km-json/bad/",
        TransformInput={"ContentType": "application/jsonlines", "SplitType": "Line"},
        TransformOutput={"Accept": "application/jsonlines"}, DataProcessing={"InputFilter": "$.id"}))
    d = wait_transform(sm, bad)
    assert d["TransformJobStatus"] == "Failed" and "points.jsonl" in d["FailureReason"], d.get("FailureReason")
