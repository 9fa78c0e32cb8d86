"""SageMaker's first-party algorithms through the unmodified `sagemaker` SDK v2: `record_set()` → `fit()` →
`deploy()` → the SDK's own predictors decode the RecordIO-protobuf answers → `delete_endpoint()`, plus the
other inference formats and the failures a user can act on."""

import io
import json
import tarfile
import time

import boto3
import numpy as np
import pytest

sagemaker = pytest.importorskip("sagemaker")

from test_sdk_training import sdk_session  # noqa: E402,F401  (the fixture)

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"


def blobs(rng, n, centres, spread=0.3):
    """n points around each centre (rows shuffled), float32."""
    centres = np.asarray(centres, dtype=np.float32)
    points = np.concatenate([c + spread * rng.standard_normal((n, centres.shape[1])) for c in centres]).astype(np.float32)
    return points[rng.permutation(len(points))]


def endpoint_invoke(session, endpoint, body, content_type, accept):
    runtime = session.boto_session.client("sagemaker-runtime")
    r = runtime.invoke_endpoint(EndpointName=endpoint, Body=body, ContentType=content_type, Accept=accept)
    return r["ContentType"], r["Body"].read()


def wait_for_job(sm, name, timeout=300):
    deadline = time.time() + timeout
    while (job := sm.describe_training_job(TrainingJobName=name))["TrainingJobStatus"] == "InProgress":
        assert time.time() < deadline, job
        time.sleep(0.5)
    return job


def model_file(s3, model_data):
    bucket, key = model_data[len("s3://"):].split("/", 1)
    archive = tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    return archive.extractfile("model_algo-1").read()


def test_kmeans_record_set_fit_deploy_predict(sdk_session, bucket, s3, capsys):
    from sagemaker import KMeans

    rng = np.random.default_rng(1)
    centres = [[0, 0, 0, 0], [5, 5, 0, 0], [0, 5, 5, 5]]
    train = blobs(rng, 200, centres)
    kmeans = KMeans(role=ROLE, instance_count=1, instance_type="ml.m5.xlarge", k=3, sagemaker_session=sdk_session,
                    output_path=f"s3://{bucket}/kmeans/out", data_location=f"s3://{bucket}/kmeans/data",
                    init_method="kmeans++", eval_metrics=["msd", "ssd"])
    kmeans.fit([kmeans.record_set(train), kmeans.record_set(blobs(rng, 20, centres), channel="test")], logs="All")
    printed = capsys.readouterr().out
    assert "#quality_metric: host=algo-1, test msd <loss>=" in printed, printed[-3000:]
    job = sdk_session.describe_training_job(kmeans.latest_training_job.name)
    metrics = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert 0 < metrics["test:msd"] < 1.0 and metrics["test:ssd"] > metrics["test:msd"]

    predictor = kmeans.deploy(initial_instance_count=1, instance_type="ml.m5.large")
    try:
        records = predictor.predict(np.array(centres, dtype=np.float32))
        clusters = [r.label["closest_cluster"].float32_tensor.values[0] for r in records]
        distances = [r.label["distance_to_cluster"].float32_tensor.values[0] for r in records]
        assert sorted(clusters) == [0.0, 1.0, 2.0]
        assert max(distances) < 0.5
        # The other formats answer the same clusters.
        ctype, body = endpoint_invoke(sdk_session, predictor.endpoint_name, b"0,0,0,0\n5,5,0,0\n", "text/csv", "application/json")
        answer = json.loads(body)
        assert ctype == "application/json"
        assert [p["closest_cluster"] for p in answer["predictions"]] == clusters[:2]
        _, body = endpoint_invoke(sdk_session, predictor.endpoint_name, b"0,5,5,5", "text/csv", "text/csv")
        assert body.decode().strip().split(",")[0] == str(clusters[2])
        _, body = endpoint_invoke(sdk_session, predictor.endpoint_name,
                                  json.dumps({"instances": [{"features": [5, 5, 0, 0]}]}).encode(), "application/json",
                                  "application/jsonlines")
        assert json.loads(body.decode().splitlines()[0])["closest_cluster"] == clusters[1]
        # A row of the wrong width is the model's error, and the endpoint keeps serving.
        runtime = sdk_session.boto_session.client("sagemaker-runtime")
        with pytest.raises(runtime.exceptions.ModelError) as bad:
            runtime.invoke_endpoint(EndpointName=predictor.endpoint_name, Body=b"1,2,3", ContentType="text/csv")
        assert "feature_dim = 4" in str(bad.value)
        assert len(predictor.predict(np.array(centres[:1], dtype=np.float32))) == 1
    finally:
        predictor.delete_endpoint()

    # The model is the MXNet NDArray list AWS documents: one float32 array k × feature_dim.
    raw = model_file(s3, kmeans.model_data)
    assert int.from_bytes(raw[:8], "little") == 0x112 and int.from_bytes(raw[16:24], "little") == 1
    shape = (int.from_bytes(raw[36:44], "little"), int.from_bytes(raw[44:52], "little"))
    assert shape == (3, 4)


