"""Operational endpoints and process behaviour: /health, /metrics, `kiln serve --help`, request ids."""

import os
import re
import subprocess
import time

import requests

from e2e_helpers import MiB, expect_client_error, kiln_binary, unique_name

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text: str):
    samples = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = SAMPLE.match(line.strip())
        assert m, f"not a Prometheus sample line: {line!r}"
        samples.append((m.group(1), dict(LABEL.findall(m.group(2) or "")), float(m.group(3))))
    return samples


def request_counters(samples, operation: str, status: int) -> dict[str, float]:
    """metric name -> value summed over samples labelled operation=<op> and <something status-ish>=<status>."""
    out = {}
    for name, labels, value in samples:
        if name.endswith(("_bucket", "_sum", "_count")):
            continue  # histogram/summary series
        if labels.get("operation") != operation:
            continue
        if not any(("status" in k or k == "code") and v == str(status) for k, v in labels.items()):
            continue
        out[name] = out.get(name, 0.0) + value
    return out


def scrape(kiln):
    resp = requests.get(kiln.url("/metrics"), timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    return parse_metrics(resp.text)


def test_health_is_unauthenticated_200(kiln):
    resp = requests.get(kiln.url("/health"), timeout=10)
    assert resp.status_code == 200


def test_metrics_count_requests_by_operation_and_status(kiln, s3):
    before = request_counters(scrape(kiln), "ListBuckets", 200)
    for _ in range(3):
        s3.list_buckets()
    deadline = time.monotonic() + 2
    while True:
        after = request_counters(scrape(kiln), "ListBuckets", 200)
        deltas = {name: after[name] - before.get(name, 0.0) for name in after}
        if any(d >= 3 for d in deltas.values()) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert after, "no counter labelled operation=\"ListBuckets\" with a 200 status label in /metrics"
    assert 3.0 in deltas.values(), f"expected a counter to grow by exactly 3, got {deltas}"


def test_metrics_count_errors_with_their_status(kiln, s3):
    missing = unique_name("nometrics")
    before = request_counters(scrape(kiln), "HeadBucket", 404)
    for _ in range(2):
        expect_client_error(s3.head_bucket, Bucket=missing, code="404", status=404)
    time.sleep(0.2)
    after = request_counters(scrape(kiln), "HeadBucket", 404)
    deltas = {name: after[name] - before.get(name, 0.0) for name in after}
    assert 2.0 in deltas.values(), f"expected a HeadBucket/404 counter to grow by exactly 2, got {deltas}"


def test_metrics_label_json_operations(kiln):
    kiln.client("sts").get_caller_identity()
    kiln.client("logs").describe_log_groups()
    samples = scrape(kiln)
    assert request_counters(samples, "GetCallerIdentity", 200)
    assert request_counters(samples, "DescribeLogGroups", 200)


def test_serve_help_documents_the_flags(kiln):  # kiln: skip when the binary is missing
    proc = subprocess.run([str(kiln_binary()), "serve", "--help"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout + proc.stderr
    for flag in ("--data-dir", "--port", "--auth", "--account-id"):
        assert flag in text, f"{flag} missing from `kiln serve --help`:\n{text}"


def test_request_ids_on_success_and_error(kiln, s3):
    ok = s3.list_buckets()
    assert ok["ResponseMetadata"]["HTTPHeaders"].get("x-amz-request-id")
    err = expect_client_error(s3.get_object, Bucket=unique_name("nobkt"), Key="k", code="NoSuchBucket", status=404)
    assert err.response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-request-id")
    assert err.response["ResponseMetadata"].get("RequestId")
    logs_resp = kiln.client("logs").describe_log_groups()
    assert logs_resp["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid")


def test_server_survives_a_client_disconnecting_mid_body(kiln, s3, bucket):
    import socket

    with socket.create_connection((kiln.host, kiln.port), timeout=10) as sock:
        sock.sendall(f"PUT /{bucket}/half HTTP/1.1\r\nHost: {kiln.netloc}\r\nContent-Length: 1000000\r\n\r\n"
                     .encode() + b"x" * 1000)
    time.sleep(0.2)
    assert requests.get(kiln.url("/health"), timeout=10).status_code == 200
    s3.put_object(Bucket=bucket, Key="after", Body=b"fine")
    assert s3.get_object(Bucket=bucket, Key="after")["Body"].read() == b"fine"
    expect_client_error(s3.head_object, Bucket=bucket, Key="half", code="404", status=404)


def test_connection_survives_early_errors_with_bodies(kiln, bucket):
    """A request rejected before its body is read must not poison the kept-alive connection."""
    s3 = kiln.client("s3", max_pool_connections=1)
    body = os.urandom(MiB)
    for _ in range(3):
        expect_client_error(s3.put_object, Bucket=unique_name("nobucket"), Key="k", Body=body,
                            code="NoSuchBucket", status=404)
        expect_client_error(kiln.client("s3", secret_key="wrong", max_pool_connections=1).put_object,
                            Bucket=bucket, Key="k", Body=body, code="SignatureDoesNotMatch", status=403)
        s3.put_object(Bucket=bucket, Key="k", Body=body)
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == body


def test_raw_keep_alive_after_rejected_put(kiln, bucket):
    import http.client

    from e2e_helpers import sign

    conn = http.client.HTTPConnection(kiln.host, kiln.port, timeout=30)
    try:
        body = os.urandom(256 * 1024)
        headers, _, _ = sign(kiln, "PUT", f"/{bucket}/ka", service="s3", body=body, secret_key="wrong-secret")
        conn.request("PUT", f"/{bucket}/ka", body=body, headers=headers)
        first = conn.getresponse()
        first.read()
        assert first.status == 403
        if first.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = http.client.HTTPConnection(kiln.host, kiln.port, timeout=30)
        conn.request("GET", "/health")
        second = conn.getresponse()
        second.read()
        assert second.status == 200, "the server misread the rest of the rejected body as a new request"
    finally:
        conn.close()
