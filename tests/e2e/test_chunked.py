"""aws-chunked request bodies, sent raw (boto3 only uses them over HTTPS).

- STREAMING-UNSIGNED-PAYLOAD-TRAILER: what boto3/awscli send over TLS (sigv4.md), framed inside
  Content-Length or inside HTTP Transfer-Encoding: chunked.
- STREAMING-AWS4-HMAC-SHA256-PAYLOAD: signed chunks (Java/Go/.NET SDKs, CLI v2), per the AWS doc
  "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks".
"""

import os
import re

import pytest

from e2e_helpers import (
    aws_chunked_signed_body,
    aws_chunked_unsigned,
    checksum_b64,
    chunk_signatures,
    expect_client_error,
    md5_hex,
    multipart_etag,
    raw_request,
    sign,
    sigv4_signing_key,
)

KiB = 1024


def _pieces(body: bytes, size: int):
    """HTTP chunks deliberately not aligned with the aws-chunked frames."""
    for i in range(0, len(body), size):
        yield body[i:i + size]


def put_unsigned_trailer(kiln, bucket, key, data, *, algorithm="crc32", value=None, http_chunked=False,
                         chunk_size=64 * KiB, query=""):
    value = value if value is not None else checksum_b64(algorithm, data)
    trailer = f"x-amz-checksum-{algorithm}"
    body = aws_chunked_unsigned(data, chunk_size, trailer, value)
    headers = {
        "Content-Encoding": "aws-chunked",
        "X-Amz-Decoded-Content-Length": str(len(data)),
        "X-Amz-Trailer": trailer,
        "X-Amz-Sdk-Checksum-Algorithm": algorithm.upper(),
    }
    if not http_chunked:
        headers["Content-Length"] = str(len(body))
    path = f"/{bucket}/{key}"
    signed, _, _ = sign(kiln, "PUT", path, service="s3", query=query, headers=headers,
                        payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    send = _pieces(body, 7777) if http_chunked else body
    return raw_request(kiln, "PUT", path + (f"?{query}" if query else ""), headers=signed, body=send)


@pytest.mark.parametrize("http_chunked", [False, True], ids=["content-length", "transfer-encoding-chunked"])
def test_unsigned_trailer_put_stores_decoded_payload(kiln, s3, bucket, http_chunked):
    data = os.urandom(150 * KiB + 3)
    resp = put_unsigned_trailer(kiln, bucket, "chunked.bin", data, http_chunked=http_chunked)
    assert resp.status == 200, (resp.status, resp.body)
    assert resp.header("etag") == f'"{md5_hex(data)}"'
    assert resp.header("x-amz-checksum-crc32") == checksum_b64("crc32", data)

    got = s3.get_object(Bucket=bucket, Key="chunked.bin", ChecksumMode="ENABLED")
    assert got["ContentLength"] == len(data)
    assert got["Body"].read() == data
    assert got["ChecksumCRC32"] == checksum_b64("crc32", data)
    # aws-chunked is a transfer detail: it is not stored as the object's Content-Encoding.
    assert "aws-chunked" not in (got.get("ContentEncoding") or "")


@pytest.mark.parametrize("algorithm", ["crc32c", "sha1", "sha256"])
def test_unsigned_trailer_other_algorithms(kiln, s3, bucket, algorithm):
    data = os.urandom(70 * KiB)
    resp = put_unsigned_trailer(kiln, bucket, algorithm, data, algorithm=algorithm, http_chunked=True)
    assert resp.status == 200, (resp.status, resp.body)
    got = s3.get_object(Bucket=bucket, Key=algorithm, ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ResponseMetadata"]["HTTPHeaders"].get(f"x-amz-checksum-{algorithm}") == checksum_b64(algorithm, data)


def test_unsigned_trailer_empty_object(kiln, s3, bucket):
    resp = put_unsigned_trailer(kiln, bucket, "empty", b"")
    assert resp.status == 200, (resp.status, resp.body)
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["ContentLength"] == 0 and got["Body"].read() == b""


@pytest.mark.parametrize("http_chunked", [False, True], ids=["content-length", "transfer-encoding-chunked"])
def test_wrong_trailer_checksum_is_bad_digest(kiln, s3, bucket, http_chunked):
    data = os.urandom(100 * KiB)
    resp = put_unsigned_trailer(kiln, bucket, "bad", data, value=checksum_b64("crc32", b"not the data"),
                                http_chunked=http_chunked)
    assert resp.status == 400, (resp.status, resp.body)
    assert resp.error_code == "BadDigest"
    expect_client_error(s3.head_object, Bucket=bucket, Key="bad", code="404", status=404)


def test_decoded_length_mismatch_is_rejected(kiln, s3, bucket):
    data = os.urandom(10 * KiB)
    body = aws_chunked_unsigned(data, 4 * KiB, "x-amz-checksum-crc32", checksum_b64("crc32", data))
    headers = {
        "Content-Encoding": "aws-chunked",
        "X-Amz-Decoded-Content-Length": str(len(data) + 100),  # a lie
        "X-Amz-Trailer": "x-amz-checksum-crc32",
        "Content-Length": str(len(body)),
    }
    path = f"/{bucket}/liar"
    signed, _, _ = sign(kiln, "PUT", path, service="s3", headers=headers,
                        payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    resp = raw_request(kiln, "PUT", path, headers=signed, body=body)
    assert resp.status == 400, (resp.status, resp.body)
    expect_client_error(s3.head_object, Bucket=bucket, Key="liar", code="404", status=404)


def test_upload_part_with_unsigned_trailer(kiln, s3, bucket):
    key = "mp-chunked"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts = [os.urandom(5 * 1024 * KiB), os.urandom(300 * KiB)]
    completed = []
    for n, data in enumerate(parts, start=1):
        resp = put_unsigned_trailer(kiln, bucket, key, data, http_chunked=True, chunk_size=256 * KiB,
                                    query=f"partNumber={n}&uploadId={upload_id}")
        assert resp.status == 200, (resp.status, resp.body)
        assert resp.header("etag") == f'"{md5_hex(data)}"'
        completed.append({"PartNumber": n, "ETag": resp.header("etag")})
    done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                        MultipartUpload={"Parts": completed})
    assert done["ETag"] == multipart_etag(parts)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"".join(parts)


# --------------------------------------------------------------------------- signed chunks


def test_chunk_signer_matches_aws_documentation_vector():
    """Guards the test helper itself: the AWS S3 docs' 64 KiB + 1 KiB + final chunk example."""
    key = sigv4_signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3")
    sigs = chunk_signatures("4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", key,
                            "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
                            [b"a" * 65536, b"a" * 1024, b""])
    assert sigs == [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ]


def put_signed_chunks(kiln, bucket, key, data, *, chunk_size=64 * KiB, corrupt_chunk=None):
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    # Each frame is "<hex>;chunk-signature=<64 hex>\r\n<data>\r\n": the length is known before signing.
    encoded_len = sum(len(f"{len(c):x};chunk-signature=") + 64 + 2 + len(c) + 2 for c in chunks)
    headers = {
        "Content-Encoding": "aws-chunked",
        "X-Amz-Decoded-Content-Length": str(len(data)),
        "Content-Length": str(encoded_len),
    }
    path = f"/{bucket}/{key}"
    signed, req, _ = sign(kiln, "PUT", path, service="s3", headers=headers,
                          payload_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    seed = re.search(r"Signature=([0-9a-f]{64})", signed["Authorization"]).group(1)
    timestamp = req.context["timestamp"]
    date = timestamp[:8]
    scope = f"{date}/{kiln.region}/s3/aws4_request"
    sigs = chunk_signatures(seed, sigv4_signing_key(kiln.secret_key, date, kiln.region, "s3"), timestamp, scope,
                            chunks)
    if corrupt_chunk is not None:
        bad = sigs[corrupt_chunk]
        sigs[corrupt_chunk] = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    body = aws_chunked_signed_body(chunks, sigs)
    assert len(body) == encoded_len
    return raw_request(kiln, "PUT", path, headers=signed, body=body)


def test_signed_chunks_put(kiln, s3, bucket):
    data = os.urandom(150 * KiB + 11)
    resp = put_signed_chunks(kiln, bucket, "signed.bin", data)
    assert resp.status == 200, (resp.status, resp.body)
    assert resp.header("etag") == f'"{md5_hex(data)}"'
    got = s3.get_object(Bucket=bucket, Key="signed.bin")
    assert got["ContentLength"] == len(data)
    assert got["Body"].read() == data


@pytest.mark.parametrize("corrupt", [0, 2, 3], ids=["first-chunk", "last-data-chunk", "final-empty-chunk"])
def test_signed_chunks_bad_chunk_signature_is_rejected(kiln, s3, bucket, corrupt):
    data = os.urandom(150 * KiB + 11)  # chunks: 64 KiB, 64 KiB, 22 KiB+11, final
    resp = put_signed_chunks(kiln, bucket, "tampered.bin", data, corrupt_chunk=corrupt)
    assert resp.status == 403, (resp.status, resp.body)
    assert resp.error_code == "SignatureDoesNotMatch"
    expect_client_error(s3.head_object, Bucket=bucket, Key="tampered.bin", code="404", status=404)
