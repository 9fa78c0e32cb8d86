"""S3 bucket operations: ListBuckets, Create/Head/Delete, errors, GetBucketLocation."""

from datetime import datetime, timedelta, timezone

import pytest

from e2e_helpers import empty_and_delete_bucket, expect_client_error, unique_name


def test_list_buckets_has_name_and_creation_date(s3, bucket):
    # The SageMaker SDK skips HeadBucket/CreateBucket only if the bucket is listed with a
    # CreationDate (clients README §5.5).
    resp = s3.list_buckets()
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    entries = {b["Name"]: b for b in resp["Buckets"]}
    assert bucket in entries
    created = entries[bucket]["CreationDate"]
    assert isinstance(created, datetime) and created.tzinfo is not None
    now = datetime.now(timezone.utc)
    assert now - timedelta(minutes=5) < created < now + timedelta(minutes=1)
    assert resp["Owner"]["ID"], "ListAllMyBucketsResult carries an Owner/ID"


def test_create_head_delete_bucket(s3):
    name = unique_name("bkt")
    resp = s3.create_bucket(Bucket=name)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    # AWS: in us-east-1 CreateBucket answers `Location: /<bucket>`.
    assert resp["Location"] == f"/{name}"

    head = s3.head_bucket(Bucket=name)
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 200

    deleted = s3.delete_bucket(Bucket=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204

    # HEAD has no body: botocore synthesises Code "404" / Message "Not Found" from the status,
    # and the SageMaker SDK compares exactly these strings.
    expect_client_error(s3.head_bucket, Bucket=name, code="404", status=404, message="Not Found")
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_recreate_own_bucket_in_us_east_1_is_200(s3, bucket):
    # AWS docs (BucketAlreadyOwnedByYou): "Amazon S3 returns this error in all AWS Regions except in the
    # North Virginia Region. For legacy compatibility, if you re-create an existing bucket that you
    # already own in the North Virginia Region, Amazon S3 returns 200 OK".
    s3.put_object(Bucket=bucket, Key="keep.txt", Body=b"still here")
    resp = s3.create_bucket(Bucket=bucket)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    # Re-creating must not wipe the bucket.
    assert s3.get_object(Bucket=bucket, Key="keep.txt")["Body"].read() == b"still here"


def test_recreate_own_bucket_outside_us_east_1_is_bucket_already_owned_by_you(kiln):
    eu = kiln.client("s3", region="eu-west-1")
    name = unique_name("eu")
    cfg = {"LocationConstraint": "eu-west-1"}
    eu.create_bucket(Bucket=name, CreateBucketConfiguration=cfg)
    try:
        expect_client_error(eu.create_bucket, Bucket=name, CreateBucketConfiguration=cfg,
                            code="BucketAlreadyOwnedByYou", status=409)
    finally:
        empty_and_delete_bucket(eu, name)


def test_delete_non_empty_bucket_is_bucket_not_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key="x", Body=b"1")
    expect_client_error(s3.delete_bucket, Bucket=bucket, code="BucketNotEmpty", status=409)
    assert s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_operations_on_missing_bucket_are_no_such_bucket(s3):
    name = unique_name("missing")
    expect_client_error(s3.list_objects_v2, Bucket=name, code="NoSuchBucket", status=404)
    expect_client_error(s3.list_objects, Bucket=name, code="NoSuchBucket", status=404)
    expect_client_error(s3.get_object, Bucket=name, Key="k", code="NoSuchBucket", status=404)
    expect_client_error(s3.put_object, Bucket=name, Key="k", Body=b"x", code="NoSuchBucket", status=404)
    expect_client_error(s3.delete_bucket, Bucket=name, code="NoSuchBucket", status=404)
    expect_client_error(s3.get_bucket_location, Bucket=name, code="NoSuchBucket", status=404)
    err = expect_client_error(s3.create_multipart_upload, Bucket=name, Key="k", code="NoSuchBucket", status=404)
    assert err.response["Error"].get("BucketName") in (None, name)


@pytest.mark.parametrize(
    "name",
    [
        "ab",  # shorter than 3
        "a" * 64,  # longer than 63
        "UpperCase",  # upper-case letters
        "under_score",  # underscore
        "-leading-hyphen",
        "trailing-hyphen-",
        ".leading-dot",
        "double..dot",
        "192.168.5.4",  # formatted as an IP address
        "xn--punycode-prefix",  # reserved prefix
    ],
)
def test_invalid_bucket_name_is_rejected(s3, name):
    # AWS "General purpose bucket naming rules"; violations answer 400 InvalidBucketName.
    expect_client_error(s3.create_bucket, Bucket=name, code="InvalidBucketName", status=400)
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_get_bucket_location_us_east_1_is_none(s3, bucket):
    # AWS returns an empty LocationConstraint for us-east-1; botocore maps it to None.
    resp = s3.get_bucket_location(Bucket=bucket)
    assert resp["LocationConstraint"] is None


def test_get_bucket_location_eu_west_1(kiln):
    eu = kiln.client("s3", region="eu-west-1")
    name = unique_name("loc")
    eu.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    try:
        assert eu.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
        assert eu.head_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert name in [b["Name"] for b in eu.list_buckets()["Buckets"]]
        eu.put_object(Bucket=name, Key="k", Body=b"eu")
        assert eu.get_object(Bucket=name, Key="k")["Body"].read() == b"eu"
    finally:
        empty_and_delete_bucket(eu, name)


def test_list_buckets_shows_many_buckets(s3):
    names = [unique_name("many") for _ in range(3)]
    for n in names:
        s3.create_bucket(Bucket=n)
    try:
        listed = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        assert set(names) <= set(listed)
        assert listed == sorted(listed), "AWS lists buckets in alphabetical order"
    finally:
        for n in names:
            s3.delete_bucket(Bucket=n)


def test_expected_bucket_owner(s3, bucket):
    # The SageMaker SDK sends x-amz-expected-bucket-owner on HeadBucket when it named the bucket itself.
    ok = s3.head_bucket(Bucket=bucket, ExpectedBucketOwner="000000000000")
    assert ok["ResponseMetadata"]["HTTPStatusCode"] == 200
    # AWS: a mismatch fails with 403 Access Denied (HEAD: no body, so botocore reports "403"/"Forbidden").
    expect_client_error(s3.head_bucket, Bucket=bucket, ExpectedBucketOwner="111111111111",
                        code="403", status=403, message="Forbidden")
    expect_client_error(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ExpectedBucketOwner="111111111111",
                        code="AccessDenied", status=403)
