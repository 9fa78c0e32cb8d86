"""Guards for the holes a review found: unsigned headers on presigned URLs, body framing tricks, a second
server on one data folder, malformed paging tokens, metric-label growth, and copy paths users rely on."""

import base64
import hashlib
import os
import subprocess

import pytest
import requests

from e2e_helpers import KilnServer, expect_client_error, json_call, s3_error_code, signed_raw, unique_name


def test_presigned_put_cannot_be_turned_into_a_copy(kiln, s3, bucket):
    """x-amz-copy-source added to a presigned PUT (signed headers: host) must not copy a secret object."""
    s3.put_object(Bucket=bucket, Key="secret", Body=b"top secret")
    s3v4 = kiln.client("s3", signature_version="s3v4")
    url = s3v4.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "drop"}, ExpiresIn=300)
    resp = requests.put(url, data=b"", headers={"x-amz-copy-source": f"{bucket}/secret"}, timeout=30)
    assert resp.status_code == 403, resp.text
    assert s3_error_code(resp.content) == "AccessDenied"
    assert b"not signed" in resp.content
    expect_client_error(s3.head_object, Bucket=bucket, Key="drop", code="404")
    # The same URL without extra headers still works.
    assert requests.put(url, data=b"ok", timeout=30).status_code == 200


def test_content_encoding_cannot_switch_a_signed_body_to_aws_chunked(kiln, s3, bucket):
    """With a hex payload hash, the body is checked against it whatever Content-Encoding says."""
    signed_body = b"the body that was signed"
    forged = b"5\r\nevil!\r\n0\r\n\r\n"
    resp = signed_raw(kiln, "PUT", f"/{bucket}/forged", body=signed_body, send_body=forged,
                      headers={"Content-Encoding": "aws-chunked"})
    assert resp.status == 400 and resp.error_code == "XAmzContentSHA256Mismatch", resp.body
    expect_client_error(s3.head_object, Bucket=bucket, Key="forged", code="404")


def test_second_server_on_the_same_data_folder_refuses_to_start(kiln_factory):
    first = kiln_factory.start()
    second = KilnServer(first.data_dir, [], log_dir=kiln_factory.root)
    proc = subprocess.run(second.command, capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "another kiln is already serving this data folder" in proc.stderr + proc.stdout
    assert first.running


def test_describe_log_streams_with_a_hostile_token_does_not_crash(kiln):
    logs = kiln.client("logs")
    group = unique_name("/hardening")
    logs.create_log_group(logGroupName=group)
    for i in range(3):
        logs.create_log_stream(logGroupName=group, logStreamName=f"s{i}")
    for token in [base64.b64encode(b"-1").decode(), "not base64!", base64.b64encode(b"\xff\xfe").decode()]:
        try:
            out = logs.describe_log_streams(logGroupName=group, nextToken=token)
            assert "nextToken" not in out or out["logStreams"]
        except logs.exceptions.InvalidParameterException:
            pass
    # The server is still alive and answering.
    assert len(logs.describe_log_streams(logGroupName=group)["logStreams"]) == 3


def test_log_stream_pages_do_not_repeat_when_streams_are_added_between_pages(kiln):
    logs = kiln.client("logs")
    group = unique_name("/paging")
    logs.create_log_group(logGroupName=group)
    for name in ["b", "d", "f"]:
        logs.create_log_stream(logGroupName=group, logStreamName=name)
    first = logs.describe_log_streams(logGroupName=group, limit=2)
    logs.create_log_stream(logGroupName=group, logStreamName="a")  # sorts before the page boundary
    second = logs.describe_log_streams(logGroupName=group, limit=2, nextToken=first["nextToken"])
    assert [s["logStreamName"] for s in first["logStreams"]] == ["b", "d"]
    assert [s["logStreamName"] for s in second["logStreams"]] == ["f"]
    assert "nextToken" not in second


def test_put_log_events_batch_over_1_mib_is_refused(kiln):
    logs = kiln.client("logs")
    group = unique_name("/big")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    events = [{"timestamp": 1_700_000_000_000 + i, "message": "x" * 200_000} for i in range(6)]
    expect_client_error(logs.put_log_events, logGroupName=group, logStreamName="s", logEvents=events,
                        code="InvalidParameterException")


def test_unknown_targets_do_not_become_metric_labels(kiln):
    name = "Bogus" + os.urandom(4).hex()
    resp = json_call(kiln, f"SageMaker.{name}", b"{}", service="sagemaker")
    assert resp.status == 400 and resp.error_code == "UnknownOperationException"
    metrics = requests.get(kiln.url("/metrics"), timeout=10).text
    assert name not in metrics


def test_upload_part_copy_and_cli_copy_between_buckets(kiln, s3, bucket):
    data = os.urandom(12 * 1024 * 1024)
    s3.put_object(Bucket=bucket, Key="src.bin", Body=data)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dst.bin")
    part1 = s3.upload_part_copy(Bucket=bucket, Key="dst.bin", UploadId=upload["UploadId"], PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "src.bin"}, CopySourceRange="bytes=0-5242879")
    part2 = s3.upload_part_copy(Bucket=bucket, Key="dst.bin", UploadId=upload["UploadId"], PartNumber=2,
                                CopySource={"Bucket": bucket, "Key": "src.bin"}, CopySourceRange=f"bytes=5242880-{len(data) - 1}")
    s3.complete_multipart_upload(Bucket=bucket, Key="dst.bin", UploadId=upload["UploadId"], MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": part1["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": part2["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="dst.bin")["Body"].read() == data
    # A range outside the source is refused.
    upload2 = s3.create_multipart_upload(Bucket=bucket, Key="bad.bin")
    expect_client_error(s3.upload_part_copy, Bucket=bucket, Key="bad.bin", UploadId=upload2["UploadId"], PartNumber=1,
                        CopySource={"Bucket": bucket, "Key": "src.bin"}, CopySourceRange=f"bytes=0-{len(data)}",
                        code="InvalidArgument")
    # The CLI copies large objects server-side with UploadPartCopy.
    other = unique_name("copy")
    s3.create_bucket(Bucket=other)
    kiln.aws("s3", "cp", f"s3://{bucket}/src.bin", f"s3://{other}/copied.bin")
    assert hashlib.sha256(s3.get_object(Bucket=other, Key="copied.bin")["Body"].read()).digest() == hashlib.sha256(data).digest()


def test_list_multipart_uploads_pages_through_uploads_of_one_key(s3, bucket):
    ids = [s3.create_multipart_upload(Bucket=bucket, Key="same")["UploadId"] for _ in range(3)]
    seen = []
    kwargs = {}
    for _ in range(5):
        page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=1, **kwargs)
        seen += [u["UploadId"] for u in page.get("Uploads", [])]
        if not page["IsTruncated"]:
            break
        kwargs = {"KeyMarker": page["NextKeyMarker"], "UploadIdMarker": page["NextUploadIdMarker"]}
    assert sorted(seen) == sorted(ids)


def test_folder_marker_object_does_not_hide_its_folder(s3, bucket):
    for key in ["dir/", "dir/a", "dir/b", "dir/sub/c"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    keys, prefixes, marker = [], [], ""
    while True:
        page = s3.list_objects(Bucket=bucket, Prefix="dir/", Delimiter="/", MaxKeys=1, Marker=marker)
        keys += [c["Key"] for c in page.get("Contents", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            break
        marker = page["NextMarker"]
    assert keys == ["dir/", "dir/a", "dir/b"]
    assert prefixes == ["dir/sub/"]
