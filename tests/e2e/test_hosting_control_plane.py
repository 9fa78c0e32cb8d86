"""Models, endpoint configurations and endpoints through boto3, with the wording the SageMaker SDK matches on."""

import time

import pytest

from e2e_helpers import expect_client_error, unique_name

XGB_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"


@pytest.fixture(scope="module")
def sm(kiln):
    return kiln.client("sagemaker")


def wait_endpoint(sm, name, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sm.describe_endpoint(EndpointName=name)
        if d["EndpointStatus"] not in ("Creating", "Updating"):
            return d
        time.sleep(0.2)
    raise AssertionError(f"endpoint {name} stuck in {d['EndpointStatus']}")


def test_model_lifecycle_and_sdk_wording(sm, bucket):
    name = unique_name("model")
    arn = sm.create_model(ModelName=name, ExecutionRoleArn=ROLE,
                          PrimaryContainer={"Image": XGB_IMAGE, "ModelDataUrl": f"s3://{bucket}/m/model.tar.gz"})["ModelArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:000000000000:model/{name}"
    d = sm.describe_model(ModelName=name)
    assert d["PrimaryContainer"]["Image"] == XGB_IMAGE and d["ModelArn"] == arn and "CreationTime" in d
    assert "VpcConfig" not in d, "unset optional structures are omitted, never {}"
    expect_client_error(sm.create_model, ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": XGB_IMAGE},
                        code="ValidationException", message=f'Cannot create already existing model "{arn}".')
    assert name in [m["ModelName"] for m in sm.list_models(NameContains=name)["Models"]]
    sm.delete_model(ModelName=name)
    expect_client_error(sm.describe_model, ModelName=name, code="ValidationException", message=f'Could not find model "{arn}".')


def test_endpoint_config_needs_its_model(sm):
    missing = unique_name("nomodel")
    expect_client_error(sm.create_endpoint_config, EndpointConfigName=unique_name("cfg"),
                        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": missing, "InitialInstanceCount": 1,
                                             "InstanceType": "ml.m5.large"}],
                        code="ValidationException", message="Could not find model")
    expect_client_error(sm.describe_endpoint_config, EndpointConfigName="no-such-config", code="ValidationException",
                        message="Could not find endpoint configuration")


def test_endpoint_with_an_unloadable_model_fails_with_a_reason(kiln, sm, bucket):
    model, cfg, ep = unique_name("m"), unique_name("c"), unique_name("e")
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": XGB_IMAGE, "ModelDataUrl": f"s3://{bucket}/absent/model.tar.gz"})
    sm.create_endpoint_config(EndpointConfigName=cfg, ProductionVariants=[
        {"VariantName": "AllTraffic", "ModelName": model, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
    assert sm.describe_endpoint_config(EndpointConfigName=cfg)["ProductionVariants"][0]["InitialVariantWeight"] == 1.0
    arn = sm.create_endpoint(EndpointName=ep, EndpointConfigName=cfg)["EndpointArn"]
    expect_client_error(sm.create_endpoint, EndpointName=ep, EndpointConfigName=cfg, code="ValidationException",
                        message=f'Cannot create already existing endpoint "{arn}".')
    d = wait_endpoint(sm, ep)
    assert d["EndpointStatus"] == "Failed" and d["FailureReason"]
    runtime = kiln.client("sagemaker-runtime")
    expect_client_error(runtime.invoke_endpoint, EndpointName=ep, Body=b"1,2", ContentType="text/csv", code="ServiceUnavailable")
    expect_client_error(runtime.invoke_endpoint, EndpointName="never-created", Body=b"1,2", ContentType="text/csv",
                        code="ValidationError", message="not found")
    assert ep in [e["EndpointName"] for e in sm.list_endpoints(StatusEquals="Failed", MaxResults=100)["Endpoints"]]
    sm.delete_endpoint(EndpointName=ep)
    expect_client_error(sm.describe_endpoint, EndpointName=ep, code="ValidationException", message=f'Could not find endpoint "{arn}".')
    sm.delete_endpoint_config(EndpointConfigName=cfg)
    sm.delete_model(ModelName=model)


def test_oversized_payload_is_refused(kiln):
    runtime = kiln.client("sagemaker-runtime")
    expect_client_error(runtime.invoke_endpoint, EndpointName="any", Body=b"1" * (6 * 1024 * 1024 + 1), ContentType="text/csv",
                        code="ValidationError", message="exceeds")


def test_endpoint_serves_a_legacy_binary_model_from_an_older_sagemaker_container(kiln, sm, s3, bucket):
    """A model.tar.gz as SageMaker's XGBoost 1.0-1 … 1.5-1 containers wrote it (xgboost-model in XGBoost's legacy binary
    format, here written by xgboost 1.7.6) is hosted: InvokeEndpoint answers sigmoid(margin) of xgboost 1.7.6."""
    import io
    import json
    import math
    import tarfile
    from pathlib import Path

    legacy = Path(__file__).resolve().parents[1] / "xgboost" / "legacy_models"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(legacy / "binary_logistic.bin", arcname="xgboost-model")
    key = f"{unique_name('legacy')}/model.tar.gz"
    s3.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue())
    model, cfg, ep = unique_name("m"), unique_name("c"), unique_name("e")
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE, PrimaryContainer={
        "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.5-1", "ModelDataUrl": f"s3://{bucket}/{key}"})
    sm.create_endpoint_config(EndpointConfigName=cfg, ProductionVariants=[
        {"VariantName": "AllTraffic", "ModelName": model, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
    sm.create_endpoint(EndpointName=ep, EndpointConfigName=cfg)
    assert wait_endpoint(sm, ep)["EndpointStatus"] == "InService"
    rows = [line.replace("nan", "") for line in (legacy / "probe.csv").read_text().splitlines()]  # missing = empty field
    body = kiln.client("sagemaker-runtime").invoke_endpoint(EndpointName=ep, ContentType="text/csv", Accept="application/json",
                                                           Body="\n".join(rows).encode())["Body"].read()
    scores = [p["score"] for p in json.loads(body)["predictions"]]
    margins = json.loads((legacy / "expected.json").read_text())["binary_logistic"]["margins"]
    assert len(scores) == len(margins)
    for got, margin in zip(scores, margins):
        assert abs(got - 1 / (1 + math.exp(-margin))) < 1e-5
    sm.delete_endpoint(EndpointName=ep)
    sm.delete_endpoint_config(EndpointConfigName=cfg)
    sm.delete_model(ModelName=model)
