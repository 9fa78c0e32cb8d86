"""Shared helpers for the Kiln end-to-end suite.

Everything here talks to a real `kiln serve` process over HTTP. Fixtures live in
conftest.py; plain functions and the server wrapper live here so test modules can
import them (`from e2e_helpers import ...`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable
from unittest import mock
from urllib.parse import quote, unquote_to_bytes, urlsplit

import boto3
import botocore.auth
import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_PREFIX = "export AWS_ENDPOINT_URL="
START_TIMEOUT = float(os.environ.get("KILN_E2E_START_TIMEOUT", "20"))
STOP_TIMEOUT = 15.0
REGION = "us-east-1"
MiB = 1024 * 1024


# --------------------------------------------------------------------------- binary


def kiln_binary() -> Path:
    env = os.environ.get("KILN_BIN")
    return Path(env) if env else REPO_ROOT / ".build" / "debug" / "kiln"


def parse_ready_line(line: str) -> dict[str, str]:
    """`export AWS_ENDPOINT_URL=http://127.0.0.1:PORT AWS_ACCESS_KEY_ID=... ...` -> dict."""
    tokens = shlex.split(line.strip())
    assert tokens and tokens[0] == "export", f"not an export line: {line!r}"
    env = {}
    for tok in tokens[1:]:
        key, sep, value = tok.partition("=")
        assert sep, f"malformed token {tok!r} in ready line {line!r}"
        env[key] = value
    for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        assert env.get(key), f"ready line lacks {key}: {line!r}"
    return env


# --------------------------------------------------------------------------- server


class KilnServer:
    """One `kiln serve` process. Can be stopped, killed and restarted on the same data dir."""

    def __init__(self, data_dir: Path, extra_args: Iterable[str] = (), log_dir: Path | None = None):
        self.binary = kiln_binary()
        self.data_dir = Path(data_dir)
        self.extra_args = list(extra_args)
        self.log_dir = Path(log_dir) if log_dir else self.data_dir.parent
        self.proc: subprocess.Popen | None = None
        self.env: dict[str, str] = {}
        self.output: list[str] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._ready_line: str | None = None
        self.generation = 0

    # ---- lifecycle

    @property
    def command(self) -> list[str]:
        return [str(self.binary), "serve", "--data-dir", str(self.data_dir), "--port", "0", *self.extra_args]

    def start(self) -> "KilnServer":
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.generation += 1
        self._ready.clear()
        self._ready_line = None
        with self._lock:
            self.output.append(f"----- start #{self.generation}: {shlex.join(self.command)}")
        self.proc = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=str(self.data_dir.parent),
            start_new_session=True,  # our SIGTERM/SIGKILL go to this pid only
        )
        for stream, name in ((self.proc.stdout, "out"), (self.proc.stderr, "err")):
            threading.Thread(target=self._pump, args=(stream, name), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._ready.wait(0.05):
                break
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the pumps drain
                pytest.fail(
                    f"kiln exited with {self.proc.returncode} before printing the ready line.\n"
                    f"command: {shlex.join(self.command)}\noutput:\n{self.captured_output()}"
                )
        else:
            self.kill()
            pytest.fail(
                f"kiln did not print a line starting with {READY_PREFIX!r} within {START_TIMEOUT:.0f}s.\n"
                f"command: {shlex.join(self.command)}\noutput:\n{self.captured_output()}"
            )
        self.env = parse_ready_line(self._ready_line)
        return self

    def _pump(self, stream, name: str) -> None:
        log_path = self.log_dir / f"kiln-{self.data_dir.name}.log"
        with open(log_path, "a", encoding="utf-8", errors="replace") as log:
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                with self._lock:
                    self.output.append(f"[{name}] {line}")
                log.write(f"[{name}] {line}\n")
                log.flush()
                if name == "out" and line.startswith(READY_PREFIX) and not self._ready.is_set():
                    self._ready_line = line
                    self._ready.set()

    def captured_output(self, last: int = 200) -> str:
        with self._lock:
            return "\n".join(self.output[-last:])

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM by pid, SIGKILL after `timeout`. Returns the exit code."""
        if not self.running:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)

    def kill(self) -> None:
        """SIGKILL by pid: no chance to flush or clean up."""
        if self.running:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self) -> "KilnServer":
        self.stop()
        return self.start()

    # ---- addresses and credentials

    @property
    def endpoint(self) -> str:
        return self.env["AWS_ENDPOINT_URL"].rstrip("/")

    @property
    def host(self) -> str:
        return urlsplit(self.endpoint).hostname

    @property
    def port(self) -> int:
        return urlsplit(self.endpoint).port

    @property
    def netloc(self) -> str:
        return urlsplit(self.endpoint).netloc

    @property
    def access_key(self) -> str:
        return self.env["AWS_ACCESS_KEY_ID"]

    @property
    def secret_key(self) -> str:
        return self.env["AWS_SECRET_ACCESS_KEY"]

    @property
    def region(self) -> str:
        return self.env.get("AWS_DEFAULT_REGION", REGION)

    def url(self, path: str) -> str:
        return self.endpoint + path

    # ---- clients

    def client(self, service: str, *, region: str | None = None, access_key: str | None = None,
               secret_key: str | None = None, retries: int = 1, **config_kwargs):
        config_kwargs.setdefault("connect_timeout", 5)
        config_kwargs.setdefault("read_timeout", 60)
        config = Config(retries={"max_attempts": retries, "mode": "standard"}, **config_kwargs)
        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name=region or self.region,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=config,
        )

    def cli_env(self, **overrides: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_ACCESS_KEY_ID=self.access_key,
            AWS_SECRET_ACCESS_KEY=self.secret_key,
            AWS_DEFAULT_REGION=self.region,
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
            AWS_PAGER="",
            AWS_RETRY_MODE="standard",
            AWS_MAX_ATTEMPTS="1",
        )
        env.update(overrides)
        return env

    def aws(self, *args: str, check: bool = True, timeout: float = 300, cwd: str | Path | None = None,
            input: bytes | None = None, binary: bool = False, **env_overrides: str) -> subprocess.CompletedProcess:
        """Run the AWS CLI v1 (`python -m awscli`) against this server.

        With `binary=True` (or `input` bytes) stdout/stderr are bytes, not text.
        """
        cmd = [sys.executable, "-m", "awscli", *args]
        text = not binary and input is None
        proc = subprocess.run(cmd, env=self.cli_env(**env_overrides), capture_output=True, text=text,
                              timeout=timeout, cwd=cwd, input=input)
        if check and proc.returncode != 0:
            err = proc.stderr if text else proc.stderr.decode(errors="replace")
            out = proc.stdout if text else proc.stdout[:2000].decode(errors="replace")
            pytest.fail(
                f"`aws {shlex.join(args)}` exited {proc.returncode}\nstdout:\n{out}\nstderr:\n{err}"
                f"\nserver output (tail):\n{self.captured_output(40)}"
            )
        return proc


