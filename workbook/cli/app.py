"""The guided notebooks as a no-code web app, served by Voilà.

The app renders the same notebooks as ``career-workbook lab`` (found the same
way, by :func:`workbook.cli.launch.prepare_notebooks`) with their code hidden. It
listens on 127.0.0.1 only, behind Jupyter Server's token, and loads nothing
from other hosts: it uses the ``career-workbook`` Voilà template shipped in
this package, which is Voilà's ``lab`` template without its Font Awesome links
to a public CDN.

It is started like JupyterLab (see :mod:`workbook.cli.launch`): the token goes
to the server in its environment, never on a command line; the command checks
that the server answering on the port is the one it started before it prints
the address or opens the browser (through a private redirect file). Voilà runs
with :mod:`workbook.cli.server`, which also closes the websocket through which
Voilà's waiting kernels learn of a visit to anyone without the token.

While the app runs, ``$CAREER_WORKBOOK_APP`` names a small file holding the
person's choice between their own workbook and the demo (the switch in
``00_start_here``, see :mod:`workbook.app_session`).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path

from .. import files, paths
from ..app_session import FIRST_STEP, STATE_ENV_VAR
from . import launch

#: The Voilà template shipped with the package (Voilà's ``lab`` template, served offline).
TEMPLATE = "career-workbook"
HOST = launch.HOST
READY_S = launch.READY_S
new_token = launch.new_token


def jupyter_path() -> Path:
    """The folder to add to ``$JUPYTER_PATH`` so that Voilà finds :data:`TEMPLATE`."""
    return paths.package_root() / "jupyter"


class AppError(launch.LaunchError):
    """The app cannot be started; the message says why and what to do."""


def voila_command(folder: Path, *, port: int, preheat: bool = True) -> list[str]:
    """The argv that serves ``folder`` with Voilà: code hidden, 127.0.0.1 only, token required.

    The token itself is passed in the environment (see :func:`voila_environment`),
    so it does not show in the process list. With ``preheat`` every step keeps
    one kernel started with its imports done, waiting for the next visit (see
    :func:`workbook.app_session.wait_for_visit`).
    """
    argv = [
        sys.executable, "-m", "workbook.cli.server", "voila", str(folder),
        f"--Voila.ip={HOST}", f"--port={port}", "--Voila.port_retries=0", "--Voila.base_url=/", "--Voila.server_url=/",
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
    env = launch.server_environment(token, base)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(jupyter_path()), env.get("JUPYTER_PATH", "")) if p)
    env[paths.ENV_VAR] = str(workbook_path)
    env[STATE_ENV_VAR] = str(state_file)
    return env


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

    Prints the address (with its token) once the server answers and has proved
    it is the one started here, and opens it in the browser unless
    ``open_browser`` is false.
    """
    port = _checked_port(port)
    folder, copied = launch.prepare_notebooks(notebooks_dir)
    if copied:
        echo(f"Copied {len(copied)} guided notebooks to {folder}")
    token = new_token()
    with launch.private_folder("career-workbook-app-") as run:
        env = voila_environment(Path(workbook_path), token, run / "choice")
        log_path = run / "voila.log"
        files.create_private_file(log_path)
        with open(log_path, "wb") as log:
            return launch.serve(
                voila_command(folder, port=port, preheat=preheat),
                env,
                port=port,
                token=token,
                url=first_url(port, token),
                what="the app (Voilà)",
                folder=run,
                open_browser=open_browser,
                echo=echo,
                announce="The app is at",
                log=log,
                why=lambda: _last_line(log_path),
            )


def _checked_port(port: int | None) -> int:
    """The port to serve on: the one asked for (checked), else the first free one from 8866."""
    if importlib.util.find_spec("voila") is None:
        raise AppError("Voilà is not installed: python3 -m pip install voila")
    try:
        return launch.checked_port(port, 8866)
    except launch.LaunchError as exc:
        raise AppError(str(exc)) from None
