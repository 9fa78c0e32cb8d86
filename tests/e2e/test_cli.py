"""The AWS CLI v1 (`python -m awscli`) against Kiln: large multipart cp, sync, ls, rm, mb/rb, s3api, stdin/stdout."""

import hashlib
import json
import os
import time
from pathlib import Path


from e2e_helpers import MiB, all_keys_v2, multipart_etag, sha256_file

CLI_PART = 8 * MiB  # s3transfer's default multipart threshold and chunk size


def _write_random(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        remaining = size
        while remaining:
            n = min(remaining, 4 * MiB)
            f.write(os.urandom(n))
            remaining -= n


def _file_parts(path: Path, part_size: int) -> list[bytes]:
    with open(path, "rb") as f:
        return list(iter(lambda: f.read(part_size), b""))


def _age(root: Path, seconds: int = 30) -> None:
    """Backdate local files so a sync's size+mtime comparison is not racing S3's 1-second LastModified."""
    past = time.time() - seconds
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, (past, past))


def test_cp_40mib_multipart_roundtrip(kiln, s3, bucket, tmp_path):
    src = tmp_path / "big.bin"
    _write_random(src, 40 * MiB)
    out = kiln.aws("s3", "cp", "--no-progress", str(src), f"s3://{bucket}/data/big.bin")
    assert out.stdout.startswith("upload: ") and out.stdout.strip().endswith(f" to s3://{bucket}/data/big.bin")

    head = s3.head_object(Bucket=bucket, Key="data/big.bin")
    assert head["ContentLength"] == 40 * MiB
    # 8 MiB parts -> 5 parts; the ETag is md5(concat(part md5s))-5.
    assert head["ETag"] == multipart_etag(_file_parts(src, CLI_PART))

    # The download is a HeadObject then parallel ranged GETs (206 + Content-Range).
    dst = tmp_path / "down.bin"
    kiln.aws("s3", "cp", "--no-progress", f"s3://{bucket}/data/big.bin", str(dst))
    assert dst.stat().st_size == 40 * MiB
    assert sha256_file(dst) == sha256_file(src)
    src.unlink()  # do not leave 80 MiB behind in pytest's retained tmp dirs
    dst.unlink()


def test_cp_stdin_and_stdout_streaming(kiln, bucket):
    data = os.urandom(20 * MiB + 5)  # unknown size on stdin: s3transfer goes multipart
    kiln.aws("s3", "cp", "-", f"s3://{bucket}/stream.bin", input=data)
    out = kiln.aws("s3", "cp", f"s3://{bucket}/stream.bin", "-", binary=True)
    assert hashlib.sha256(out.stdout).hexdigest() == hashlib.sha256(data).hexdigest()


def _make_tree(root: Path) -> dict[str, int]:
    files = {}
    layout = [
        "top.txt", "empty.bin", "with space.txt", "dir a/file one.txt", "dir a/file two.txt",
        "dir a/nested/deeper/leaf.txt", "dir a/nested/deeper/leaf 2.txt",
        "data/2024/01/part-0000.csv", "data/2024/01/part-0001.csv", "data/2024/02/part-0000.csv",
        "data/2024/02/part-0001.csv", "data/2025/part-0000.csv", "logs/app.log", "logs/app.log.1",
        "unicode/ünïcødé.txt", "unicode/日本語 ファイル.txt", "plus+sign/a+b.txt", "percent%41.txt",
        "x/y/z/w/v/u.txt", "models/model.tar.gz", "models/meta.json", "a.b.c/d.e.f", "UPPER/Case.TXT",
        "-dash-first.txt", "dots..in..name", "tilde~/x", "comma,semi;colon.txt", "eq=amp&.txt",
        "large/nine-mib.bin",
    ]
    for i, rel in enumerate(layout):
        if rel == "empty.bin":
            size = 0
        elif rel == "large/nine-mib.bin":
            size = 9 * MiB  # above the multipart threshold
        else:
            size = 100 + i * 37
        _write_random(root / rel, size)
        files[rel] = size
    return files


