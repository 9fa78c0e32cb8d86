"""Fixtures for the Spark suite: one `kiln serve` and one local-mode Spark session whose s3a file system and
sagemaker-pyspark clients all point at it (no AWS account, no patching of the libraries)."""

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
from e2e_helpers import KilnServer, empty_and_delete_bucket, unique_name  # noqa: E402

for _var in [v for v in os.environ if v.startswith("AWS_")]:
    del os.environ[_var]
os.environ["AWS_CONFIG_FILE"] = "/dev/null"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


@pytest.fixture(scope="session")
def kiln():
    root = Path(tempfile.mkdtemp(prefix="kiln-spark-"))
    server = KilnServer(root / "data", log_dir=root).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def bucket(kiln):
    s3 = kiln.client("s3")
    name = unique_name("spark")
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete_bucket(s3, name)


class SageMakerClients:
    """AWS SDK v1 clients built in the driver JVM and pointed at kiln, as sagemaker-pyspark accepts them."""

    def __init__(self, spark, kiln):
        jvm = spark._jvm
        aws = jvm.com.amazonaws
        endpoint = getattr(aws.client.builder, "AwsClientBuilder$EndpointConfiguration")(kiln.endpoint, kiln.region)
        credentials = aws.auth.AWSStaticCredentialsProvider(aws.auth.BasicAWSCredentials(kiln.access_key, kiln.secret_key))

        def build(builder):
            return builder.standard().withEndpointConfiguration(endpoint).withCredentials(credentials)

        self.sagemaker = build(aws.services.sagemaker.AmazonSageMakerClientBuilder).build()
        self.s3 = build(aws.services.s3.AmazonS3ClientBuilder).withPathStyleAccessEnabled(True).build()
        self.sts = build(aws.services.securitytoken.AWSSecurityTokenServiceClientBuilder).build()
        runtime = build(aws.services.sagemakerruntime.AmazonSageMakerRuntimeClientBuilder).build()
        # SageMakerModel.transform invokes endpoints through a client held by a Scala object, built on first
        # use from the default AWS configuration; in local mode the driver JVM is the executor, so set it here.
        holder = getattr(getattr(jvm.com.amazonaws.services.sagemaker.sparksdk.transformation.util, "RequestBatchIterator$"), "MODULE$")
        getattr(holder, "sagemakerRuntime_$eq")(runtime)

    def kwargs(self):
        return {"sagemakerClient": self.sagemaker, "s3Client": self.s3, "stsClient": self.sts}


@pytest.fixture(scope="session")
def spark(kiln):
    from pyspark.sql import SparkSession
    from sagemaker_pyspark import classpath_jars

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # The Scala object that holds the InvokeEndpoint client builds a default one when first touched (before we
    # replace it); that needs a region from the environment of the JVM.
    os.environ["AWS_REGION"] = kiln.region
    jars = ":".join(classpath_jars())
    session = (SparkSession.builder.master("local[2]").appName("kiln-sagemaker-spark")
               .config("spark.driver.extraClassPath", jars)
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.hadoop.fs.s3a.endpoint", kiln.endpoint)
               .config("spark.hadoop.fs.s3a.path.style.access", "true")
               .config("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
               .config("spark.hadoop.fs.s3a.access.key", kiln.access_key)
               .config("spark.hadoop.fs.s3a.secret.key", kiln.secret_key)
               .config("spark.hadoop.fs.s3a.endpoint.region", kiln.region)
               .config("spark.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider")
               .getOrCreate())
    yield session
    session.stop()


@pytest.fixture(scope="session")
def clients(spark, kiln):
    return SageMakerClients(spark, kiln)