def test_pca_record_set_fit_deploy_predict(sdk_session, bucket, s3):
    from sagemaker import PCA

    rng = np.random.default_rng(2)
    # Variance mostly along two directions of a 6-dimensional space.
    basis = np.linalg.qr(rng.standard_normal((6, 6)))[0][:, :2].T
    train = (rng.standard_normal((500, 2)) * [5.0, 2.0]) @ basis + 0.05 * rng.standard_normal((500, 6)) + 3.0
    train = train.astype(np.float32)
    pca = PCA(role=ROLE, instance_count=1, instance_type="ml.m5.xlarge", num_components=2, sagemaker_session=sdk_session,
              output_path=f"s3://{bucket}/pca/out", data_location=f"s3://{bucket}/pca/data")
    pca.fit(pca.record_set(train), mini_batch_size=100)
    predictor = pca.deploy(initial_instance_count=1, instance_type="ml.m5.large")
    try:
        records = predictor.predict(train[:5])
        projections = np.array([r.label["projection"].float32_tensor.values for r in records])
        centred = train[:5] - train.mean(axis=0)
        expected = centred @ basis.T
        # Same subspace: projections match the true coordinates up to sign and order (ascending variance).
        for j in range(2):
            best = max(abs(np.corrcoef(projections[:, j], expected[:, i])[0, 1]) for i in range(2))
            assert best > 0.99
        _, body = endpoint_invoke(sdk_session, predictor.endpoint_name, b"3,3,3,3,3,3", "text/csv", "application/json")
        assert len(json.loads(body)["projections"][0]["projection"]) == 2
    finally:
        predictor.delete_endpoint()


@pytest.mark.parametrize("predictor_type", ["binary_classifier", "multiclass_classifier", "regressor"])
def test_linear_learner_record_set_fit_deploy_predict(sdk_session, bucket, s3, predictor_type):
    from sagemaker import LinearLearner

    rng = np.random.default_rng(3)
    x = rng.standard_normal((1500, 5)).astype(np.float32)
    w = np.array([1.5, -2.0, 0.5, 0.0, 1.0], dtype=np.float32)
    margin = x @ w
    if predictor_type == "binary_classifier":
        y = (margin > 0).astype(np.float32)
        extra = {}
    elif predictor_type == "multiclass_classifier":
        y = np.digitize(margin, [-1.0, 1.0]).astype(np.float32)
        extra = {"num_classes": 3}
    else:
        y = (3.0 * margin + 10.0 + 0.1 * rng.standard_normal(len(x))).astype(np.float32)
        extra = {}
    ll = LinearLearner(role=ROLE, instance_count=1, instance_type="ml.m5.xlarge", predictor_type=predictor_type,
                       sagemaker_session=sdk_session, output_path=f"s3://{bucket}/ll-{predictor_type}/out",
                       data_location=f"s3://{bucket}/ll-{predictor_type}/data", epochs=10, **extra)
    ll.fit([ll.record_set(x[:1200], labels=y[:1200]), ll.record_set(x[1200:1350], labels=y[1200:1350], channel="validation"),
            ll.record_set(x[1350:], labels=y[1350:], channel="test")], mini_batch_size=100)
    job = sdk_session.describe_training_job(ll.latest_training_job.name)
    metrics = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    predictor = ll.deploy(initial_instance_count=1, instance_type="ml.m5.large")
    try:
        records = predictor.predict(x[1350:])
        truth = y[1350:]
        if predictor_type == "regressor":
            scores = np.array([r.label["score"].float32_tensor.values[0] for r in records])
            assert np.sqrt(np.mean((scores - truth) ** 2)) < 0.5
            assert metrics["test:mse"] < 0.25
        else:
            labels = np.array([r.label["predicted_label"].float32_tensor.values[0] for r in records])
            assert (labels == truth).mean() > 0.9
            if predictor_type == "multiclass_classifier":
                assert len(records[0].label["score"].float32_tensor.values) == 3
                assert metrics["test:multiclass_accuracy"] > 0.9
            else:
                assert metrics["test:binary_classification_accuracy"] > 0.9
        _, body = endpoint_invoke(sdk_session, predictor.endpoint_name, b"1,0,0,0,0\n", "text/csv", "application/json")
        first = json.loads(body)["predictions"][0]
        assert "score" in first and (predictor_type == "regressor") == ("predicted_label" not in first)
    finally:
        predictor.delete_endpoint()


