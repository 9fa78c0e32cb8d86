"""The unmodified `sagemaker` Python SDK (v2) against Kiln: Estimator.fit with logs, the calls it makes and the
fields it reads (see ../shared/specs/clients/README.md §3.1)."""

import os

import boto3
import pytest

sagemaker = pytest.importorskip("sagemaker")


@pytest.fixture()
def sdk_session(kiln, bucket, tmp_path, monkeypatch):
    """A SageMaker Session on Kiln: default bucket and telemetry opt-out from the SDK's own config file."""
    config = tmp_path / "sagemaker-config.yaml"
    config.write_text("SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n"
                      f"      Session:\n        DefaultS3Bucket: {bucket}\n")
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))
    monkeypatch.setenv("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    for name, value in kiln.cli_env().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    boto = boto3.Session(aws_access_key_id=kiln.access_key, aws_secret_access_key=kiln.secret_key, region_name=kiln.region)
    return sagemaker.Session(boto_session=boto, default_bucket=bucket)


def test_estimator_fit_reports_the_failure_reason(sdk_session, bucket, s3):
    from sagemaker import image_uris
    from sagemaker.estimator import Estimator
    from sagemaker.inputs import TrainingInput

    s3.put_object(Bucket=bucket, Key="sdk/train/train.csv", Body=b"1,0.5,0.1\n0,0.2,0.9\n")
    image = image_uris.retrieve("xgboost", sdk_session.boto_region_name, "1.7-1")
    estimator = Estimator(image_uri=image, role="arn:aws:iam::000000000000:role/SageMakerRole", instance_count=1,
                          instance_type="ml.m5.xlarge", sagemaker_session=sdk_session, output_path=f"s3://{bucket}/sdk/out",
                          hyperparameters={"objective": "binary:logistic", "num_round": "not-a-number"})
    with pytest.raises(sagemaker.exceptions.UnexpectedStatusException) as failure:
        estimator.fit({"train": TrainingInput(f"s3://{bucket}/sdk/train/", content_type="text/csv")}, logs="All")
    assert "Failed" in str(failure.value)
    job = sdk_session.describe_training_job(estimator.latest_training_job.name)
    assert job["FailureReason"] in str(failure.value)


def test_estimator_fit_deploy_predict(sdk_session, bucket, s3, capsys):
    """The v2 SDK's XGBoost workflow: fit with train and validation channels streaming logs, attach, deploy,
    predict with CSV, delete the endpoint."""
    from sagemaker import image_uris
    from sagemaker.deserializers import CSVDeserializer
    from sagemaker.estimator import Estimator
    from sagemaker.inputs import TrainingInput
    from sagemaker.serializers import CSVSerializer

    from test_xgboost_jobs import as_csv, make_data

    rows = make_data(800)
    s3.put_object(Bucket=bucket, Key="sdk-ok/train/train.csv", Body=as_csv(rows[:600]))
    s3.put_object(Bucket=bucket, Key="sdk-ok/validation/validation.csv", Body=as_csv(rows[600:]))
    image = image_uris.retrieve("xgboost", sdk_session.boto_region_name, "1.7-1")
    estimator = Estimator(image_uri=image, role="arn:aws:iam::000000000000:role/SageMakerRole", instance_count=1,
                          instance_type="ml.m5.xlarge", sagemaker_session=sdk_session, output_path=f"s3://{bucket}/sdk-ok/out",
                          hyperparameters={"objective": "binary:logistic", "num_round": "12", "max_depth": "3", "eval_metric": "auc"})
    estimator.fit({"train": TrainingInput(f"s3://{bucket}/sdk-ok/train/", content_type="text/csv"),
                   "validation": TrainingInput(f"s3://{bucket}/sdk-ok/validation/", content_type="text/csv")}, logs="All")
    printed = capsys.readouterr().out
    assert "[11]#011train-auc:" in printed and "validation-auc:" in printed, printed[-2000:]
    assert "Training job completed" in printed or "Completed - Training job completed" in printed
    assert estimator.model_data.endswith("/output/model.tar.gz")
    attached = Estimator.attach(estimator.latest_training_job.name, sagemaker_session=sdk_session)
    assert attached.model_data == estimator.model_data
    predictor = estimator.deploy(initial_instance_count=1, instance_type="ml.m5.large",
                                 serializer=CSVSerializer(), deserializer=CSVDeserializer())
    try:
        scores = predictor.predict([[2.0, 2.0, 0.0, 0.0], [-2.0, -2.0, 0.0, 0.0]])
        values = [float(v) for row in scores for v in row]
        assert values[0] > 0.8 and values[1] < 0.2
    finally:
        predictor.delete_endpoint()
