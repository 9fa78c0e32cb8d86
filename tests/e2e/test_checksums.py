"""S3 flexible checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) and Content-MD5."""

import base64
import hashlib
import os

import pytest
from botocore.httpchecksum import _CHECKSUM_CLS

from e2e_helpers import checksum_b64, expect_client_error, signed_raw

DATA = os.urandom(64 * 1024 + 17)
MEMBER = {"crc32": "ChecksumCRC32", "crc32c": "ChecksumCRC32C", "crc64nvme": "ChecksumCRC64NVME",
          "sha1": "ChecksumSHA1", "sha256": "ChecksumSHA256"}


def _botocore_computes(algorithm: str) -> bool:
    # CRC32C / CRC64NVME need awscrt in botocore 1.43; without it the SDK cannot compute them itself.
    return algorithm in _CHECKSUM_CLS


@pytest.mark.parametrize("algorithm", ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"])
def test_put_with_checksum_algorithm_echoes_and_get_validates(s3, bucket, algorithm):
    if not _botocore_computes(algorithm):
        pytest.skip(f"botocore cannot compute {algorithm} without awscrt (see the explicit-value test)")
    member = MEMBER[algorithm]
    expected = checksum_b64(algorithm, DATA)
    put = s3.put_object(Bucket=bucket, Key=algorithm, Body=DATA, ChecksumAlgorithm=algorithm.upper())
    assert put[member] == expected
    got = s3.get_object(Bucket=bucket, Key=algorithm, ChecksumMode="ENABLED")
    assert got[member] == expected
    assert got["Body"].read() == DATA  # botocore validates the body against the header while reading
    head = s3.head_object(Bucket=bucket, Key=algorithm, ChecksumMode="ENABLED")
    assert head[member] == expected


@pytest.mark.parametrize("algorithm", ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"])
def test_put_with_explicit_checksum_value(s3, bucket, algorithm):
    # Passing the value ourselves makes botocore send x-amz-checksum-<alg> as given (no awscrt needed).
    member = MEMBER[algorithm]
    expected = checksum_b64(algorithm, DATA)
    put = s3.put_object(Bucket=bucket, Key=f"explicit-{algorithm}", Body=DATA, **{member: expected})
    assert put[member] == expected
    got = s3.get_object(Bucket=bucket, Key=f"explicit-{algorithm}", ChecksumMode="ENABLED")
    assert got["ResponseMetadata"]["HTTPHeaders"].get(f"x-amz-checksum-{algorithm}") == expected
    assert got["Body"].read() == DATA


def test_default_put_sends_crc32_and_gets_it_back(s3, bucket):
    # botocore >= 1.36 sends x-amz-checksum-crc32 on every PutObject by default ("when_supported").
    put = s3.put_object(Bucket=bucket, Key="default", Body=DATA)
    assert put["ChecksumCRC32"] == checksum_b64("crc32", DATA)
    got = s3.get_object(Bucket=bucket, Key="default", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == checksum_b64("crc32", DATA)
    assert got["Body"].read() == DATA


def test_no_checksum_header_without_checksum_mode(kiln, s3, bucket):
    s3.put_object(Bucket=bucket, Key="nomode", Body=DATA)
    # A GET without x-amz-checksum-mode: S3 returns checksums only when asked.
    resp = signed_raw(kiln, "GET", f"/{bucket}/nomode")
    assert resp.status == 200 and resp.body == DATA
    assert resp.header("x-amz-checksum-crc32") is None


@pytest.mark.parametrize("algorithm", ["crc32", "crc32c", "sha1", "sha256"])
def test_wrong_checksum_is_bad_digest(s3, bucket, algorithm):
    wrong = checksum_b64(algorithm, DATA + b"tampered")
    expect_client_error(s3.put_object, Bucket=bucket, Key=f"bad-{algorithm}", Body=DATA,
                        **{MEMBER[algorithm]: wrong}, code="BadDigest", status=400)
    expect_client_error(s3.head_object, Bucket=bucket, Key=f"bad-{algorithm}", code="404", status=404)


def test_wrong_content_md5_is_bad_digest(s3, bucket):
    wrong = base64.b64encode(hashlib.md5(b"something else").digest()).decode()
    expect_client_error(s3.put_object, Bucket=bucket, Key="md5", Body=DATA, ContentMD5=wrong,
                        code="BadDigest", status=400)
    expect_client_error(s3.head_object, Bucket=bucket, Key="md5", code="404", status=404)


def test_malformed_content_md5_is_invalid_digest(s3, bucket):
    expect_client_error(s3.put_object, Bucket=bucket, Key="md5", Body=DATA, ContentMD5="not-an-md5!!",
                        code="InvalidDigest", status=400)


def test_correct_content_md5_is_accepted(s3, bucket):
    good = base64.b64encode(hashlib.md5(DATA).digest()).decode()
    put = s3.put_object(Bucket=bucket, Key="md5ok", Body=DATA, ContentMD5=good)
    assert put["ETag"] == f'"{hashlib.md5(DATA).hexdigest()}"'


def test_upload_part_wrong_checksum_is_bad_digest(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    expect_client_error(s3.upload_part, Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=1, Body=DATA,
                        ChecksumCRC32=checksum_b64("crc32", b"other"), code="BadDigest", status=400)
    assert s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload_id).get("Parts", []) == []
    s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id)