def test_lda_record_set_fit_deploy_predict(sdk_session, bucket, s3):
    from sagemaker import LDA

    rng = np.random.default_rng(4)
    vocabulary, topics = 30, 3
    beta = np.zeros((topics, vocabulary))
    for t in range(topics):  # disjoint words per topic
        beta[t, t * 10:(t + 1) * 10] = rng.dirichlet(np.ones(10))
    docs = []
    for _ in range(600):
        theta = rng.dirichlet(np.full(topics, 0.3))
        docs.append(rng.multinomial(60, theta @ beta))
    docs = np.array(docs, dtype=np.float32)
    lda = LDA(role=ROLE, instance_type="ml.m5.xlarge", num_topics=topics, sagemaker_session=sdk_session,
              output_path=f"s3://{bucket}/lda/out", data_location=f"s3://{bucket}/lda/data")
    lda.fit(lda.record_set(docs[:500]), mini_batch_size=500)
    predictor = lda.deploy(initial_instance_count=1, instance_type="ml.m5.large")
    try:
        pure = np.zeros((topics, vocabulary), dtype=np.float32)
        for t in range(topics):
            pure[t, t * 10:(t + 1) * 10] = 6.0
        records = predictor.predict(pure)
        mixtures = np.array([r.label["topic_mixture"].float32_tensor.values for r in records])
        assert mixtures.shape == (3, 3)
        assert np.allclose(mixtures.sum(axis=1), 1.0, atol=1e-4)
        # A document of one topic's words is mostly that topic, and the three topics are different ones.
        assert (mixtures.max(axis=1) > 0.8).all() and len(set(mixtures.argmax(axis=1))) == 3
    finally:
        predictor.delete_endpoint()


def test_bad_hyperparameters_fail_the_job_with_the_reason(sdk_session, bucket, s3):
    from sagemaker import KMeans

    kmeans = KMeans(role=ROLE, instance_count=1, instance_type="ml.m5.xlarge", k=3, sagemaker_session=sdk_session,
                    output_path=f"s3://{bucket}/kmeans-bad/out", data_location=f"s3://{bucket}/kmeans-bad/data")
    record_set = kmeans.record_set(np.zeros((10, 2), dtype=np.float32))
    sm = sdk_session.sagemaker_client
    name = "kmeans-bad-hp"
    sm.create_training_job(
        TrainingJobName=name, RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": "382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1", "TrainingInputMode": "File"},
        HyperParameters={"k": "3", "feature_dim": "2", "init_method": "smart"},
        InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3DataType": "ManifestFile", "S3Uri": record_set.s3_data, "S3DataDistributionType": "ShardedByS3Key"}}}],
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/kmeans-bad/out"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 600})
    job = wait_for_job(sm, name)
    assert job["TrainingJobStatus"] == "Failed"
    assert "init_method" in job["FailureReason"] and "kmeans++" in job["FailureReason"]


def test_csv_rows_of_the_wrong_width_name_the_file_and_line(sdk_session, bucket, s3):
    sm = sdk_session.sagemaker_client
    s3.put_object(Bucket=bucket, Key="pca-bad/train/data.csv", Body=b"1,2,3\n4,5,6\n7,8\n")
    name = "pca-bad-row"
    sm.create_training_job(
        TrainingJobName=name, RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": "382416733822.dkr.ecr.us-east-1.amazonaws.com/pca:1", "TrainingInputMode": "File"},
        HyperParameters={"num_components": "2", "feature_dim": "3", "mini_batch_size": "10"},
        InputDataConfig=[{"ChannelName": "train", "ContentType": "text/csv;label_size=0", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/pca-bad/train/", "S3DataDistributionType": "FullyReplicated"}}}],
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/pca-bad/out"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 600})
    job = wait_for_job(sm, name)
    assert job["TrainingJobStatus"] == "Failed"
    assert "data.csv, line 3" in job["FailureReason"], job["FailureReason"]
