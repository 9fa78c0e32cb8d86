"""Foundation benchmark: start-up to ready, 1 GiB PUT/GET over loopback, 4 KiB PUT/GET requests/s at 16 connections.

Starts its own `kiln serve` (release build by default) on a free port with a temporary data folder, measures with
boto3-independent raw SigV4-signed HTTP (so the client is not the bottleneck), prints a table and writes JSON.
Run it alone on the machine, twice; quote medians.
"""
import argparse, concurrent.futures, hashlib, json, os, re, shutil, signal, subprocess, sys, tempfile, threading, time
import http.client

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def start_kiln(binary, data_dir):
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "serve", "--data-dir", data_dir, "--port", "0", "--log-level", "warning"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout:
        if line.startswith("export AWS_ENDPOINT_URL="):
            ready = time.perf_counter() - t0
            env = dict(kv.split("=", 1) for kv in line.split()[1:])
            return p, env, ready
    raise RuntimeError("kiln did not start")


class UnsignedPayloadAuth(S3SigV4Auth):
    """Signs headers only (UNSIGNED-PAYLOAD), as S3 clients do over TLS, so the body is streamed, not hashed."""
    def _should_sha256_sign_payload(self, request):
        return False


class Signer:
    def __init__(self, env):
        self.endpoint = env["AWS_ENDPOINT_URL"]
        self.host = self.endpoint.split("//")[1]
        self.creds = Credentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"])

    def headers(self, method, path, extra=None):
        req = AWSRequest(method=method, url=self.endpoint + path, headers=dict(extra or {}))
        UnsignedPayloadAuth(self.creds, "s3", "us-east-1").add_auth(req)
        return dict(req.headers.items())


def connection(signer):
    host, port = signer.host.split(":")
    return http.client.HTTPConnection(host, int(port), timeout=600)


def put_stream(signer, path, size, chunk=4 << 20):
    block = os.urandom(chunk)
    def body():
        sent = 0
        while sent < size:
            n = min(chunk, size - sent)
            yield block[:n]
            sent += n
    h = signer.headers("PUT", path, {"Content-Length": str(size)})
    c = connection(signer)
    t = time.perf_counter()
    c.request("PUT", path, body=body(), headers=h, encode_chunked=False)
    r = c.getresponse(); text = r.read()
    assert r.status == 200, (r.status, text[:300])
    return time.perf_counter() - t


def get_stream(signer, path):
    h = signer.headers("GET", path)
    c = connection(signer)
    t = time.perf_counter()
    c.request("GET", path, headers=h)
    r = c.getresponse()
    total = 0
    while True:
        b = r.read(4 << 20)
        if not b: break
        total += len(b)
    assert r.status == 200
    return time.perf_counter() - t, total


def small_ops(signer, method, n, concurrency, payload):
    per = n // concurrency
    def worker(w):
        c = connection(signer)
        for i in range(per):
            path = f"/bench/small/{w}/{i % 64}"
            h = signer.headers(method, path, {"Content-Length": str(len(payload))} if method == "PUT" else None)
            c.request(method, path, body=payload if method == "PUT" else None, headers=h)
            r = c.getresponse(); r.read()
            assert r.status == 200, (r.status, method)
    t = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as ex:
        list(ex.map(worker, range(concurrency)))
    return per * concurrency / (time.perf_counter() - t)


def presigned_paths(env, bucket, keys, method):
    """SigV4 presigned paths (valid an hour), so a load generator needs no signing of its own."""
    import boto3
    from botocore.config import Config
    s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1",
                      config=Config(signature_version="s3v4"))
    op = "put_object" if method == "PUT" else "get_object"
    urls = [s3.generate_presigned_url(op, Params={"Bucket": bucket, "Key": k}, ExpiresIn=3600) for k in keys]
    return [u.split(env["AWS_ENDPOINT_URL"], 1)[1] for u in urls]


def wrk_rps(env, method, paths, payload_size, seconds=10, connections=16):
    """Requests/s measured by wrk (2 threads, 16 connections), round-robin over the presigned paths."""
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    lua.write("local paths = {" + ",".join('"%s"' % p for p in paths) + "}\n")
    lua.write("local i = 0\n")
    lua.write('wrk.method = "%s"\n' % method)
    if method == "PUT":
        lua.write('wrk.body = string.rep("x", %d)\n' % payload_size)
    lua.write("request = function() i = i + 1; return wrk.format(nil, paths[(i % #paths) + 1]) end\n")
    lua.write('done = function(summary, latency, requests)\n'
              '  io.write(string.format("KILN %d %d %d %d\\n", summary.requests, summary.duration, '
              'summary.errors.status, latency:percentile(99)))\nend\n')
    lua.close()
    run = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", lua.name, env["AWS_ENDPOINT_URL"]],
                         capture_output=True, text=True, check=True)
    out = run.stdout + run.stderr
    os.unlink(lua.name)
    lines = [l for l in out.splitlines() if l.startswith("KILN ")]
    assert lines, out
    line = lines[0].split()
    requests, duration_us, bad_status, p99_us = map(int, line[1:])
    assert bad_status == 0, out
    return requests / (duration_us / 1e6), p99_us / 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", default=os.path.join(os.path.dirname(__file__), "..", ".build-release", "release", "kiln"))
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--small-requests", type=int, default=8000)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    data = tempfile.mkdtemp(prefix="kiln-bench-")
    starts = []
    procs = []
    try:
        # Start-up: the first start creates the database; later starts open it. Report both.
        for _ in range(3):
            p, env, ready = start_kiln(a.kiln, data)
            starts.append(ready)
            p.send_signal(signal.SIGTERM); p.wait(30)
        p, env, _ = start_kiln(a.kiln, data)
        s = Signer(env)
        procs.append(p)
        c = connection(s); h = s.headers("PUT", "/bench"); c.request("PUT", "/bench", headers=h); c.getresponse().read()
        size = a.size_mib << 20
        put_s = put_stream(s, "/bench/big", size)
        get_s, got = get_stream(s, "/bench/big")
        assert got == size
        small = os.urandom(4096)
        keys = [f"small/{i}" for i in range(256)]
        if shutil.which("wrk"):
            put_rps, put_p99 = wrk_rps(env, "PUT", presigned_paths(env, "bench", keys, "PUT"), 4096)
            get_rps, get_p99 = wrk_rps(env, "GET", presigned_paths(env, "bench", keys, "GET"), 0)
            small_client = "wrk -t2 -c16, presigned SigV4 URLs"
        else:
            put_rps = small_ops(s, "PUT", a.small_requests, 16, small)
            get_rps = small_ops(s, "GET", a.small_requests, 16, small)
            put_p99 = get_p99 = None
            small_client = "python threads (client-bound: install wrk)"
        p.send_signal(signal.SIGTERM); p.wait(30)
    finally:
        for proc in procs:
            if proc.poll() is None: proc.kill()
        shutil.rmtree(data, ignore_errors=True)
    res = {
        "startup_first_s": round(starts[0], 3), "startup_restart_s": round(min(starts[1:]), 3),
        "put_1gib_MBps": round(size / put_s / 1e6, 1), "get_1gib_MBps": round(size / get_s / 1e6, 1),
        "put_4kib_rps_c16": round(put_rps), "get_4kib_rps_c16": round(get_rps),
        "put_4kib_p99_ms": put_p99, "get_4kib_p99_ms": get_p99, "small_request_client": small_client,
        "size_mib": a.size_mib,
    }
    for k, v in res.items(): print(f"{k:22s} {v}")
    if a.out:
        with open(a.out, "w") as f: json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
