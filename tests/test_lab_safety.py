"""`career-workbook lab` stays on this computer, with a token, whatever a Jupyter config file says."""

from __future__ import annotations

import http.server
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook.app_session import TOKEN_ENV_VAR
from workbook.cli import launch, server
from workbook.cli.main import cli

HOSTILE_CONFIG = {
    "ServerApp": {"ip": "0.0.0.0", "allow_remote_access": True, "disable_check_xsrf": True, "allow_origin": "*"},
    "IdentityProvider": {"token": ""},
}


def test_lab_command_passes_its_own_safe_settings_and_no_secret(tmp_path):
    argv = launch.lab_command(tmp_path, port=8899)
    assert "--ServerApp.ip=127.0.0.1" in argv and "--ServerApp.port_retries=0" in argv
    assert "--ServerApp.allow_remote_access=False" in argv and "--ServerApp.disable_check_xsrf=False" in argv
    assert not [a for a in argv if "token" in a.lower()], "no token on the command line"
    env = launch.server_environment("t0ken" * 8, base={})
    assert env == {TOKEN_ENV_VAR: "t0ken" * 8}


def test_lab_refuses_to_listen_elsewhere_and_names_a_config_that_asks(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr("workbook.cli.launch.serve", lambda argv, env, **how: calls.append(argv) or 0)
    runner = CliRunner()
    result = runner.invoke(cli, ["lab", "--ip", "0.0.0.0", "--workbook", str(tmp_path / "w.sqlite")])
    assert result.exit_code == 1 and "this computer only" in result.output and not calls
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps(HOSTILE_CONFIG))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
    port = launch.free_port(9660)
    result = runner.invoke(cli, ["lab", "--no-browser", "--port", str(port), "--workbook", str(tmp_path / "w.sqlite")])
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
    token = "s3cret-token-" + "x" * 24
    argv = launch.lab_command(tmp_path, port=port)
    lab = subprocess.Popen(
        argv, env=launch.server_environment(token, env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while _status(f"http://127.0.0.1:{port}/api/status?token={token}") != 200:
            assert lab.poll() is None and time.monotonic() < deadline, "JupyterLab did not start"
            time.sleep(0.5)
        assert launch.identify(port, token) is True and launch.identify(port, "another" * 6) is False
        if Path("/proc").is_dir():  # what `ps` shows to every account
            assert token not in Path(f"/proc/{lab.pid}/cmdline").read_bytes().decode()
        assert _status(f"http://127.0.0.1:{port}/api/status") == 403, "a token is required, though a config empties it"
        bound = subprocess.run(["ss", "-ltnp"], capture_output=True, text=True, check=True).stdout
        mine = [line for line in bound.splitlines() if f":{port} " in line]
        assert mine and all("127.0.0.1:" in line for line in mine), mine
        outside = socket.gethostbyname(socket.gethostname())
        if not outside.startswith("127."):
            with pytest.raises(OSError), socket.create_connection((outside, port), timeout=2):
                pass
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lab.kill()


# ------------------------------------------------- is the server on the port ours?
class _Answering(http.server.BaseHTTPRequestHandler):
    """A stand-in server: ours when it knows the token (``token`` set on the class), else another program."""

    token: str | None = None

    def do_GET(self):
        challenge = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("challenge", [""])[0]
        body = (launch.proof(self.token, challenge) if self.token else "<html>hello</html>").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """Start a stand-in server on a free port: ``listener(token)`` returns the port."""
    servers = []

    def start(token: str | None) -> int:
        handler = type("Handler", (_Answering,), {"token": token})
        stand_in = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=stand_in.serve_forever, daemon=True).start()
        servers.append(stand_in)
        return stand_in.server_address[1]

    yield start
    for stand_in in servers:
        stand_in.shutdown()
        stand_in.server_close()


SLEEPER = [sys.executable, "-c", "import time; time.sleep(30)"]


def _serve(port, token, tmp_path, echoed, opened, monkeypatch, argv=SLEEPER):
    monkeypatch.setattr(launch.webbrowser, "open", lambda url: opened.append(url))
    return launch.serve(
        argv, dict(os.environ), port=port, token=token, url=f"http://127.0.0.1:{port}/lab?token={token}",
        what="JupyterLab", folder=tmp_path, open_browser=True, echo=echoed.append, announce="JupyterLab is at",
    )  # fmt: skip


def test_another_program_on_the_port_gets_neither_the_browser_nor_the_token(listener, tmp_path, monkeypatch):
    port = listener(None)
    token = launch.new_token()
    echoed, opened = [], []
    with pytest.raises(launch.LaunchError, match=f"another program is listening on port {port}"):
        _serve(port, token, tmp_path, echoed, opened, monkeypatch)
    assert opened == [] and echoed == [] and list(tmp_path.iterdir()) == []


def test_the_browser_gets_the_token_through_a_private_redirect_file(listener, tmp_path, monkeypatch):
    token = launch.new_token()
    port = listener(token)
    echoed, opened = [], []
    done = _serve(port, token, tmp_path, echoed, opened, monkeypatch, argv=[sys.executable, "-c", "pass"])
    assert done == 0
    assert echoed[0] == f"JupyterLab is at http://127.0.0.1:{port}/lab?token={token}"
    assert len(opened) == 1 and opened[0].startswith("file://") and token not in opened[0]
    page = Path(urllib.parse.unquote(urllib.parse.urlsplit(opened[0]).path))
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    assert f'content="0;url=http://127.0.0.1:{port}/lab?token={token}"' in page.read_text(encoding="utf-8")


def test_the_app_says_so_in_one_line_when_another_program_took_its_port(listener, tmp_path, monkeypatch):
    """Between the check that the port is free and Voilà listening, another program may take it."""
    port = listener(None)
    monkeypatch.setattr(launch, "port_is_free", lambda port: True)
    monkeypatch.setattr("workbook.cli.app.voila_command", lambda port: SLEEPER)
    opened = []
    monkeypatch.setattr(launch.webbrowser, "open", lambda url: opened.append(url))
    result = CliRunner().invoke(cli, ["app", "--workbook", str(tmp_path / "wb.sqlite"), "--port", str(port)])
    assert result.exit_code == 1 and opened == []
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == [
        f"Error: another program is listening on port {port} of 127.0.0.1, not the app (Voilà); "
        "nothing was opened there: choose another port with --port"
    ]
    assert "token" not in result.output


def test_nothing_answering_is_not_a_foreign_server():
    assert launch.identify(launch.free_port(9700), "x" * 48) is None


@pytest.mark.parametrize("kind", ["lab", "voila"])
def test_the_server_process_keeps_the_token_from_its_kernels(monkeypatch, kind):
    seen = {}
    monkeypatch.setenv(TOKEN_ENV_VAR, "t" * 48)
    monkeypatch.setattr(
        server, f"run_{kind}", lambda args, token: seen.update(args=args, token=token, env=dict(os.environ))
    )
    server.main([kind, "--port=1"])
    assert seen["token"] == "t" * 48 and TOKEN_ENV_VAR not in seen["env"] and seen["args"] == ["--port=1"]


def test_the_request_the_app_pages_kernel_learns_of_has_no_token():
    assert server.without_token("token=abc&x=1&y=") == "x=1&y="
