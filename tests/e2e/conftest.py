"""Fixtures for the Kiln end-to-end suite.

- `kiln`: one `kiln serve` (real SigV4, default account) shared by the whole session.
- `kiln_factory`: start extra servers (other auth modes, restarts, crash tests).
- `s3`, `bucket`: a boto3 S3 client on `kiln` and a fresh bucket that is emptied and deleted afterwards.

The binary is $KILN_BIN or <repo>/.build/debug/kiln. If it does not exist every test is skipped,
unless KILN_E2E_REQUIRE=1, which turns that into a failure (use it in CI after the build).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from e2e_helpers import KilnServer, empty_and_delete_bucket, kiln_binary, unique_name

# Isolate every client (boto3 in-process and the CLI) from the developer's AWS configuration.
for _var in [v for v in os.environ if v.startswith("AWS_")]:
    del os.environ[_var]
os.environ["AWS_CONFIG_FILE"] = "/dev/null"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def _require_binary() -> None:
    binary = kiln_binary()
    if binary.is_file() and os.access(binary, os.X_OK):
        return
    msg = f"kiln binary not found at {binary} (build it, or set KILN_BIN)"
    if os.environ.get("KILN_E2E_REQUIRE") == "1":
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def e2e_root():
    """A private temp root; each server's data dir is a child of it (so escapes can be detected)."""
    root = Path(tempfile.mkdtemp(prefix="kiln-e2e-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


class ServerFactory:
    def __init__(self, root: Path):
        self.root = root
        self.servers: list[KilnServer] = []

    def new_data_dir(self, name: str = "data") -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.root))

    def start(self, data_dir: Path | None = None, *, auth: str | None = None, account_id: str | None = None,
              extra_args: tuple[str, ...] = ()) -> KilnServer:
        _require_binary()
        args = list(extra_args)
        if auth:
            args += ["--auth", auth]
        if account_id:
            args += ["--account-id", account_id]
        server = KilnServer(data_dir or self.new_data_dir(), args, log_dir=self.root)
        self.servers.append(server)
        return server.start()

    def close(self, remove_data: bool = True) -> None:
        for server in self.servers:
            server.stop()
            if remove_data:
                shutil.rmtree(server.data_dir, ignore_errors=True)
        self.servers.clear()


@pytest.fixture(scope="session")
def kiln(e2e_root):
    """The shared server: default auth (real SigV4 with the printed root key), default account."""
    factory = ServerFactory(e2e_root)
    server = factory.start()
    yield server
    factory.close()


@pytest.fixture
def kiln_factory(e2e_root):
    """Start extra servers; all are stopped (SIGTERM, then SIGKILL) and their data removed afterwards."""
    factory = ServerFactory(e2e_root)
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def s3(kiln):
    return kiln.client("s3")


@pytest.fixture
def bucket(kiln, s3):
    name = unique_name("e2e")
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete_bucket(s3, name)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the tail of the output of every server the test used."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    servers = []
    if isinstance(funcargs.get("kiln"), KilnServer):
        servers.append(("kiln", funcargs["kiln"]))
    factory = funcargs.get("kiln_factory")
    if isinstance(factory, ServerFactory):
        servers += [(f"kiln_factory[{i}]", srv) for i, srv in enumerate(factory.servers)]
    for label, server in servers:
        report.sections.append((f"{label} output (tail)", server.captured_output(40)))
