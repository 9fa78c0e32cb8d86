"""Configuration by flag, environment and JSON file, in that order of precedence."""

import json
import os
import subprocess

from e2e_helpers import KilnServer


def test_config_file_environment_and_flags(kiln_factory, tmp_path, monkeypatch):
    config = tmp_path / "kiln.json"
    config.write_text(json.dumps({"accountId": "111111111111", "region": "eu-west-1", "logLevel": "warning"}))
    monkeypatch.setenv("KILN_CONFIG", str(config))
    server = kiln_factory.start()
    assert server.client("sts").get_caller_identity()["Account"] == "111111111111"
    server.stop()
    monkeypatch.setenv("KILN_ACCOUNT_ID", "222222222222")  # the environment beats the file
    server.start()
    assert server.client("sts").get_caller_identity()["Account"] == "222222222222"
    server.stop()
    server.extra_args = ["--account-id", "333333333333"]  # a flag beats both (a new account gets its own root key)
    server.start()
    assert server.client("sts").get_caller_identity()["Account"] == "333333333333"


def test_bad_configuration_is_a_clear_error(tmp_path):
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"acountId": "1"}))
    probe = KilnServer(tmp_path / "data", ["--config", str(config)])
    out = subprocess.run(probe.command, capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 and "unknown key 'acountId'" in out.stderr + out.stdout
    out = subprocess.run(probe.command[:-2] + ["--account-id", "12"], capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 and "12 digits" in out.stderr + out.stdout
