"""S3 multipart uploads: ETag rules, ListParts, ListMultipartUploads, Abort, and Complete errors."""

import hashlib
import os

from e2e_helpers import MiB, checksum_b64, expect_client_error, md5_hex, multipart_etag

PART = 5 * MiB  # the S3 minimum for every part but the last


def _upload(s3, bucket, key, upload_id, number, data, **kwargs):
    resp = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data, **kwargs)
    assert resp["ETag"] == f'"{md5_hex(data)}"', "UploadPart ETag is the quoted md5 of the part"
    return {"PartNumber": number, "ETag": resp["ETag"]}


def test_multipart_roundtrip_etag_listparts_listuploads(s3, bucket):
    key = "mp/big.bin"
    parts = [os.urandom(PART), os.urandom(PART), os.urandom(MiB + 123)]
    create = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/x-mp",
                                        Metadata={"origin": "e2e"})
    upload_id = create["UploadId"]
    assert create["Bucket"] == bucket and create["Key"] == key and upload_id

    # Upload out of order: S3 assembles by part number.
    done = {}
    for number in (2, 1, 3):
        done[number] = _upload(s3, bucket, key, upload_id, number, parts[number - 1])

    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert [p["PartNumber"] for p in listed["Parts"]] == [1, 2, 3]
    assert [p["ETag"] for p in listed["Parts"]] == [done[n]["ETag"] for n in (1, 2, 3)]
    assert [p["Size"] for p in listed["Parts"]] == [len(p) for p in parts]
    assert listed["IsTruncated"] is False
    assert listed["UploadId"] == upload_id

    uploads = s3.list_multipart_uploads(Bucket=bucket)
    assert [(u["Key"], u["UploadId"]) for u in uploads.get("Uploads", [])] == [(key, upload_id)]

    # Not visible as an object until completed.
    expect_client_error(s3.head_object, Bucket=bucket, Key=key, code="404", status=404)

    complete = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                            MultipartUpload={"Parts": [done[n] for n in (1, 2, 3)]})
    assert complete["ETag"] == multipart_etag(parts)
    assert complete["Key"] == key and complete["Bucket"] == bucket

    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == sum(len(p) for p in parts)
    assert head["ETag"] == multipart_etag(parts)
    assert head["ContentType"] == "application/x-mp"
    assert head["Metadata"] == {"origin": "e2e"}
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert hashlib.sha256(body).digest() == hashlib.sha256(b"".join(parts)).digest()

    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    expect_client_error(s3.list_parts, Bucket=bucket, Key=key, UploadId=upload_id, code="NoSuchUpload", status=404)


def test_list_parts_pagination(s3, bucket):
    key = "mp/paged"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    for n in range(1, 5):
        _upload(s3, bucket, key, upload_id, n, f"part-{n}".encode())
    first = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, MaxParts=2)
    assert [p["PartNumber"] for p in first["Parts"]] == [1, 2]
    assert first["IsTruncated"] is True
    assert first["NextPartNumberMarker"] == 2
    second = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, MaxParts=2,
                           PartNumberMarker=first["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in second["Parts"]] == [3, 4]
    assert second["IsTruncated"] is False
    s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)


def test_reuploading_a_part_replaces_it(s3, bucket):
    key = "mp/replace"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    _upload(s3, bucket, key, upload_id, 1, b"old contents")
    part = _upload(s3, bucket, key, upload_id, 1, b"new contents")
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": [part]})
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"new contents"
    assert s3.head_object(Bucket=bucket, Key=key)["ETag"] == multipart_etag([b"new contents"])


