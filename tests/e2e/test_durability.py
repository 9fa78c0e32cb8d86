"""Durability: acknowledged writes survive SIGKILL, interrupted uploads leave no trace, and everything
(buckets, objects, multipart uploads, logs, access keys) survives a graceful restart."""

import hashlib
import http.client
import os
import threading
import time

from e2e_helpers import MiB, all_keys_v2, expect_client_error, multipart_etag, sign, unique_name

STREAM_DECLARED = 300 * MiB  # Content-Length announced by the interrupted uploads
STREAM_SENT_BEFORE_KILL = 40 * MiB


class InterruptedPut(threading.Thread):
    """Streams a PUT with a huge Content-Length; after STREAM_SENT_BEFORE_KILL it slows to a trickle and
    keeps going until the server dies under it."""

    def __init__(self, server, bucket, key):
        super().__init__(daemon=True)
        self.server, self.bucket, self.key = server, bucket, key
        self.reached = threading.Event()
        self.sent = 0
        self.response_status = None

    def run(self):
        path = f"/{self.bucket}/{self.key}"
        headers, _, _ = sign(self.server, "PUT", path, service="s3",
                             headers={"Content-Length": str(STREAM_DECLARED)}, payload_hash="UNSIGNED-PAYLOAD")
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=60)
        chunk = os.urandom(MiB)
        try:
            conn.putrequest("PUT", path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.putheader("Host", self.server.netloc)
            conn.endheaders()
            while self.sent < STREAM_DECLARED - MiB:
                conn.send(chunk)
                self.sent += len(chunk)
                if self.sent >= STREAM_SENT_BEFORE_KILL:
                    self.reached.set()
                    time.sleep(0.05)
            self.response_status = conn.getresponse().status  # must not get here
        except OSError:
            pass
        finally:
            self.reached.set()
            conn.close()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_acknowledged_writes_survive_sigkill(kiln_factory):
    server = kiln_factory.start()
    s3 = server.client("s3")
    bucket = unique_name("crash")
    s3.create_bucket(Bucket=bucket)

    acked = {}
    for i, size in enumerate([0, 1, 100, 4096, 65536, MiB + 7, 3 * MiB]):
        data = os.urandom(size)
        s3.put_object(Bucket=bucket, Key=f"obj/{i:02d}-{size}", Body=data)
        acked[f"obj/{i:02d}-{size}"] = _sha(data)

    # An overwrite and a delete, both acknowledged.
    s3.put_object(Bucket=bucket, Key="stable", Body=b"version 1")
    s3.put_object(Bucket=bucket, Key="stable", Body=b"version 2")
    acked["stable"] = _sha(b"version 2")
    s3.put_object(Bucket=bucket, Key="deleted", Body=b"soon gone")
    s3.delete_object(Bucket=bucket, Key="deleted")

    # A completed multipart upload.
    parts = [os.urandom(5 * MiB), os.urandom(MiB)]
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="multipart/done")["UploadId"]
    done = []
    for n, data in enumerate(parts, start=1):
        etag = s3.upload_part(Bucket=bucket, Key="multipart/done", UploadId=upload_id, PartNumber=n, Body=data)["ETag"]
        done.append({"PartNumber": n, "ETag": etag})
    s3.complete_multipart_upload(Bucket=bucket, Key="multipart/done", UploadId=upload_id,
                                 MultipartUpload={"Parts": done})
    acked["multipart/done"] = _sha(b"".join(parts))

    # A multipart upload still in progress.
    pending_id = s3.create_multipart_upload(Bucket=bucket, Key="multipart/pending")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="multipart/pending", UploadId=pending_id, PartNumber=1, Body=os.urandom(5 * MiB))

    # Two streaming PUTs cut off mid-body: a new key, and an overwrite of an acknowledged key.
    streams = [InterruptedPut(server, bucket, "big/interrupted"), InterruptedPut(server, bucket, "stable")]
    for t in streams:
        t.start()
    for t in streams:
        assert t.reached.wait(120), "the streaming uploads did not get going"
    assert all(t.sent >= STREAM_SENT_BEFORE_KILL for t in streams), \
        f"a streaming PUT was cut short before the kill ({[t.sent for t in streams]} bytes sent)"
    assert all(t.response_status is None for t in streams), "server answered a PUT whose body is incomplete"

    server.kill()
    for t in streams:
        t.join(30)
        assert not t.is_alive()
        assert t.response_status is None

    server.start()  # same data dir, new port
    s3 = server.client("s3")

    for key, digest in acked.items():
        assert _sha(s3.get_object(Bucket=bucket, Key=key)["Body"].read()) == digest, key
    assert s3.head_object(Bucket=bucket, Key="multipart/done")["ETag"] == multipart_etag(parts)
    expect_client_error(s3.head_object, Bucket=bucket, Key="big/interrupted", code="404", status=404)
    expect_client_error(s3.get_object, Bucket=bucket, Key="deleted", code="NoSuchKey", status=404)
    expect_client_error(s3.head_object, Bucket=bucket, Key="multipart/pending", code="404", status=404)
    assert all_keys_v2(s3, bucket) == sorted(acked)
    assert sorted(o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]) == sorted(acked)
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]

    # The server is fully usable afterwards.
    s3.put_object(Bucket=bucket, Key="after-crash", Body=b"alive")
    assert s3.get_object(Bucket=bucket, Key="after-crash")["Body"].read() == b"alive"


