"""sagemaker-spark (SageMakerEstimator stages in Spark ML pipelines) against kiln: Spark writes the training data
through s3a, the estimators call CreateTrainingJob / CreateModel / CreateEndpoint, and `transform` calls
InvokeEndpoint with the stage's serializer — the seed example of sagemaker-spark, run in local-mode PySpark."""

import random

import pytest

pytestmark = pytest.mark.spark

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"


def write_libsvm(path, rows):
    with open(path, "w") as f:
        for label, features in rows:
            f.write(f"{label:g} " + " ".join(f"{i + 1}:{v:.4f}" for i, v in enumerate(features) if v != 0) + "\n")


def blobs(n_per_centre, centres, seed):
    rng = random.Random(seed)
    rows = []
    for label, centre in enumerate(centres):
        for _ in range(n_per_centre):
            rows.append((label, [c + rng.gauss(0, 0.4) for c in centre]))
    rng.shuffle(rows)
    return rows


def common(kiln, bucket, clients, prefix):
    from sagemaker_pyspark import IAMRole, S3DataPath

    return dict(sagemakerRole=IAMRole(ROLE), trainingInstanceType="ml.m4.xlarge", trainingInstanceCount=1,
                endpointInstanceType="ml.m4.xlarge", endpointInitialInstanceCount=1,
                trainingInputS3DataPath=S3DataPath(bucket, f"{prefix}/train-in"),
                trainingOutputS3DataPath=S3DataPath(bucket, f"{prefix}/train-out"),
                region=kiln.region, **clients.kwargs())


def test_pca_then_kmeans_pipeline_fit_and_transform(spark, kiln, bucket, clients, tmp_path):
    """The seed example: a Spark PCA stage, then KMeansSageMakerEstimator on its output, fit then transform."""
    from pyspark.ml import Pipeline
    from pyspark.ml.feature import PCA
    from sagemaker_pyspark.algorithms import KMeansSageMakerEstimator
    from sagemaker_pyspark.transformation.serializers import ProtobufRequestRowSerializer

    centres = [[0.0] * 10, [6.0] * 5 + [0.0] * 5, [0.0] * 5 + [6.0] * 5]
    write_libsvm(tmp_path / "train.libsvm", blobs(100, centres, 1))
    write_libsvm(tmp_path / "test.libsvm", blobs(5, centres, 2))
    train = spark.read.format("libsvm").option("numFeatures", "10").load(str(tmp_path / "train.libsvm"))
    test = spark.read.format("libsvm").option("numFeatures", "10").load(str(tmp_path / "test.libsvm"))

    pca = PCA(inputCol="features", outputCol="projectedFeatures", k=4)
    kmeans = KMeansSageMakerEstimator(
        requestRowSerializer=ProtobufRequestRowSerializer(featuresColumnName="projectedFeatures"),
        trainingSparkDataFormatOptions={"featuresColumnName": "projectedFeatures"},
        **common(kiln, bucket, clients, "kmeans"))
    kmeans.setK(3)
    kmeans.setFeatureDim(4)
    kmeans.setMiniBatchSize(300)
    model = Pipeline(stages=[pca, kmeans]).fit(train)
    try:
        rows = model.transform(test).select("label", "closest_cluster", "distance_to_cluster").collect()
        assert len(rows) == 15
        by_label = {}
        for r in rows:
            by_label.setdefault(r["label"], set()).add(r["closest_cluster"])
            assert r["distance_to_cluster"] < 3.0
        # Each true blob lands in one cluster, and the three blobs in three different clusters.
        assert all(len(c) == 1 for c in by_label.values())
        assert len({next(iter(c)) for c in by_label.values()}) == 3
    finally:
        delete_endpoints(kiln)


def test_xgboost_estimator_with_its_libsvm_serializer(spark, kiln, bucket, clients, tmp_path):
    from sagemaker_pyspark.algorithms import XGBoostSageMakerEstimator

    rng = random.Random(3)
    rows = []
    for _ in range(600):
        x = [rng.gauss(0, 1) for _ in range(5)]
        rows.append((1.0 if x[0] + x[1] > 0 else 0.0, x))
    write_libsvm(tmp_path / "xgb.libsvm", rows)
    data = spark.read.format("libsvm").option("numFeatures", "5").load(str(tmp_path / "xgb.libsvm"))
    xgb = XGBoostSageMakerEstimator(**common(kiln, bucket, clients, "xgb"))
    xgb.setObjective("binary:logistic")
    xgb.setNumRound(20)
    xgb.setMaxDepth(3)
    model = xgb.fit(data)
    try:
        predictions = model.transform(data.limit(40)).select("label", "prediction").collect()
        assert len(predictions) == 40
        correct = sum((p["prediction"] > 0.5) == (p["label"] == 1.0) for p in predictions)
        assert correct >= 36
    finally:
        delete_endpoints(kiln)


def delete_endpoints(kiln):
    sm = kiln.client("sagemaker")
    for e in sm.list_endpoints()["Endpoints"]:
        sm.delete_endpoint(EndpointName=e["EndpointName"])