# --------------------------------------------------------------------------- names


def unique_name(prefix: str = "e2e") -> str:
    """A valid, unique S3 bucket / log group friendly name."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# --------------------------------------------------------------------------- errors


def expect_client_error(fn, *args, code: str, status: int | None = None, message: str | None = None,
                        **kwargs) -> ClientError:
    """Call fn and assert it raises a ClientError with this code (and status / message substring)."""
    with pytest.raises(ClientError) as excinfo:
        fn(*args, **kwargs)
    err = excinfo.value
    got_code = err.response.get("Error", {}).get("Code")
    got_status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    assert got_code == code, f"expected error code {code!r}, got {got_code!r} (status {got_status}): {err.response}"
    if status is not None:
        assert got_status == status, f"expected HTTP {status} for {code}, got {got_status}: {err.response}"
    if message is not None:
        got_message = err.response.get("Error", {}).get("Message") or ""
        assert message in got_message, f"expected {message!r} in error message, got {got_message!r}"
    return err


def s3_error_code(body: bytes) -> str | None:
    """<Error><Code>X</Code>...</Error> -> X."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    for el in root.iter():
        if el.tag.split("}")[-1] == "Code":
            return el.text
    return None


def s3_error_message(body: bytes) -> str:
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return ""
    for el in root.iter():
        if el.tag.split("}")[-1] == "Message":
            return el.text or ""
    return ""


