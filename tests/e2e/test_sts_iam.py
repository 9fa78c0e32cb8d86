"""STS GetCallerIdentity and the two IAM calls the SageMaker SDK v3 makes (GetRole, SimulatePrincipalPolicy)."""

import json

import pytest

from e2e_helpers import expect_client_error

DEFAULT_ACCOUNT = "000000000000"


def test_get_caller_identity_default_account(kiln):
    resp = kiln.client("sts").get_caller_identity()
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert resp["Account"] == DEFAULT_ACCOUNT
    assert resp["Arn"].startswith(f"arn:aws:iam::{DEFAULT_ACCOUNT}:")
    assert resp["UserId"]
    assert resp["ResponseMetadata"]["RequestId"]


def test_get_caller_identity_custom_account(kiln_factory):
    server = kiln_factory.start(account_id="123456789012")
    resp = server.client("sts").get_caller_identity()
    assert resp["Account"] == "123456789012"
    assert resp["Arn"].startswith("arn:aws:iam::123456789012:")
    role = server.client("iam").get_role(RoleName="SageMakerRole")["Role"]
    assert role["Arn"] == f"arn:aws:iam::123456789012:role{role['Path']}SageMakerRole"


def test_get_caller_identity_in_another_region(kiln):
    resp = kiln.client("sts", region="eu-central-1").get_caller_identity()
    assert resp["Account"] == DEFAULT_ACCOUNT


def test_cli_sts_get_caller_identity(kiln):
    out = kiln.aws("sts", "get-caller-identity", "--output", "json")
    doc = json.loads(out.stdout)
    assert doc["Account"] == DEFAULT_ACCOUNT
    assert doc["Arn"].startswith(f"arn:aws:iam::{DEFAULT_ACCOUNT}:")
    assert doc["UserId"]


def _principal_services(statement):
    service = statement.get("Principal", {}).get("Service", [])
    return [service] if isinstance(service, str) else list(service)


@pytest.mark.parametrize("role_name", ["SageMakerRole", "AmazonSageMaker-ExecutionRole-20240101T000000"])
def test_get_role_trusts_sagemaker(kiln, role_name):
    resp = kiln.client("iam").get_role(RoleName=role_name)
    role = resp["Role"]
    assert role["RoleName"] == role_name
    path = role["Path"]
    assert path.startswith("/") and path.endswith("/")
    assert role["Arn"] == f"arn:aws:iam::{DEFAULT_ACCOUNT}:role{path}{role_name}"
    assert role["RoleId"]
    assert role["CreateDate"].tzinfo is not None
    # botocore URL-decodes and JSON-parses AssumeRolePolicyDocument into a dict.
    doc = role["AssumeRolePolicyDocument"]
    assert isinstance(doc, dict), f"AssumeRolePolicyDocument did not parse as a policy: {doc!r}"
    statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    trusting = [s for s in statements if s.get("Effect") == "Allow"
                and "sagemaker.amazonaws.com" in _principal_services(s)]
    assert trusting, f"no statement trusts sagemaker.amazonaws.com: {doc}"
    actions = trusting[0]["Action"]
    assert "sts:AssumeRole" in ([actions] if isinstance(actions, str) else actions)


def test_simulate_principal_policy_allows_requested_actions(kiln):
    iam = kiln.client("iam")
    role_arn = iam.get_role(RoleName="SageMakerRole")["Role"]["Arn"]
    actions = ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "s3:GetObject", "s3:PutObject",
               "logs:CreateLogStream", "ecr:BatchGetImage", "iam:PassRole"]
    resp = iam.simulate_principal_policy(PolicySourceArn=role_arn, ActionNames=actions)
    assert resp["IsTruncated"] is False
    results = resp["EvaluationResults"]
    assert sorted(r["EvalActionName"] for r in results) == sorted(actions)
    assert all(r["EvalDecision"] == "allowed" for r in results), results


def test_simulate_principal_policy_paginator(kiln):
    # SageMaker SDK v3 uses the paginator (MaxItems/Marker) for this call.
    iam = kiln.client("iam")
    role_arn = iam.get_role(RoleName="SageMakerRole")["Role"]["Arn"]
    actions = [f"sagemaker:Action{i}" for i in range(20)]
    seen = []
    for page in iam.get_paginator("simulate_principal_policy").paginate(PolicySourceArn=role_arn,
                                                                        ActionNames=actions):
        seen += [r["EvalActionName"] for r in page["EvaluationResults"]]
    assert sorted(seen) == sorted(actions)


def test_iam_unknown_action_is_query_protocol_error(kiln):
    from e2e_helpers import signed_raw

    resp = signed_raw(kiln, "POST", "/", service="iam",
                      headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
                      body=b"Action=NoSuchIamAction&Version=2010-05-08")
    assert resp.status == 400, (resp.status, resp.body)
    # Query-protocol errors are <ErrorResponse><Error><Code>...</Code>.
    assert resp.error_code == "InvalidAction", resp.body
    assert b"<ErrorResponse" in resp.body


def test_get_role_requires_role_name(kiln):
    iam = kiln.client("iam", parameter_validation=False)
    expect_client_error(iam.get_role, code="ValidationError", status=400)
