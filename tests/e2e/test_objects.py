"""S3 object operations: put/get/head/delete, DeleteObjects, CopyObject, ranges, conditionals, 100-continue."""

import hashlib
import os
import time
from datetime import timedelta

import pytest

from e2e_helpers import MiB, expect_client_error, md5_hex, unique_name


def test_put_get_roundtrip_with_content_type_and_metadata(s3, bucket):
    body = os.urandom(1234)
    put = s3.put_object(Bucket=bucket, Key="dir/obj.bin", Body=body, ContentType="application/x-test",
                        Metadata={"a": "b", "Mixed-Case": "Value 1"})
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["ETag"] == f'"{md5_hex(body)}"'

    got = s3.get_object(Bucket=bucket, Key="dir/obj.bin")
    assert got["Body"].read() == body
    assert got["ContentLength"] == len(body)
    assert got["ContentType"] == "application/x-test"
    # User metadata names are lower-cased by S3 (they travel as x-amz-meta-* headers).
    assert got["Metadata"] == {"a": "b", "mixed-case": "Value 1"}
    assert got["ETag"] == put["ETag"]
    assert got["LastModified"].tzinfo is not None
    assert got["ResponseMetadata"]["HTTPHeaders"].get("x-amz-request-id")


def test_head_object(s3, bucket):
    body = b"head me"
    put = s3.put_object(Bucket=bucket, Key="h.txt", Body=body, ContentType="text/plain", Metadata={"k": "v"})
    head = s3.head_object(Bucket=bucket, Key="h.txt")
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert head["ContentLength"] == len(body)
    assert head["ContentType"] == "text/plain"
    assert head["ETag"] == put["ETag"]
    assert head["Metadata"] == {"k": "v"}
    assert head["ResponseMetadata"]["HTTPHeaders"].get("accept-ranges") == "bytes"


def test_default_content_type_is_binary_octet_stream(s3, bucket):
    # botocore sends no Content-Type for a bare PutObject; S3 then stores binary/octet-stream.
    s3.put_object(Bucket=bucket, Key="noctype", Body=b"x")
    assert s3.head_object(Bucket=bucket, Key="noctype")["ContentType"] == "binary/octet-stream"


def test_missing_key(s3, bucket):
    expect_client_error(s3.get_object, Bucket=bucket, Key="nope", code="NoSuchKey", status=404)
    expect_client_error(s3.head_object, Bucket=bucket, Key="nope", code="404", status=404, message="Not Found")


def test_empty_object(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    assert put["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["ContentLength"] == 0
    assert got["Body"].read() == b""


def test_overwrite_replaces_content_and_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first", Metadata={"v": "1"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"second!", Metadata={"w": "2"})
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"second!"
    assert got["Metadata"] == {"w": "2"}


@pytest.mark.parametrize("key", [
    "with space.txt", "plus+sign", "ünïcødé/日本語.txt", "q?mark#hash", "pct%20literal", "a//double/slash",
    "trailing/", "emoji-😀", "semi;colon,comma=eq&amp", "tilde~star*paren()'quote'",
])
def test_special_keys_roundtrip(s3, bucket, key):
    body = key.encode() * 3
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    assert s3.list_objects_v2(Bucket=bucket, Prefix=key)["Contents"][0]["Key"] == key


def test_delete_object_is_204_and_idempotent(s3, bucket):
    s3.put_object(Bucket=bucket, Key="gone", Body=b"x")
    resp = s3.delete_object(Bucket=bucket, Key="gone")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect_client_error(s3.get_object, Bucket=bucket, Key="gone", code="NoSuchKey", status=404)
    # Deleting a key that does not exist is still 204 in S3.
    again = s3.delete_object(Bucket=bucket, Key="gone")
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_delete_objects_verbose(s3, bucket):
    keys = [f"del/{i}" for i in range(5)]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    s3.put_object(Bucket=bucket, Key="del/keep", Body=b"keep")
    resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys + ["del/never-existed"]]})
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    # S3 reports a non-existent key as deleted too.
    assert sorted(d["Key"] for d in resp["Deleted"]) == sorted(keys + ["del/never-existed"])
    assert resp.get("Errors", []) == []
    remaining = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="del/").get("Contents", [])]
    assert remaining == ["del/keep"]