def test_graceful_restart_persists_everything(kiln_factory):
    server = kiln_factory.start()
    old_env = dict(server.env)
    s3, logs = server.client("s3"), server.client("logs")

    bucket = unique_name("restart")
    s3.create_bucket(Bucket=bucket)
    body = os.urandom(200_000)
    put = s3.put_object(Bucket=bucket, Key="dir/file.bin", Body=body, ContentType="application/x-kiln",
                        Metadata={"color": "blue"})
    head_before = s3.head_object(Bucket=bucket, Key="dir/file.bin")
    part1 = os.urandom(5 * MiB)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etag1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=1, Body=part1)["ETag"]

    group, stream = f"/e2e/restart-{bucket}", "job/algo-1-1"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    t0 = int(time.time() * 1000) - 10_000
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": t0 + i, "message": f"before restart {i}"} for i in range(5)])

    assert server.stop() == 0, f"SIGTERM should shut down cleanly:\n{server.captured_output(40)}"
    server.start()

    # The same access key is printed again and keeps working.
    assert server.access_key == old_env["AWS_ACCESS_KEY_ID"]
    assert server.secret_key == old_env["AWS_SECRET_ACCESS_KEY"]
    s3 = server.client("s3", access_key=old_env["AWS_ACCESS_KEY_ID"], secret_key=old_env["AWS_SECRET_ACCESS_KEY"])
    logs = server.client("logs")

    listed = {b["Name"]: b for b in s3.list_buckets()["Buckets"]}
    assert bucket in listed
    got = s3.get_object(Bucket=bucket, Key="dir/file.bin")
    assert got["Body"].read() == body
    assert got["ETag"] == put["ETag"]
    assert got["ContentType"] == "application/x-kiln"
    assert got["Metadata"] == {"color": "blue"}
    assert got["LastModified"] == head_before["LastModified"]

    # The multipart upload survives and can be finished.
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])] == [upload_id]
    part2 = b"tail after restart"
    etag2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=2, Body=part2)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag1},
                                                            {"PartNumber": 2, "ETag": etag2}]})
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == part1 + part2

    assert [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]] == [group]
    events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]
    assert [e["message"] for e in events] == [f"before restart {i}" for i in range(5)]
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in streams] == [stream]
    assert streams[0]["lastEventTimestamp"] == t0 + 4

    assert server.client("sts").get_caller_identity()["Account"] == "000000000000"
