"""The guided notebooks as a no-code web app, served by Voilà.

The app renders the same notebooks as ``career-workbook lab`` (found the same
way, by :func:`workbook.cli.launch.prepare_notebooks`) with their code hidden. It
listens on 127.0.0.1 only, behind Jupyter Server's token, and loads nothing
from other hosts: it uses the ``career-workbook`` Voilà template shipped in
this package, which is Voilà's ``lab`` template without its Font Awesome links
to a public CDN.

While the app runs, ``$CAREER_WORKBOOK_APP`` names a small file holding the
person's choice between their own workbook and the demo (the switch in
``00_start_here``, see :mod:`workbook.app_session`).
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path

from .. import paths
from ..app_session import FIRST_STEP, STATE_ENV_VAR
from ..errors import WorkbookError
from . import launch

#: The Voilà template shipped with the package (Voilà's ``lab`` template, served offline).
TEMPLATE = "career-workbook"
HOST = "127.0.0.1"


def jupyter_path() -> Path:
    """The folder to add to ``$JUPYTER_PATH`` so that Voilà finds :data:`TEMPLATE`."""
    return paths.package_root() / "jupyter"


def new_token() -> str:
    return secrets.token_hex(24)


# ------------------------------------------------------------------ serving
READY_S = 60


class AppError(WorkbookError):
    """The app cannot be started; the message says why and what to do."""


def voila_command(folder: Path, *, port: int, preheat: bool = True) -> list[str]:
    """The argv that serves ``folder`` with Voilà: code hidden, 127.0.0.1 only, token required.

    The token itself is passed in the environment (``$JUPYTER_TOKEN``, see
    :func:`voila_environment`), so it does not show in the process list. With
    ``preheat`` every step keeps one kernel started with its imports done,
    waiting for the next visit (see :func:`wait_for_visit`).
    """
    argv = [
        sys.executable, "-m", "voila", str(folder),
        f"--Voila.ip={HOST}", f"--port={port}", "--Voila.port_retries=0",
        "--Voila.auto_token=True", "--Voila.open_browser=False", "--Voila.log_level=WARN",
        f"--template={TEMPLATE}",
        "--VoilaConfiguration.strip_sources=True", "--VoilaConfiguration.show_tracebacks=False",
    ]  # fmt: skip
    if preheat:
        argv += ["--preheat_kernel=True", "--VoilaKernelManager.fill_delay=0"]
    return argv


def first_url(port: int, token: str | None = None) -> str:
    """The address of the first step (with the token, when given)."""
    url = f"http://{HOST}:{port}/voila/render/{FIRST_STEP}"
    return f"{url}?token={token}" if token else url


def voila_environment(workbook_path: Path, token: str, state_file: Path, base: dict | None = None) -> dict[str, str]:
    """The server's environment (its kernels inherit it): the workbook, the token, the template, the choice file."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(jupyter_path()), env.get("JUPYTER_PATH", "")) if p)
    env["JUPYTER_TOKEN"] = token
    env[paths.ENV_VAR] = str(workbook_path)
    env[STATE_ENV_VAR] = str(state_file)
    return env


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def _answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def _stop_on_sigterm():
    """Let SIGTERM stop the app like Ctrl+C does, so Voilà and its kernels are stopped too."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _last_line(log_path: Path) -> str:
    lines = [line for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no message"


def run_app(
    workbook_path: Path,
    *,
    port: int | None = None,
    open_browser: bool = True,
    notebooks_dir: str | os.PathLike | None = None,
    preheat: bool = True,
    echo: Callable[[str], object] = print,
) -> int:
    """Serve the guided steps on ``workbook_path`` until interrupted; returns Voilà's exit code.

    Prints the address (with its token) once the server answers, and opens it in
    the browser unless ``open_browser`` is false.
    """
    port = _checked_port(port)
    folder, copied = launch.prepare_notebooks(notebooks_dir)
    if copied:
        echo(f"Copied {len(copied)} guided notebooks to {folder}")
    token = new_token()
    with tempfile.TemporaryDirectory(prefix="career-workbook-app-") as tmp:
        env = voila_environment(Path(workbook_path), token, Path(tmp) / "choice")
        log_path = Path(tmp) / "voila.log"
        log = open(log_path, "wb")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            voila_command(folder, port=port, preheat=preheat), env=env, stdout=log, stderr=subprocess.STDOUT
        )
        previous = _stop_on_sigterm()
        try:
            _wait_until_serving(process, port, log_path)
            url = first_url(port, token)
            echo(f"The app is at {url}")
            echo("Keep this window open while you use it; press Ctrl+C here to stop it.")
            if open_browser:
                webbrowser.open(url)
            return process.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def _checked_port(port: int | None) -> int:
    """The port to serve on: the one asked for (checked), else the first free one from 8866."""
    if importlib.util.find_spec("voila") is None:
        raise AppError("Voilà is not installed: python3 -m pip install voila")
    if port is None:
        return launch.free_port(8866)
    if not 0 < port < 65536:
        raise AppError(f"--port: {port} is not a port number (1-65535)")
    if not _port_is_free(port):
        raise AppError(f"port {port} is already in use on {HOST}; choose another with --port")
    return port


def _wait_until_serving(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + READY_S
    while not _answers(port):
        if process.poll() is not None:
            raise AppError(
                f"Voilà stopped before serving the app (exit code {process.returncode}): {_last_line(log_path)}"
            )
        if time.monotonic() > deadline:
            raise AppError(f"Voilà did not answer on port {port} within {READY_S} s")
        time.sleep(0.2)
