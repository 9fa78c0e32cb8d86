"""Authentication (SigV4 verification, error codes per protocol), tampering, clock skew, path traversal,
and the --auth accept-any mode."""

import os
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest
import requests
from botocore.exceptions import ClientError

from e2e_helpers import (
    all_keys_v2,
    empty_and_delete_bucket,
    expect_client_error,
    raw_request,
    s3_error_code,
    sign,
    signed_raw,
    signing_clock,
    unique_name,
    utcnow,
)

# Error codes per protocol (sigv4.md step 5; AWS common errors):
#   S3 (REST-XML):       SignatureDoesNotMatch 403, InvalidAccessKeyId 403, RequestTimeTooSkewed 403
#   JSON 1.1 services:   InvalidSignatureException 400, UnrecognizedClientException 400
#   Query (STS, IAM):    SignatureDoesNotMatch 403, InvalidClientTokenId 403


# --------------------------------------------------------------------------- unsigned


def test_unsigned_s3_requests_are_access_denied(kiln, s3, bucket):
    s3.put_object(Bucket=bucket, Key="private", Body=b"secret")
    for method, path in [("GET", "/"), ("GET", f"/{bucket}"), ("GET", f"/{bucket}/private"),
                         ("GET", f"/{bucket}?list-type=2")]:
        resp = requests.request(method, kiln.url(path), timeout=30)
        assert resp.status_code == 403, (method, path, resp.status_code, resp.text)
        assert s3_error_code(resp.content) == "AccessDenied", (path, resp.text)
        assert b"secret" not in resp.content

    head = requests.head(kiln.url(f"/{bucket}/private"), timeout=30)
    assert head.status_code == 403

    put = requests.put(kiln.url(f"/{bucket}/anon"), data=b"anonymous write", timeout=30)
    assert put.status_code == 403 and s3_error_code(put.content) == "AccessDenied"
    expect_client_error(s3.head_object, Bucket=bucket, Key="anon", code="404", status=404)

    delete = requests.delete(kiln.url(f"/{bucket}/private"), timeout=30)
    assert delete.status_code == 403
    assert s3.get_object(Bucket=bucket, Key="private")["Body"].read() == b"secret"

    create = requests.put(kiln.url(f"/{unique_name('anon')}"), timeout=30)
    assert create.status_code == 403


def test_unsigned_json_request_is_rejected(kiln):
    resp = requests.post(kiln.url("/"), data=b"{}", timeout=30, headers={
        "X-Amz-Target": "SageMaker.ListTrainingJobs", "Content-Type": "application/x-amz-json-1.1"})
    # AWS JSON services answer MissingAuthenticationTokenException when there is no signature at all.
    assert resp.status_code in (400, 403), resp.text
    assert resp.json()["__type"].split("#")[-1] == "MissingAuthenticationTokenException"


# --------------------------------------------------------------------------- wrong secret / unknown key


def test_wrong_secret(kiln):
    bad = {"secret_key": kiln.secret_key[:-1] + ("x" if kiln.secret_key[-1] != "x" else "y")}
    expect_client_error(kiln.client("s3", **bad).list_buckets, code="SignatureDoesNotMatch", status=403)
    expect_client_error(kiln.client("sagemaker", **bad).list_training_jobs,
                        code="InvalidSignatureException", status=400)
    expect_client_error(kiln.client("logs", **bad).describe_log_groups, code="InvalidSignatureException", status=400)
    expect_client_error(kiln.client("sts", **bad).get_caller_identity, code="SignatureDoesNotMatch", status=403)
    expect_client_error(kiln.client("iam", **bad).get_role, RoleName="SageMakerRole",
                        code="SignatureDoesNotMatch", status=403)


def test_unknown_access_key(kiln):
    bad = {"access_key": "AKIAUNKNOWNKEY000000"}
    expect_client_error(kiln.client("s3", **bad).list_buckets, code="InvalidAccessKeyId", status=403)
    expect_client_error(kiln.client("sagemaker", **bad).list_training_jobs,
                        code="UnrecognizedClientException", status=400)
    expect_client_error(kiln.client("logs", **bad).describe_log_groups,
                        code="UnrecognizedClientException", status=400)
    expect_client_error(kiln.client("sts", **bad).get_caller_identity, code="InvalidClientTokenId", status=403)


def test_wrong_secret_cannot_write(kiln, s3, bucket):
    bad = kiln.client("s3", secret_key="not-the-secret")
    expect_client_error(bad.put_object, Bucket=bucket, Key="forged", Body=b"x", code="SignatureDoesNotMatch",
                        status=403)
    expect_client_error(s3.head_object, Bucket=bucket, Key="forged", code="404", status=404)


# --------------------------------------------------------------------------- clock skew


