"""`career-workbook lab` stays on this computer, with a token, whatever a Jupyter config file says."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from workbook.cli import launch
from workbook.cli.main import cli

HOSTILE_CONFIG = {
    "ServerApp": {"ip": "0.0.0.0", "allow_remote_access": True, "disable_check_xsrf": True, "allow_origin": "*"},
    "IdentityProvider": {"token": ""},
}


def test_lab_command_passes_its_own_safe_settings(tmp_path):
    argv = launch.lab_command(tmp_path, port=8899, open_browser=False, token="t0ken")
    assert "--ServerApp.ip=127.0.0.1" in argv and "--IdentityProvider.token=t0ken" in argv
    assert "--ServerApp.allow_remote_access=False" in argv and "--ServerApp.disable_check_xsrf=False" in argv
    other = launch.lab_command(tmp_path, port=8899, open_browser=False)
    token = next(a for a in other if a.startswith("--IdentityProvider.token="))
    assert len(token.split("=", 1)[1]) >= 32, "a fresh random token when none is given"


def test_lab_refuses_to_listen_elsewhere_and_names_a_config_that_asks(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr("workbook.cli.commands.core.subprocess.call", lambda argv, env: calls.append(argv) or 0)
    runner = CliRunner()
    result = runner.invoke(cli, ["lab", "--ip", "0.0.0.0", "--workbook", str(tmp_path / "w.sqlite")])
    assert result.exit_code == 1 and "this computer only" in result.output and not calls
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps(HOSTILE_CONFIG))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
    result = runner.invoke(cli, ["lab", "--no-browser", "--port", "8899", "--workbook", str(tmp_path / "w.sqlite")])
    assert result.exit_code == 0, result.output
    assert "asks Jupyter to listen on 0.0.0.0" in result.output and "ignores that" in result.output
    assert "--ServerApp.ip=127.0.0.1" in calls[0]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:  # not listening yet
        return 0


@pytest.mark.slow
def test_a_hostile_user_config_cannot_open_the_server(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps(HOSTILE_CONFIG))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
    }
    port = launch.free_port(9400)
    argv = launch.lab_command(tmp_path, port=port, open_browser=False, token="s3cret-token")
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while _status(f"http://127.0.0.1:{port}/api/status?token=s3cret-token") != 200:
            assert server.poll() is None and time.monotonic() < deadline, "JupyterLab did not start"
            time.sleep(0.5)
        assert _status(f"http://127.0.0.1:{port}/api/status") == 403, "a token is required"
        bound = subprocess.run(["ss", "-ltnp"], capture_output=True, text=True, check=True).stdout
        mine = [line for line in bound.splitlines() if f":{port} " in line]
        assert mine and all("127.0.0.1:" in line for line in mine), mine
        outside = socket.gethostbyname(socket.gethostname())
        if not outside.startswith("127."):
            with pytest.raises(OSError), socket.create_connection((outside, port), timeout=2):
                pass
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