def test_abort_multipart_upload(s3, bucket):
    key = "mp/aborted"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    _upload(s3, bucket, key, upload_id, 1, b"x" * 1024)
    resp = s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect_client_error(s3.list_parts, Bucket=bucket, Key=key, UploadId=upload_id, code="NoSuchUpload", status=404)
    expect_client_error(s3.upload_part, Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=2, Body=b"y",
                        code="NoSuchUpload", status=404)
    expect_client_error(s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": f'"{md5_hex(b"x" * 1024)}"'}]},
                        code="NoSuchUpload", status=404)
    assert all(u["UploadId"] != upload_id for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []))
    expect_client_error(s3.head_object, Bucket=bucket, Key=key, code="404", status=404)


def test_unknown_upload_id(s3, bucket):
    expect_client_error(s3.upload_part, Bucket=bucket, Key="k", UploadId="no-such-upload", PartNumber=1, Body=b"x",
                        code="NoSuchUpload", status=404)
    expect_client_error(s3.abort_multipart_upload, Bucket=bucket, Key="k", UploadId="no-such-upload",
                        code="NoSuchUpload", status=404)


def test_complete_with_wrong_etag_is_invalid_part(s3, bucket):
    key = "mp/wrong-etag"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    _upload(s3, bucket, key, upload_id, 1, b"only part")
    expect_client_error(s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]},
                        code="InvalidPart", status=400)
    # A part number that was never uploaded is InvalidPart too.
    expect_client_error(s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                        MultipartUpload={"Parts": [{"PartNumber": 7, "ETag": f'"{md5_hex(b"only part")}"'}]},
                        code="InvalidPart", status=400)
    expect_client_error(s3.head_object, Bucket=bucket, Key=key, code="404", status=404)
    # The upload is still open after a failed Complete.
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)["Parts"]] == [1]


def test_complete_with_parts_out_of_order_is_invalid_part_order(s3, bucket):
    key = "mp/order"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    p1 = _upload(s3, bucket, key, upload_id, 1, os.urandom(PART))
    p2 = _upload(s3, bucket, key, upload_id, 2, os.urandom(PART))  # both big enough: only the order is wrong
    expect_client_error(s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                        MultipartUpload={"Parts": [p2, p1]}, code="InvalidPartOrder", status=400)


def test_small_non_last_part_is_entity_too_small(s3, bucket):
    key = "mp/small"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    p1 = _upload(s3, bucket, key, upload_id, 1, os.urandom(MiB))  # < 5 MiB and not last
    p2 = _upload(s3, bucket, key, upload_id, 2, os.urandom(MiB))
    expect_client_error(s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                        MultipartUpload={"Parts": [p1, p2]}, code="EntityTooSmall", status=400)
    expect_client_error(s3.head_object, Bucket=bucket, Key=key, code="404", status=404)


def test_single_small_part_is_allowed(s3, bucket):
    # The last part may be smaller than 5 MiB, so a one-part upload of any size completes.
    key = "mp/one-small"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    part = _upload(s3, bucket, key, upload_id, 1, b"tiny")
    resp = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": [part]})
    assert resp["ETag"] == multipart_etag([b"tiny"])


def test_multipart_with_crc32_checksums_like_s3transfer(s3, bucket):
    # What s3transfer (aws s3 cp, upload_file) sends: CreateMultipartUpload with ChecksumAlgorithm CRC32,
    # UploadPart with x-amz-checksum-crc32, CompleteMultipartUpload listing ChecksumCRC32 per part.
    key = "mp/crc32"
    parts = [os.urandom(PART), os.urandom(2 * MiB)]
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="CRC32")["UploadId"]
    completed = []
    for n, data in enumerate(parts, start=1):
        resp = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=n, Body=data,
                              ChecksumAlgorithm="CRC32")
        assert resp["ChecksumCRC32"] == checksum_b64("crc32", data), "UploadPart echoes the part CRC32"
        completed.append({"PartNumber": n, "ETag": resp["ETag"], "ChecksumCRC32": resp["ChecksumCRC32"]})
    resp = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                        MultipartUpload={"Parts": completed})
    assert resp["ETag"] == multipart_etag(parts)
    got = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert got["Body"].read() == b"".join(parts)
