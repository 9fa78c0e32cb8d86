"""The SageMaker JSON 1.1 control plane reaches the dispatcher and answers in AWS's shapes.

JSON 1.1 errors (clients README §1): HTTP 4xx plus {"__type": "...", "message": "..."}; botocore also reads
`Message` and the `x-amzn-ErrorType` header.
"""

import json
import re

import pytest
from botocore.exceptions import ClientError

from e2e_helpers import expect_client_error, json_call

VALIDATION_PREFIX = re.compile(r"^(1 validation error detected|([2-9]|\d{2,}) validation errors detected): ")


@pytest.fixture(scope="module")
def sm(kiln):
    return kiln.client("sagemaker")


@pytest.fixture(scope="module")
def sm_raw_params(kiln):
    return kiln.client("sagemaker", parameter_validation=False)


def _full_training_request(name="e2e-job"):
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {
            "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            "TrainingInputMode": "File",
        },
        "RoleArn": "arn:aws:iam::000000000000:role/SageMakerRole",
        "OutputDataConfig": {"S3OutputPath": "s3://e2e-nonexistent-bucket/output"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
    }


def test_list_training_jobs_answer_is_aws_shaped(sm):
    try:
        resp = sm.list_training_jobs()
    except ClientError as err:
        # Not implemented yet is allowed, but only in AWS's shape.
        assert err.response["Error"]["Code"] == "UnknownOperationException", err.response
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        return
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert isinstance(resp["TrainingJobSummaries"], list)
    assert resp["ResponseMetadata"]["RequestId"]


def test_unimplemented_operation_is_unknown_operation(sm):
    err = expect_client_error(sm.list_notebook_instances, code="UnknownOperationException", status=400)
    assert err.response["ResponseMetadata"]["RequestId"], "x-amzn-RequestId on errors too"


def test_missing_required_members_is_validation_exception(kiln, sm_raw_params):
    required = kiln.client("sagemaker").meta.service_model.operation_model("CreateTrainingJob") \
        .input_shape.required_members
    missing = [m for m in required if m != "TrainingJobName"]
    assert len(missing) >= 2
    err = expect_client_error(sm_raw_params.create_training_job, TrainingJobName="e2e-missing-everything",
                              code="ValidationException", status=400)
    message = err.response["Error"]["Message"]
    assert VALIDATION_PREFIX.match(message), message
    assert int(message.split(" ", 1)[0]) == len(missing), message
    for member in missing:
        assert member.lower() in message.lower(), (member, message)


def test_one_missing_member_names_it(sm_raw_params):
    request = _full_training_request("e2e-missing-role")
    del request["RoleArn"]
    err = expect_client_error(sm_raw_params.create_training_job, **request, code="ValidationException", status=400)
    message = err.response["Error"]["Message"]
    # AWS: "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint:
    # Member must not be null"
    assert message.startswith("1 validation error detected: "), message
    assert "rolearn" in message.lower()
    assert "must not be null" in message


def test_pattern_violation_is_validation_exception(sm_raw_params):
    request = _full_training_request("bad_name_with_underscores!")
    err = expect_client_error(sm_raw_params.create_training_job, **request, code="ValidationException", status=400)
    message = err.response["Error"]["Message"]
    assert VALIDATION_PREFIX.match(message), message
    assert "trainingjobname" in message.lower()


def test_malformed_json_is_serialization_exception(kiln):
    resp = json_call(kiln, "SageMaker.ListTrainingJobs", b'{"MaxResults": 10,', service="sagemaker")
    assert resp.status == 400, (resp.status, resp.body)
    assert resp.error_code == "SerializationException", resp.body
    assert resp.header("x-amzn-requestid")


def test_non_object_json_is_serialization_exception(kiln):
    resp = json_call(kiln, "SageMaker.ListTrainingJobs", b"[1, 2, 3]", service="sagemaker")
    assert resp.status == 400, (resp.status, resp.body)
    assert resp.error_code == "SerializationException", resp.body


def test_unknown_target_is_unknown_operation(kiln):
    resp = json_call(kiln, "SageMaker.NoSuchOperationEver", b"{}", service="sagemaker")
    assert resp.status == 400, (resp.status, resp.body)
    assert resp.error_code == "UnknownOperationException", resp.body
    assert resp.header("content-type").startswith("application/x-amz-json-1.1")
    doc = json.loads(resp.body)
    assert "__type" in doc


def test_logs_unknown_target_is_unknown_operation(kiln):
    resp = json_call(kiln, "Logs_20140328.NoSuchOperation", b"{}", service="logs")
    assert resp.status == 400, (resp.status, resp.body)
    assert resp.error_code == "UnknownOperationException", resp.body


def test_empty_body_counts_as_empty_object(kiln):
    # botocore sends "{}" for parameterless calls; an empty body must not be a 500.
    resp = json_call(kiln, "SageMaker.ListNotebookInstances", b"", service="sagemaker")
    assert resp.status == 400 and resp.error_code in ("UnknownOperationException", "SerializationException"), \
        (resp.status, resp.body)


def test_valid_request_passes_validation(sm):
    # A complete, valid CreateTrainingJob (InstanceCount 1, a boolean, nested structures) must not be
    # rejected by validation: it either runs or is reported as not implemented yet.
    request = _full_training_request("e2e-valid-request-1")
    request["EnableNetworkIsolation"] = False
    request["HyperParameters"] = {"num_round": "10", "objective": "binary:logistic"}
    request["InputDataConfig"] = [{
        "ChannelName": "train",
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://e2e-nonexistent-bucket/train/",
                                        "S3DataDistributionType": "FullyReplicated"}},
        "ContentType": "text/csv",
    }]
    try:
        resp = sm.create_training_job(**request)
    except ClientError as err:
        code, message = err.response["Error"]["Code"], err.response["Error"].get("Message", "")
        assert code != "SerializationException", err.response
        assert not (code == "ValidationException" and VALIDATION_PREFIX.match(message)), err.response
        return
    assert resp["TrainingJobArn"].endswith(":training-job/e2e-valid-request-1")


def test_feature_store_runtime_is_reserved_with_unknown_operation(kiln):
    """featurestore-runtime reaches Kiln (signed as `sagemaker`) and gets AWS's error shape until it lands."""
    from e2e_helpers import expect_client_error

    features = kiln.client("sagemaker-featurestore-runtime")
    expect_client_error(features.get_record, FeatureGroupName="fg", RecordIdentifierValueAsString="1",
                        code="UnknownOperationException")