# --------------------------------------------------------------------------- checksums

_CRC32C_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C_TABLE.append(_c)

_CRC64NVME_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x9A6C9329AC4BC9B5 if _c & 1 else _c >> 1
    _CRC64NVME_TABLE.append(_c)


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc64nvme(data: bytes) -> int:
    crc = 0xFFFFFFFFFFFFFFFF
    table = _CRC64NVME_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFFFFFFFFFF


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def checksum_b64(algorithm: str, data: bytes) -> str:
    """The value S3 puts in x-amz-checksum-<algorithm>: base64 of the big-endian digest."""
    algorithm = algorithm.lower()
    if algorithm == "crc32":
        return b64((zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big"))
    if algorithm == "crc32c":
        return b64(crc32c(data).to_bytes(4, "big"))
    if algorithm == "crc64nvme":
        return b64(crc64nvme(data).to_bytes(8, "big"))
    if algorithm == "sha1":
        return b64(hashlib.sha1(data).digest())
    if algorithm == "sha256":
        return b64(hashlib.sha256(data).digest())
    raise ValueError(algorithm)


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def multipart_etag(parts: list[bytes]) -> str:
    """S3 multipart ETag: md5 of the concatenated binary part md5s, '-N', quoted."""
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


# --------------------------------------------------------------------------- raw signed requests


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    reason: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def error_code(self) -> str | None:
        ctype = self.header("content-type") or ""
        if "json" in ctype or self.body[:1] == b"{":
            import json

            try:
                doc = json.loads(self.body)
            except ValueError:
                return self.header("x-amzn-errortype")
            code = doc.get("__type") or doc.get("code") or self.header("x-amzn-errortype")
            return code.split("#")[-1].split(":")[0] if code else None
        return s3_error_code(self.body)


def s3_canonical_path(path: str) -> str:
    """AWS S3 canonical URI: decode what is sent, encode every byte once except unreserved and '/'."""
    return quote(unquote_to_bytes(path), safe="/~")


class _FixedPayloadS3Auth(S3SigV4Auth):
    """S3 SigV4 that signs a given x-amz-content-sha256 value and the AWS-canonical form of the path."""

    def __init__(self, credentials, service_name, region_name, payload_hash: str | None):
        super().__init__(credentials, service_name, region_name)
        self._payload_hash = payload_hash

    def payload(self, request):
        if self._payload_hash is not None:
            return self._payload_hash
        return super().payload(request)

    def _normalize_url_path(self, path):
        return s3_canonical_path(path)


@contextmanager
def signing_clock(at: datetime | None):
    """Make botocore sign as if now were `at` (UTC)."""
    if at is None:
        yield
        return
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=at):
        yield


def sign(server: KilnServer, method: str, path: str, *, service: str, query: str = "",
         headers: dict[str, str] | None = None, body: bytes = b"", region: str | None = None,
         access_key: str | None = None, secret_key: str | None = None, payload_hash: str | None = None,
         at: datetime | None = None) -> tuple[dict[str, str], AWSRequest, SigV4Auth]:
    """SigV4-sign a request the way botocore would. Returns (headers to send, signed AWSRequest, signer).

    `path` is sent verbatim (already percent-encoded as desired). For S3 the canonical path is the
    AWS-canonical re-encoding of what is sent.
    """
    creds = Credentials(access_key or server.access_key, secret_key or server.secret_key)
    url = server.endpoint + path + (("?" + query) if query else "")
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    region = region or server.region
    if service == "s3":
        signer = _FixedPayloadS3Auth(creds, "s3", region, payload_hash)
    else:
        signer = SigV4Auth(creds, service, region)
    with signing_clock(at):
        signer.add_auth(req)
    return dict(req.headers.items()), req, signer


def raw_request(server: KilnServer, method: str, path: str, *, headers: dict[str, str] | None = None,
                body=None, timeout: float = 60) -> RawResponse:
    """Send exactly this request line and these headers (http.client does not rewrite the path).

    `body` may be bytes or an iterable of bytes (sent with Transfer-Encoding: chunked unless a
    Content-Length header is given).
    """
    conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, resp.reason)
    finally:
        conn.close()