def test_delete_objects_quiet(s3, bucket):
    keys = [f"q/{i}" for i in range(3)]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True})
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    # Quiet mode: only errors are reported.
    assert resp.get("Deleted", []) == []
    assert resp.get("Errors", []) == []
    assert s3.list_objects_v2(Bucket=bucket, Prefix="q/")["KeyCount"] == 0


def test_copy_object_copies_metadata_by_default(s3, bucket):
    body = os.urandom(2048)
    src = s3.put_object(Bucket=bucket, Key="src", Body=body, ContentType="image/png", Metadata={"a": "b"})
    resp = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert resp["CopyObjectResult"]["ETag"] == src["ETag"]
    assert resp["CopyObjectResult"]["LastModified"].tzinfo is not None
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == body
    assert got["ContentType"] == "image/png"
    assert got["Metadata"] == {"a": "b"}


def test_copy_object_replace_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"data", ContentType="text/plain", Metadata={"old": "1"})
    s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", MetadataDirective="REPLACE",
                   Metadata={"new": "2"}, ContentType="application/json")
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == b"data"
    assert got["Metadata"] == {"new": "2"}
    assert got["ContentType"] == "application/json"
    # The source is untouched.
    assert s3.head_object(Bucket=bucket, Key="src")["Metadata"] == {"old": "1"}


def test_copy_object_across_buckets_and_missing_source(s3, bucket):
    other = unique_name("copy")
    s3.create_bucket(Bucket=other)
    try:
        s3.put_object(Bucket=bucket, Key="sp ace/src+1", Body=b"cross")
        s3.copy_object(Bucket=other, Key="copied", CopySource={"Bucket": bucket, "Key": "sp ace/src+1"})
        assert s3.get_object(Bucket=other, Key="copied")["Body"].read() == b"cross"
        expect_client_error(s3.copy_object, Bucket=other, Key="x", CopySource={"Bucket": bucket, "Key": "missing"},
                            code="NoSuchKey", status=404)
    finally:
        for obj in s3.list_objects_v2(Bucket=other).get("Contents", []):
            s3.delete_object(Bucket=other, Key=obj["Key"])
        s3.delete_bucket(Bucket=other)


def test_copy_onto_itself_without_replace_is_invalid_request(s3, bucket):
    # AWS: copying an object to itself without changing metadata/storage class is 400 InvalidRequest.
    s3.put_object(Bucket=bucket, Key="self", Body=b"x")
    expect_client_error(s3.copy_object, Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"},
                        code="InvalidRequest", status=400)
    # ... but with MetadataDirective=REPLACE it is the documented way to change metadata.
    s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"},
                   MetadataDirective="REPLACE", Metadata={"changed": "yes"})
    assert s3.head_object(Bucket=bucket, Key="self")["Metadata"] == {"changed": "yes"}


# --------------------------------------------------------------------------- ranges

DATA100 = bytes(range(100))


@pytest.fixture
def obj100(s3, bucket):
    s3.put_object(Bucket=bucket, Key="r", Body=DATA100)
    return bucket


@pytest.mark.parametrize("rng,start,end", [
    ("bytes=0-9", 0, 9),
    ("bytes=10-", 10, 99),
    ("bytes=-5", 95, 99),
    ("bytes=90-200", 90, 99),  # an end past the size is clamped to the last byte
    ("bytes=99-99", 99, 99),
    ("bytes=-500", 0, 99),  # a suffix longer than the object is the whole object
])
def test_ranged_get(s3, obj100, rng, start, end):
    resp = s3.get_object(Bucket=obj100, Key="r", Range=rng)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert resp["ContentRange"] == f"bytes {start}-{end}/100"
    assert resp["ContentLength"] == end - start + 1
    assert resp["Body"].read() == DATA100[start:end + 1]


@pytest.mark.parametrize("rng", ["bytes=100-", "bytes=500-600", "bytes=100-200"])
def test_unsatisfiable_range_is_invalid_range_416(s3, obj100, rng):
    expect_client_error(s3.get_object, Bucket=obj100, Key="r", Range=rng, code="InvalidRange", status=416)


def test_get_without_range_is_200_without_content_range(s3, obj100):
    resp = s3.get_object(Bucket=obj100, Key="r")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "ContentRange" not in resp


# --------------------------------------------------------------------------- conditionals


def test_if_match(s3, obj100):
    etag = s3.head_object(Bucket=obj100, Key="r")["ETag"]
    assert s3.get_object(Bucket=obj100, Key="r", IfMatch=etag)["Body"].read() == DATA100
    expect_client_error(s3.get_object, Bucket=obj100, Key="r", IfMatch='"0123456789abcdef0123456789abcdef"',
                        code="PreconditionFailed", status=412)


