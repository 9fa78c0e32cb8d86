"""A whole SageMaker workflow against Kiln with plain boto3: upload data, train XGBoost, deploy, predict.

Run it against a running Kiln (AWS_ENDPOINT_URL and the keys in the environment, as `kiln serve` prints them):
    python3 Examples/xgboost_end_to_end.py
"""

import random
import time

import boto3

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"


def dataset(n, seed):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        x = [rng.gauss(0, 1) for _ in range(4)]
        rows.append((1 if x[0] + 0.5 * x[1] + rng.gauss(0, 0.3) > 0 else 0, x))
    return "\n".join(",".join([str(y)] + [f"{v:.5f}" for v in x]) for y, x in rows).encode()


def main():
    stamp = time.strftime("%Y%m%d-%H%M%S")
    s3, sm = boto3.client("s3"), boto3.client("sagemaker")
    runtime, logs = boto3.client("sagemaker-runtime"), boto3.client("logs")
    bucket = f"kiln-demo-{stamp}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data/train/train.csv", Body=dataset(4000, 1))
    s3.put_object(Bucket=bucket, Key="data/validation/validation.csv", Body=dataset(1000, 2))
    print(f"uploaded training data to s3://{bucket}/data/")

    job = f"demo-xgb-{stamp}"
    channel = lambda name: {"ChannelName": name, "ContentType": "text/csv", "DataSource": {"S3DataSource": {
        "S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/data/{name}/", "S3DataDistributionType": "FullyReplicated"}}}
    sm.create_training_job(
        TrainingJobName=job, RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        HyperParameters={"objective": "binary:logistic", "num_round": "30", "max_depth": "4", "eval_metric": "auc"},
        InputDataConfig=[channel("train"), channel("validation")],
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/output"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 600})
    while (d := sm.describe_training_job(TrainingJobName=job))["TrainingJobStatus"] == "InProgress":
        time.sleep(0.5)
    print(f"training job {job}: {d['TrainingJobStatus']} in {d['TrainingTimeInSeconds']} s")
    stream = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=f"{job}/")["logStreams"][0]
    for event in logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream["logStreamName"],
                                     startFromHead=True)["events"][-3:]:
        print("   log:", event["message"])
    for metric in d["FinalMetricDataList"]:
        print(f"   {metric['MetricName']} = {metric['Value']}")

    sm.create_model(ModelName=job, ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": IMAGE, "ModelDataUrl": d["ModelArtifacts"]["S3ModelArtifacts"]})
    sm.create_endpoint_config(EndpointConfigName=job, ProductionVariants=[
        {"VariantName": "AllTraffic", "ModelName": job, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
    sm.create_endpoint(EndpointName=job, EndpointConfigName=job)
    while (e := sm.describe_endpoint(EndpointName=job))["EndpointStatus"] == "Creating":
        time.sleep(0.2)
    print(f"endpoint {job}: {e['EndpointStatus']}")
    answer = runtime.invoke_endpoint(EndpointName=job, ContentType="text/csv", Body="2.0,1.0,0,0\n-2.0,-1.0,0,0")
    print("predictions for a clear positive and a clear negative:", answer["Body"].read().decode().split())
    sm.delete_endpoint(EndpointName=job)


if __name__ == "__main__":
    main()