def signed_raw(server: KilnServer, method: str, path: str, *, service: str = "s3", query: str = "",
               headers: dict[str, str] | None = None, body: bytes = b"", send_body=None, **sign_kwargs) -> RawResponse:
    """Sign (with `body` as the signed payload) and send; `send_body` overrides what is transmitted."""
    hdrs, _, _ = sign(server, method, path, service=service, query=query, headers=headers, body=body, **sign_kwargs)
    full_path = path + (("?" + query) if query else "")
    return raw_request(server, method, full_path, headers=hdrs, body=body if send_body is None else send_body)


def json_call(server: KilnServer, target: str, body: bytes, *, service: str, **sign_kwargs) -> RawResponse:
    """A raw JSON 1.1 call: POST / with X-Amz-Target, signed with SigV4 for `service`."""
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}
    return signed_raw(server, "POST", "/", service=service, headers=headers, body=body, **sign_kwargs)


# --------------------------------------------------------------------------- aws-chunked


def aws_chunked_unsigned(data: bytes, chunk_size: int, trailer_name: str, trailer_value: str) -> bytes:
    """STREAMING-UNSIGNED-PAYLOAD-TRAILER framing: hex\\r\\ndata\\r\\n ... 0\\r\\ntrailer:value\\r\\n\\r\\n."""
    out = bytearray()
    for i in range(0, len(data), chunk_size):
        piece = data[i:i + chunk_size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    out += b"0\r\n" + f"{trailer_name}:{trailer_value}\r\n".encode() + b"\r\n"
    return bytes(out)


EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def sigv4_signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def chunk_signatures(seed_signature: str, signing_key: bytes, timestamp: str, scope: str,
                     chunks: list[bytes]) -> list[str]:
    """STREAMING-AWS4-HMAC-SHA256-PAYLOAD chunk signatures (the list includes the final empty chunk)."""
    sigs = []
    previous = seed_signature
    for chunk in chunks:
        string_to_sign = "\n".join([
            "AWS4-HMAC-SHA256-PAYLOAD", timestamp, scope, previous, EMPTY_SHA256,
            hashlib.sha256(chunk).hexdigest(),
        ])
        previous = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        sigs.append(previous)
    return sigs


def aws_chunked_signed_body(chunks: list[bytes], signatures: list[str]) -> bytes:
    out = bytearray()
    for chunk, sig in zip(chunks, signatures):
        out += f"{len(chunk):x};chunk-signature={sig}\r\n".encode() + chunk + b"\r\n"
    return bytes(out)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------- bucket utilities


def empty_and_delete_bucket(s3, bucket: str) -> None:
    """Best-effort cleanup: abort uploads, delete every object, delete the bucket."""
    try:
        for up in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
            s3.abort_multipart_upload(Bucket=bucket, Key=up["Key"], UploadId=up["UploadId"])
    except ClientError:
        pass
    try:
        token = None
        while True:
            kwargs = {"Bucket": bucket}
            if token:
                kwargs["ContinuationToken"] = token
            page = s3.list_objects_v2(**kwargs)
            for obj in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
            if not page.get("IsTruncated"):
                break
            token = page["NextContinuationToken"]
        s3.delete_bucket(Bucket=bucket)
    except ClientError:
        pass


def all_keys_v2(s3, bucket: str, **kwargs) -> list[str]:
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, **kwargs):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return keys


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