def test_sync_tree_up_and_down_then_nothing_to_do(kiln, s3, bucket, tmp_path):
    src = tmp_path / "src"
    files = _make_tree(src)
    assert len(files) >= 29
    _age(src)

    out = kiln.aws("s3", "sync", "--no-progress", str(src), f"s3://{bucket}/tree/")
    assert out.stdout.count("upload: ") == len(files), out.stdout
    keys = all_keys_v2(s3, bucket, Prefix="tree/")
    assert sorted(keys) == sorted(f"tree/{rel}" for rel in files)
    sizes = {o["Key"]: o["Size"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
             for o in page.get("Contents", [])}
    assert all(sizes[f"tree/{rel}"] == size for rel, size in files.items())

    again = kiln.aws("s3", "sync", "--no-progress", str(src), f"s3://{bucket}/tree/")
    assert "upload:" not in again.stdout, f"second sync re-uploaded:\n{again.stdout}"

    dst = tmp_path / "dst"
    down = kiln.aws("s3", "sync", "--no-progress", f"s3://{bucket}/tree/", str(dst))
    assert down.stdout.count("download: ") == len(files), down.stdout
    for rel in files:
        assert (dst / rel).read_bytes() == (src / rel).read_bytes(), rel

    down_again = kiln.aws("s3", "sync", "--no-progress", f"s3://{bucket}/tree/", str(dst))
    assert "download:" not in down_again.stdout, f"second download sync fetched again:\n{down_again.stdout}"

    # A changed file (different size) is the only thing uploaded next time.
    (src / "top.txt").write_bytes(b"changed contents, different size")
    _age(src, seconds=3600)  # older than the first upload (however slow the steps above), so only the size change counts
    third = kiln.aws("s3", "sync", "--no-progress", str(src), f"s3://{bucket}/tree/")
    uploads = [line for line in third.stdout.splitlines() if "upload: " in line]
    assert len(uploads) == 1 and uploads[0].endswith(f"s3://{bucket}/tree/top.txt"), third.stdout

    # --delete removes remote keys whose local file is gone.
    (src / "logs" / "app.log.1").unlink()
    pruned = kiln.aws("s3", "sync", "--no-progress", "--delete", str(src), f"s3://{bucket}/tree/")
    assert pruned.stdout.strip() == f"delete: s3://{bucket}/tree/logs/app.log.1", pruned.stdout
    assert f"tree/logs/app.log.1" not in all_keys_v2(s3, bucket, Prefix="tree/logs/")


def test_ls_with_and_without_recursive(kiln, s3, bucket):
    for key in ["root.txt", "dir1/a.txt", "dir1/sub/b.txt", "dir2/c.txt", "with space/d.txt"]:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())

    listing = kiln.aws("s3", "ls", f"s3://{bucket}/").stdout.splitlines()
    prefixes = sorted(line.split("PRE ", 1)[1] for line in listing if line.strip().startswith("PRE "))
    assert prefixes == ["dir1/", "dir2/", "with space/"]
    files = [line.split(None, 3) for line in listing if not line.strip().startswith("PRE ")]
    assert [(f[2], f[3]) for f in files] == [(str(len("root.txt")), "root.txt")]

    sub = kiln.aws("s3", "ls", f"s3://{bucket}/dir1/").stdout.splitlines()
    assert any(line.strip() == "PRE sub/" for line in sub)
    assert [line.split(None, 3)[3] for line in sub if "PRE " not in line] == ["a.txt"]

    recursive = kiln.aws("s3", "ls", f"s3://{bucket}/", "--recursive").stdout.splitlines()
    assert [line.split(None, 3)[3] for line in recursive] == \
        ["dir1/a.txt", "dir1/sub/b.txt", "dir2/c.txt", "root.txt", "with space/d.txt"]

    buckets = kiln.aws("s3", "ls").stdout.splitlines()
    assert any(line.split()[-1] == bucket for line in buckets)


def test_rm_recursive(kiln, s3, bucket):
    keys = [f"gone/{i}/file-{i}.txt" for i in range(12)] + ["keep/me.txt"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    out = kiln.aws("s3", "rm", f"s3://{bucket}/gone/", "--recursive")
    assert out.stdout.count("delete: ") == 12, out.stdout
    assert all_keys_v2(s3, bucket) == ["keep/me.txt"]

    single = kiln.aws("s3", "rm", f"s3://{bucket}/keep/me.txt")
    assert single.stdout.strip() == f"delete: s3://{bucket}/keep/me.txt"
    assert all_keys_v2(s3, bucket) == []


def test_mb_and_rb(kiln, s3):
    from e2e_helpers import unique_name

    name = unique_name("clibkt")
    assert kiln.aws("s3", "mb", f"s3://{name}").stdout.strip() == f"make_bucket: {name}"
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    failed = kiln.aws("s3", "rb", f"s3://{name}", check=False)
    assert failed.returncode != 0 and "BucketNotEmpty" in failed.stderr
    assert kiln.aws("s3", "rb", f"s3://{name}", "--force").returncode == 0
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_s3api_commands(kiln, bucket, tmp_path):
    body = tmp_path / "payload.json"
    body.write_text('{"hello": "world"}')
    put = json.loads(kiln.aws("s3api", "put-object", "--bucket", bucket, "--key", "docs/p.json", "--body", str(body),
                              "--content-type", "application/json", "--metadata", "owner=e2e").stdout)
    assert put["ETag"] == '"' + hashlib.md5(body.read_bytes()).hexdigest() + '"'
    head = json.loads(kiln.aws("s3api", "head-object", "--bucket", bucket, "--key", "docs/p.json").stdout)
    assert head["ContentType"] == "application/json"
    assert head["Metadata"] == {"owner": "e2e"}
    for i in range(5):
        kiln.aws("s3api", "put-object", "--bucket", bucket, "--key", f"docs/{i}", "--body", str(body))
    # The CLI auto-paginates with continuation tokens.
    listed = json.loads(kiln.aws("s3api", "list-objects-v2", "--bucket", bucket, "--page-size", "2").stdout)
    assert [o["Key"] for o in listed["Contents"]] == sorted(["docs/p.json"] + [f"docs/{i}" for i in range(5)])
    missing = kiln.aws("s3api", "head-object", "--bucket", bucket, "--key", "nope", check=False)
    assert missing.returncode != 0 and "404" in missing.stderr


def test_cli_sagemaker_reaches_the_dispatcher(kiln):
    proc = kiln.aws("sagemaker", "list-training-jobs", "--output", "json", check=False)
    if proc.returncode == 0:
        assert isinstance(json.loads(proc.stdout)["TrainingJobSummaries"], list)
    else:
        assert "UnknownOperationException" in proc.stderr, proc.stderr
    bad = kiln.aws("sagemaker", "list-notebook-instances", check=False)
    assert bad.returncode != 0 and "UnknownOperationException" in bad.stderr, bad.stderr


def test_cli_presign(kiln, s3, bucket):
    s3.put_object(Bucket=bucket, Key="shared file.txt", Body=b"presigned by the CLI")
    url = kiln.aws("s3", "presign", f"s3://{bucket}/shared file.txt", "--expires-in", "300").stdout.strip()
    import requests

    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.content == b"presigned by the CLI"