def test_if_none_match(s3, obj100):
    etag = s3.head_object(Bucket=obj100, Key="r")["ETag"]
    # 304 has no body: botocore reports code "304".
    expect_client_error(s3.get_object, Bucket=obj100, Key="r", IfNoneMatch=etag, code="304", status=304)
    resp = s3.get_object(Bucket=obj100, Key="r", IfNoneMatch='"0123456789abcdef0123456789abcdef"')
    assert resp["Body"].read() == DATA100


def test_if_modified_since(s3, obj100):
    last_modified = s3.head_object(Bucket=obj100, Key="r")["LastModified"]
    # Not modified since its own Last-Modified (second precision, as sent in the header) -> 304.
    expect_client_error(s3.get_object, Bucket=obj100, Key="r", IfModifiedSince=last_modified, code="304", status=304)
    resp = s3.get_object(Bucket=obj100, Key="r", IfModifiedSince=last_modified - timedelta(days=1))
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_if_unmodified_since(s3, obj100):
    last_modified = s3.head_object(Bucket=obj100, Key="r")["LastModified"]
    expect_client_error(s3.get_object, Bucket=obj100, Key="r", IfUnmodifiedSince=last_modified - timedelta(days=1),
                        code="PreconditionFailed", status=412)
    resp = s3.get_object(Bucket=obj100, Key="r", IfUnmodifiedSince=last_modified + timedelta(days=1))
    assert resp["Body"].read() == DATA100


def test_conditional_precedence(s3, obj100):
    head = s3.head_object(Bucket=obj100, Key="r")
    etag, last_modified = head["ETag"], head["LastModified"]
    # AWS GetObject docs: If-Match true + If-Unmodified-Since false -> 200.
    resp = s3.get_object(Bucket=obj100, Key="r", IfMatch=etag, IfUnmodifiedSince=last_modified - timedelta(days=1))
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    # AWS GetObject docs: If-None-Match false + If-Modified-Since true -> 304.
    expect_client_error(s3.get_object, Bucket=obj100, Key="r", IfNoneMatch=etag,
                        IfModifiedSince=last_modified - timedelta(days=1), code="304", status=304)


def test_head_object_conditionals(s3, obj100):
    etag = s3.head_object(Bucket=obj100, Key="r")["ETag"]
    expect_client_error(s3.head_object, Bucket=obj100, Key="r", IfNoneMatch=etag, code="304", status=304)
    expect_client_error(s3.head_object, Bucket=obj100, Key="r", IfMatch='"ffffffffffffffffffffffffffffffff"',
                        code="412", status=412)


def test_conditional_put_if_none_match_star(s3, bucket):
    first = s3.put_object(Bucket=bucket, Key="once", Body=b"first", IfNoneMatch="*")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 200
    expect_client_error(s3.put_object, Bucket=bucket, Key="once", Body=b"second", IfNoneMatch="*",
                        code="PreconditionFailed", status=412)
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"first"


# --------------------------------------------------------------------------- Expect: 100-continue


def test_put_1mib_answers_expect_100_continue_quickly(s3, bucket):
    """botocore sends `Expect: 100-continue` and waits ~1 s for the interim response if none comes."""
    sent_expect = []

    def record(request, **_):
        sent_expect.append(request.headers.get("Expect"))

    s3.meta.events.register("before-send.s3.PutObject", record)
    try:
        body = os.urandom(MiB)
        s3.put_object(Bucket=bucket, Key="warmup", Body=body)  # connection set up outside the timing
        timings = []
        for i in range(3):
            t0 = time.monotonic()
            s3.put_object(Bucket=bucket, Key=f"fast-{i}", Body=body)
            timings.append(time.monotonic() - t0)
    finally:
        s3.meta.events.unregister("before-send.s3.PutObject", record)
    assert sent_expect and all(e == b"100-continue" or e == "100-continue" for e in sent_expect), sent_expect
    assert min(timings) < 0.5, f"1 MiB PutObject took {timings} s: is `100 Continue` being sent?"
    assert hashlib.md5(s3.get_object(Bucket=bucket, Key="fast-2")["Body"].read()).hexdigest() == md5_hex(body)


# --------------------------------------------------------------------------- system metadata and limits


