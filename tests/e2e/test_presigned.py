"""Presigned URLs: SigV2 query auth (botocore's default for S3 here) and SigV4 query auth."""

import os
import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests

from e2e_helpers import s3_error_code, s3_error_message


@pytest.fixture(scope="module")
def s3v4(kiln):
    return kiln.client("s3", signature_version="s3v4")


def _replace_query(url, name, value):
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    query[name] = [value]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


def _tamper(sig: str) -> str:
    """Change the first character: still valid hex / base64, but a different signature."""
    return ("0" if sig[0] != "0" else "1") + sig[1:]


def test_presigned_get_default_is_sigv2_and_works(s3, bucket):
    body = os.urandom(3000)
    s3.put_object(Bucket=bucket, Key="dir/obj one.bin", Body=body)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/obj one.bin"}, ExpiresIn=300)
    query = parse_qs(urlsplit(url).query)
    assert {"AWSAccessKeyId", "Signature", "Expires"} <= set(query), f"expected SigV2 query auth: {url}"
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.content == body


def test_presigned_get_sigv4(s3, s3v4, bucket):
    body = b"v4 presigned"
    s3.put_object(Bucket=bucket, Key="v4+key", Body=body, ContentType="text/plain")
    url = s3v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "v4+key"}, ExpiresIn=300)
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.content == body
    assert resp.headers["Content-Type"] == "text/plain"


def test_presigned_get_with_response_overrides(s3, s3v4, bucket):
    s3.put_object(Bucket=bucket, Key="dl", Body=b"payload")
    url = s3v4.generate_presigned_url(
        "get_object",
        Params={"Bucket": bucket, "Key": "dl", "ResponseContentDisposition": 'attachment; filename="x.txt"',
                "ResponseContentType": "application/x-download"},
        ExpiresIn=300,
    )
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Disposition"] == 'attachment; filename="x.txt"'
    assert resp.headers["Content-Type"] == "application/x-download"


def test_presigned_put_sigv4(s3, s3v4, bucket):
    body = os.urandom(10_000)
    url = s3v4.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "uploaded"}, ExpiresIn=300)
    resp = requests.put(url, data=body, timeout=30)
    assert resp.status_code == 200, resp.text
    assert s3.get_object(Bucket=bucket, Key="uploaded")["Body"].read() == body


def test_presigned_put_sigv2(s3, bucket):
    body = b"sigv2 upload"
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "uploaded-v2"}, ExpiresIn=300)
    assert "Signature=" in url and "AWSAccessKeyId=" in url
    resp = requests.put(url, data=body, timeout=30)
    assert resp.status_code == 200, resp.text
    assert s3.get_object(Bucket=bucket, Key="uploaded-v2")["Body"].read() == body


@pytest.mark.parametrize("flavour", ["sigv2", "sigv4"])
def test_expired_presigned_url_is_access_denied(s3, s3v4, bucket, flavour):
    s3.put_object(Bucket=bucket, Key="soon-expired", Body=b"x")
    client = s3 if flavour == "sigv2" else s3v4
    url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "soon-expired"}, ExpiresIn=1)
    time.sleep(2.2)
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 403, resp.text
    assert s3_error_code(resp.content) == "AccessDenied"
    assert "Request has expired" in s3_error_message(resp.content)


@pytest.mark.parametrize("flavour", ["sigv2", "sigv4"])
def test_tampered_presigned_signature_is_signature_does_not_match(s3, s3v4, bucket, flavour):
    s3.put_object(Bucket=bucket, Key="guarded", Body=b"secret")
    client = s3 if flavour == "sigv2" else s3v4
    url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "guarded"}, ExpiresIn=300)
    name = "Signature" if flavour == "sigv2" else "X-Amz-Signature"
    original = parse_qs(urlsplit(url).query)[name][0]
    bad = _replace_query(url, name, _tamper(original))
    resp = requests.get(bad, timeout=30)
    assert resp.status_code == 403, resp.text
    assert s3_error_code(resp.content) == "SignatureDoesNotMatch"
    assert b"secret" not in resp.content


def test_presigned_url_for_one_key_cannot_read_another(s3, s3v4, bucket):
    s3.put_object(Bucket=bucket, Key="public", Body=b"ok")
    s3.put_object(Bucket=bucket, Key="private", Body=b"hidden")
    url = s3v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "public"}, ExpiresIn=300)
    resp = requests.get(url.replace("/public?", "/private?"), timeout=30)
    assert resp.status_code == 403
    assert s3_error_code(resp.content) == "SignatureDoesNotMatch"


def test_presigned_get_for_missing_key_is_no_such_key(s3v4, bucket):
    url = s3v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "absent"}, ExpiresIn=300)
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 404
    assert s3_error_code(resp.content) == "NoSuchKey"


def test_presigned_sigv4_longer_than_a_week_is_rejected(s3v4, bucket):
    # AWS: "X-Amz-Expires must be less than a week (in seconds) that is; the given X-Amz-Expires must be
    # less than 604800 seconds" -> 400 AuthorizationQueryParametersError.
    url = s3v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=604801)
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 400, resp.text
    assert s3_error_code(resp.content) == "AuthorizationQueryParametersError"
