"""Training-job control plane, driven by boto3: validation, uniqueness, describe/list/stop, tags, failure reasons."""

import time

import pytest

from e2e_helpers import expect_client_error, unique_name

XGB_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def job_request(name, bucket, prefix="train/", image=XGB_IMAGE, **overrides):
    request = dict(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": image, "TrainingInputMode": "File"},
        RoleArn="arn:aws:iam::000000000000:role/SageMakerRole",
        HyperParameters={"objective": "binary:logistic", "num_round": "5"},
        InputDataConfig=[{"ChannelName": "train", "ContentType": "text/csv", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/{prefix}", "S3DataDistributionType": "FullyReplicated"}}}],
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/output"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )
    request.update(overrides)
    return request


def wait_terminal(sm, name, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sm.describe_training_job(TrainingJobName=name)
        if d["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
            return d
        time.sleep(0.2)
    raise AssertionError(f"{name} did not finish: {d['TrainingJobStatus']}/{d.get('SecondaryStatus')}")


@pytest.fixture(scope="module")
def sm(kiln):
    return kiln.client("sagemaker")


def test_unknown_image_is_a_validation_error(sm, bucket):
    expect_client_error(sm.create_training_job, **job_request(unique_name("job"), bucket, image="my.registry/custom:1"),
                        code="ValidationException", message="cannot run the training image")


def test_augmented_manifest_is_refused_clearly(sm, bucket):
    req = job_request(unique_name("job"), bucket)
    req["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3DataType"] = "AugmentedManifestFile"
    req["InputDataConfig"][0]["DataSource"]["S3DataSource"]["AttributeNames"] = ["source"]
    expect_client_error(sm.create_training_job, **req, code="ValidationException", message="AugmentedManifestFile")


def test_invalid_name_gets_aws_validation_message(kiln, bucket):
    sm = kiln.client("sagemaker", parameter_validation=False)
    expect_client_error(sm.create_training_job, **job_request("bad name!", bucket), code="ValidationException",
                        message="failed to satisfy constraint: Member must satisfy regular expression pattern")


def test_job_without_input_objects_fails_with_a_client_error(sm, s3, bucket):
    name = unique_name("job")
    arn = sm.create_training_job(**job_request(name, bucket, prefix="nothing-here/"))["TrainingJobArn"]
    assert arn.endswith(f":training-job/{name}")
    d = wait_terminal(sm, name)
    assert d["TrainingJobStatus"] == "Failed"
    assert d["FailureReason"].startswith("ClientError: No S3 objects found under S3 URL")
    statuses = [t["Status"] for t in d["SecondaryStatusTransitions"]]
    assert statuses[0] == "Starting" and statuses[-1] == "Failed" and "Downloading" in statuses
    assert all("StartTime" in t for t in d["SecondaryStatusTransitions"])
    assert d["OutputDataConfig"]["KmsKeyId"] == ""  # Estimator.attach indexes it
    assert d["ResourceConfig"]["InstanceCount"] == 1
    assert d["AlgorithmSpecification"]["MetricDefinitions"], "built-in metric definitions are filled in"
    assert "TrainingTimeInSeconds" in d and "BillableTimeInSeconds" in d
    # Names are unique per account and region.
    expect_client_error(sm.create_training_job, **job_request(name, bucket), code="ResourceInUse")
    # A finished job cannot be stopped.
    expect_client_error(sm.stop_training_job, TrainingJobName=name, code="ValidationException", message="is in status Failed")


def test_describe_missing_job(sm):
    expect_client_error(sm.describe_training_job, TrainingJobName="no-such-job", code="ValidationException",
                        message="Requested resource not found")


def test_list_filters_sorts_and_pages(kiln, bucket):
    sm = kiln.client("sagemaker", region="eu-west-1")  # a region of its own: only these jobs
    names = [f"list-{i}-{unique_name('j')}" for i in range(5)]
    for n in names:
        sm.create_training_job(**job_request(n, bucket, prefix="missing/"))
    for n in names:
        wait_terminal(sm, n)
    seen, token = [], None
    while True:
        kwargs = {"MaxResults": 2, "SortBy": "Name", "SortOrder": "Ascending"}
        if token:
            kwargs["NextToken"] = token
        page = sm.list_training_jobs(**kwargs)
        seen += [s["TrainingJobName"] for s in page["TrainingJobSummaries"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == sorted(names)
    assert {s["TrainingJobName"] for s in sm.list_training_jobs(NameContains="list-3")["TrainingJobSummaries"]} == {names[3]}
    assert len(sm.list_training_jobs(StatusEquals="Failed", MaxResults=100)["TrainingJobSummaries"]) == 5
    assert sm.list_training_jobs(StatusEquals="Completed")["TrainingJobSummaries"] == []
    newest_first = [s["TrainingJobName"] for s in sm.list_training_jobs(MaxResults=100)["TrainingJobSummaries"]]
    assert newest_first == list(reversed(names))
    # Another region sees none of them.
    assert not any(s["TrainingJobName"] in names for s in kiln.client("sagemaker").list_training_jobs(MaxResults=100)["TrainingJobSummaries"])


def test_tags_add_list_delete(sm, bucket):
    name = unique_name("tagged")
    arn = sm.create_training_job(**job_request(name, bucket, prefix="missing/"), Tags=[{"Key": "team", "Value": "ml"}])["TrainingJobArn"]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "stage", "Value": "dev"}, {"Key": "team", "Value": "data"}])
    assert sorted((t["Key"], t["Value"]) for t in sm.list_tags(ResourceArn=arn)["Tags"]) == [("stage", "dev"), ("team", "data")]
    sm.delete_tags(ResourceArn=arn, TagKeys=["stage"])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "data"}]
    wait_terminal(sm, name)


def test_failed_job_logs_reach_cloudwatch(kiln, sm, bucket, s3):
    s3.put_object(Bucket=bucket, Key="logs-data/train.csv", Body=b"1,0.5\n0,0.25\n")
    name = unique_name("logged")
    sm.create_training_job(**job_request(name, bucket, prefix="logs-data/", HyperParameters={"num_round": "not-a-number"}))
    d = wait_terminal(sm, name)
    assert d["TrainingJobStatus"] == "Failed" and d["FailureReason"]
    logs = kiln.client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=f"{name}/")["logStreams"]
    assert len(streams) == 1 and streams[0]["logStreamName"].startswith(f"{name}/algo-1-")
    events = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=streams[0]["logStreamName"],
                                 startFromHead=True)["events"]
    assert any(d["FailureReason"].split(":")[0] in e["message"] for e in events)