def test_request_signed_20_minutes_ago(kiln):
    past = utcnow() - timedelta(minutes=20)
    with signing_clock(past):
        expect_client_error(kiln.client("s3").list_buckets, code="RequestTimeTooSkewed", status=403)
        err = expect_client_error(kiln.client("sagemaker").list_training_jobs,
                                  code="InvalidSignatureException", status=400)
        assert "Signature expired" in err.response["Error"]["Message"]
        err = expect_client_error(kiln.client("logs").describe_log_groups, code="InvalidSignatureException",
                                  status=400)
        assert "Signature expired" in err.response["Error"]["Message"]
        err = expect_client_error(kiln.client("sts").get_caller_identity, code="SignatureDoesNotMatch", status=403)
        assert "Signature expired" in err.response["Error"]["Message"]


def test_request_signed_20_minutes_in_the_future(kiln):
    with signing_clock(utcnow() + timedelta(minutes=20)):
        expect_client_error(kiln.client("s3").list_buckets, code="RequestTimeTooSkewed", status=403)
        expect_client_error(kiln.client("sagemaker").list_training_jobs, code="InvalidSignatureException", status=400)


def test_small_clock_skew_is_accepted(kiln):
    # The allowed window is +-15 minutes (sigv4.md step 5).
    with signing_clock(utcnow() - timedelta(minutes=5)):
        assert kiln.client("s3").list_buckets()["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert kiln.client("sts").get_caller_identity()["Account"]


# --------------------------------------------------------------------------- tampering


def test_tampered_s3_body_is_content_sha256_mismatch(kiln, s3, bucket):
    path = f"/{bucket}/tampered"
    headers, _, _ = sign(kiln, "PUT", path, service="s3", body=b"original body!")
    resp = raw_request(kiln, "PUT", path, headers=headers, body=b"modified body!")  # same length
    assert resp.status == 400, (resp.status, resp.body)
    assert resp.error_code == "XAmzContentSHA256Mismatch"
    expect_client_error(s3.head_object, Bucket=bucket, Key="tampered", code="404", status=404)


def test_tampered_signed_header_is_signature_does_not_match(kiln, s3, bucket):
    path = f"/{bucket}/meta"
    headers, _, _ = sign(kiln, "PUT", path, service="s3", headers={"X-Amz-Meta-Owner": "alice"}, body=b"x")
    headers["X-Amz-Meta-Owner"] = "mallory"
    resp = raw_request(kiln, "PUT", path, headers=headers, body=b"x")
    assert resp.status == 403 and resp.error_code == "SignatureDoesNotMatch", (resp.status, resp.body)
    expect_client_error(s3.head_object, Bucket=bucket, Key="meta", code="404", status=404)


def test_tampered_json_body_is_invalid_signature(kiln):
    headers, _, _ = sign(kiln, "POST", "/", service="logs", body=b'{"logGroupNamePrefix":"a"}',
                         headers={"Content-Type": "application/x-amz-json-1.1",
                                  "X-Amz-Target": "Logs_20140328.DescribeLogGroups"})
    resp = raw_request(kiln, "POST", "/", headers=headers, body=b'{"logGroupNamePrefix":"b"}')
    assert resp.status == 400 and resp.error_code == "InvalidSignatureException", (resp.status, resp.body)


# --------------------------------------------------------------------------- path traversal


def _ancestors(path: Path):
    path = path.resolve()
    return [path, *path.parents]


def test_path_traversal_keys_stay_inside_the_bucket(kiln, s3, bucket, e2e_root):
    victim = unique_name("victim")
    s3.create_bucket(Bucket=victim)
    s3.put_object(Bucket=victim, Key="victim", Body=b"VICTIM")
    tag = uuid.uuid4().hex[:10]
    deep = "../" * 16
    try:
        # (how, key): "literal" keys are percent-encoded the way boto3 does it (it sends dot segments
        # verbatim, quoting with safe="/~"); "raw" ones are sent exactly as written.
        cases = [
            ("literal", f"{deep}tmp/kiln-escape-{tag}-0"),
            ("literal", f"../kiln-escape-{tag}-1"),
            ("literal", f"../../kiln-escape-{tag}-2"),
            ("literal", f"a/../../kiln-escape-{tag}-3"),
            ("literal", f"/abs-kiln-escape-{tag}-4"),
            ("literal", f"../{victim}/victim"),
            ("literal", f"./dot/./kiln-{tag}-6"),
            ("literal", f"%2e%2e/kiln-escape-{tag}-7"),  # a literal percent sign in the key
            ("raw", f"%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/tmp/kiln-escape-{tag}-8"),
            ("raw", f"..%2f..%2f..%2fkiln-escape-{tag}-9"),
            ("raw", f"%2E%2E%2F{victim}%2Fvictim-{tag}-10"),  # distinct from case 5 once decoded
            ("raw", f"..%5c..%5ckiln-escape-{tag}-11"),  # backslashes
            ("raw", f"%c0%ae%c0%ae/%c0%ae%c0%ae/kiln-escape-{tag}-12"),  # overlong UTF-8 for '.'
            ("raw", f"nul%00byte-{tag}-13"),
            ("raw", f"bad-utf8-%ff%fe-{tag}-14"),
            ("raw", f"lone-surrogate-%ed%a0%80-{tag}-15"),
        ]
        stored = []  # (key bytes, body) for every write the server accepted
        for i, (how, key) in enumerate(cases):
            body = f"PAYLOAD-{tag}-{i}".encode()
            if how == "literal":
                path = f"/{bucket}/" + key.replace("%", "%25")
            else:
                path = f"/{bucket}/{key}"
            resp = signed_raw(kiln, "PUT", path, body=body)
            assert resp.status in (200, 400), f"PUT {path}: {resp.status} {resp.body[:300]!r}"
            if resp.status == 200:
                stored.append((unquote_to_bytes(path[len(bucket) + 2:]), body, path))
                back = signed_raw(kiln, "GET", path)
                assert back.status == 200 and back.body == body, f"GET {path}: {back.status} {back.body[:200]!r}"

        # Every accepted write is an object of *this* bucket, listed under exactly the key that was sent.
        listed = all_keys_v2(s3, bucket)
        assert len(listed) == len(stored), (listed, [k for k, _, _ in stored])
        for key_bytes, body, path in stored:
            try:
                key = key_bytes.decode("utf-8")
            except UnicodeDecodeError:
                continue  # not representable as a boto3 key; counted above
            assert key in listed, (key, listed)

        # Nothing leaked into the other bucket ...
        assert all_keys_v2(s3, victim) == ["victim"]
        assert s3.get_object(Bucket=victim, Key="victim")["Body"].read() == b"VICTIM"
        # ... or outside the data dir.
        for ancestor in _ancestors(kiln.data_dir.parent):
            for leaked in ancestor.glob(f"kiln-escape-{tag}-*"):
                pytest.fail(f"traversal wrote outside the data dir: {leaked}")
        for leaked in Path("/tmp").glob(f"kiln-escape-{tag}-*"):
            pytest.fail(f"traversal wrote outside the data dir: {leaked}")
        for dirpath, _, files in os.walk(e2e_root):
            if Path(dirpath).resolve().is_relative_to(kiln.data_dir.resolve()):
                continue
            assert not [f for f in files if tag in f], f"traversal wrote into {dirpath}"
    finally:
        empty_and_delete_bucket(s3, victim)


def test_path_traversal_reads_do_not_escape(kiln, s3, bucket):
    victim = unique_name("victim")
    s3.create_bucket(Bucket=victim)
    s3.put_object(Bucket=victim, Key="secret", Body=b"VICTIM-SECRET")
    try:
        for key in ["../../../../../../../../etc/passwd", f"../{victim}/secret", "../../etc/hostname"]:
            with pytest.raises(ClientError) as excinfo:
                s3.get_object(Bucket=bucket, Key=key)
            code = excinfo.value.response["Error"]["Code"]
            assert code in ("NoSuchKey", "InvalidArgument", "InvalidURI", "InvalidRequest"), (key, code)
        for raw in [f"/{bucket}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                    f"/{bucket}/..%2f{victim}%2fsecret", f"/{bucket}/%2e%2e/{victim}/secret"]:
            resp = signed_raw(kiln, "GET", raw)
            assert resp.status in (400, 404), (raw, resp.status)
            assert b"root:" not in resp.body and b"VICTIM-SECRET" not in resp.body
    finally:
        empty_and_delete_bucket(s3, victim)


@pytest.mark.parametrize("name", ["..", ".", "a..b"])
def test_dot_bucket_names_are_invalid(s3, name):
    expect_client_error(s3.create_bucket, Bucket=name, code="InvalidBucketName", status=400)


# --------------------------------------------------------------------------- accept-any


def test_accept_any_mode_accepts_wrong_secret(kiln_factory):
    server = kiln_factory.start(auth="accept-any")
    s3 = server.client("s3", secret_key="completely-wrong-secret")
    name = unique_name("any")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"accepted")
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"accepted"
    assert server.client("sts", secret_key="wrong").get_caller_identity()["Account"]
    assert "logGroups" in server.client("logs", secret_key="wrong").describe_log_groups()
    # Presigned URLs with a wrong secret work too.
    url = s3.generate_presigned_url("get_object", Params={"Bucket": name, "Key": "k"}, ExpiresIn=60)
    assert requests.get(url, timeout=30).content == b"accepted"