def test_standard_headers_roundtrip(s3, bucket):
    s3.put_object(Bucket=bucket, Key="hdrs", Body=b"\x1f\x8b fake gzip", ContentType="text/csv",
                  ContentEncoding="gzip", ContentDisposition='attachment; filename="data.csv"',
                  CacheControl="max-age=60", ContentLanguage="en")
    for resp in (s3.get_object(Bucket=bucket, Key="hdrs"), s3.head_object(Bucket=bucket, Key="hdrs")):
        assert resp["ContentType"] == "text/csv"
        assert resp["ContentEncoding"] == "gzip"
        assert resp["ContentDisposition"] == 'attachment; filename="data.csv"'
        assert resp["CacheControl"] == "max-age=60"
        assert resp["ContentLanguage"] == "en"


def test_key_too_long(s3, bucket):
    # AWS: object keys are at most 1024 bytes of UTF-8; longer is 400 KeyTooLongError.
    s3.put_object(Bucket=bucket, Key="k" * 1024, Body=b"max")
    assert s3.get_object(Bucket=bucket, Key="k" * 1024)["Body"].read() == b"max"
    expect_client_error(s3.put_object, Bucket=bucket, Key="k" * 1025, Body=b"x", code="KeyTooLongError", status=400)


def test_metadata_too_large(s3, bucket):
    # AWS: user-defined metadata is limited to 2 KB; more is 400 MetadataTooLarge.
    expect_client_error(s3.put_object, Bucket=bucket, Key="meta", Body=b"x", Metadata={"big": "v" * 2100},
                        code="MetadataTooLarge", status=400)


# --------------------------------------------------------------------------- atomicity under concurrency


def test_concurrent_overwrites_never_tear(kiln, bucket):
    """Writers replace one key with uniform bodies while readers fetch it: every read is one whole version."""
    import threading

    versions = {bytes([65 + i]) * (2 * MiB): None for i in range(4)}
    for body in versions:
        versions[body] = f'"{md5_hex(body)}"'
    s3w = kiln.client("s3", max_pool_connections=8)
    s3w.put_object(Bucket=bucket, Key="hot", Body=next(iter(versions)))
    stop = time.monotonic() + 3
    problems = []

    def writer(body):
        while time.monotonic() < stop:
            s3w.put_object(Bucket=bucket, Key="hot", Body=body)

    def reader():
        while time.monotonic() < stop:
            resp = s3w.get_object(Bucket=bucket, Key="hot")
            data = resp["Body"].read()
            if data not in versions or versions[data] != resp["ETag"]:
                problems.append((len(data), data[:1], data[-1:], resp["ETag"]))

    threads = [threading.Thread(target=writer, args=(b,)) for b in versions] + \
              [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not problems, f"torn or mismatched reads: {problems[:5]}"
    final = s3w.get_object(Bucket=bucket, Key="hot")
    assert versions.get(final["Body"].read()) == final["ETag"]


# --------------------------------------------------------------------------- keys a filesystem would trip on


def test_file_and_directory_shaped_keys_coexist(s3, bucket):
    # S3 keys are flat strings: "x" and "x/y" (and "x/") are independent objects.
    keys = ["x", "x/", "x/y", "x/y/z", "x//y", "x/y/z/"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=f"body of {k}".encode())
    for k in keys:
        assert s3.get_object(Bucket=bucket, Key=k)["Body"].read() == f"body of {k}".encode(), k
    s3.delete_object(Bucket=bucket, Key="x/y")
    remaining = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert remaining == sorted(set(keys) - {"x/y"})
    assert s3.get_object(Bucket=bucket, Key="x/y/z")["Body"].read() == b"body of x/y/z"


@pytest.mark.parametrize("key", [
    "s" * 300,  # one "path segment" longer than NAME_MAX (255)
    "deep/" * 200 + "leaf",  # 200 levels
    "Case", "case", "CASE",  # keys are case-sensitive
    "caf\u00e9", "cafe\u0301",  # NFC and NFD spellings are different keys
])
def test_keys_filesystems_struggle_with(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()


def test_case_and_normalization_variants_are_distinct(s3, bucket):
    variants = ["Case", "case", "CASE", "caf\u00e9", "cafe\u0301"]
    for k in variants:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == sorted(variants, key=lambda k: k.encode())
    for k in variants:
        assert s3.get_object(Bucket=bucket, Key=k)["Body"].read() == k.encode()
