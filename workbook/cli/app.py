"""The no-code app: the guided steps as one web page, served by Voilà on this computer.

Voilà renders one small notebook shipped with the package (:func:`app_notebook`),
whose single cell builds the page (:mod:`workbook.forms.app`): a step bar over
the guided notebooks (the same ones ``career-workbook lab`` opens, found by
:func:`workbook.cli.launch.prepare_notebooks`), each step a view built the first
time it is opened, all in one kernel. The page's address names the step it shows
(``/?step=compare-paths``); the addresses of the earlier one-page-per-notebook app
(``/voila/render/06_compare_paths.ipynb``) lead to the same step.

What Voilà needs to serve that page, here and in the JupyterHub deployment's app
mode, is :func:`app_entry`: the notebook, Voilà's settings (the
``career-workbook`` template, Voilà's ``lab`` template without its requests to a
public CDN; code hidden; no tracebacks) and the environment (where the template
and the guided notebooks are).

It is started like JupyterLab (see :mod:`workbook.cli.launch`): the token goes
to the server in its environment, never on a command line; the command checks
that the server answering on the port is the one it started before it prints
the address or opens the browser (through a private redirect file). Voilà runs
with :mod:`workbook.cli.server`, which also closes the websocket through which
a kernel started ahead of time learns of a visit to anyone without the token.

While the app runs, ``$CAREER_WORKBOOK_APP`` names a small file holding the
person's choice between their own workbook and the demo (the switch in
``00_start_here``, see :mod:`workbook.app_session`), so a reload keeps it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import files, paths
from ..app_session import NOTEBOOKS_ENV_VAR, STATE_ENV_VAR
from . import launch

#: The Voilà template shipped with the package (Voilà's ``lab`` template, served offline).
TEMPLATE = "career-workbook"
HOST = launch.HOST
READY_S = launch.READY_S
new_token = launch.new_token


def jupyter_path() -> Path:
    """The folder to add to ``$JUPYTER_PATH`` so that Voilà finds :data:`TEMPLATE`."""
    return paths.package_root() / "jupyter"


def app_notebook() -> Path:
    """The notebook Voilà renders as the app page (its one cell calls :func:`workbook.forms.app.app_page`)."""
    return jupyter_path() / "app" / "career-workbook.ipynb"


@dataclass(frozen=True)
class AppEntry:
    """What Voilà needs to serve the app page.

    ``notebook``: the page (shipped with the package; a Voilà running as a Jupyter
    server extension serves only notebooks under its root folder, so copy it there).
    ``settings``: Voilà's settings, as command-line options (``--VoilaConfiguration.…``),
    valid for ``voila`` and for a Jupyter server running Voilà as its extension.
    ``environment``: variables the server and its kernels need.
    """

    notebook: Path
    settings: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)


def app_entry(notebooks: str | os.PathLike | None = None, base: Mapping[str, str] | None = None) -> AppEntry:
    """The app page and how Voilà serves it, for ``career-workbook app`` and for the JupyterHub app mode.

    ``notebooks``: the folder of guided notebooks the page shows as steps
    (``~`` is expanded by the kernel; default: the notebooks shipped with the
    package). ``base``: the ``JUPYTER_PATH`` to extend (default: this process's).
    """
    env = {}
    jupyter = (base if base is not None else os.environ).get("JUPYTER_PATH", "")
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(jupyter_path()), jupyter) if p)
    if notebooks is not None:
        env[NOTEBOOKS_ENV_VAR] = str(notebooks)
    settings = [
        f"--VoilaConfiguration.template={TEMPLATE}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
    ]
    return AppEntry(app_notebook(), settings, env)


class AppError(launch.LaunchError):
    """The app cannot be started; the message says why and what to do."""


def voila_command(*, port: int) -> list[str]:
    """The argv that serves the app page with Voilà: code hidden, 127.0.0.1 only, token required.

    The token itself is passed in the environment (see :func:`voila_environment`),
    so it does not show in the process list. The page's one kernel starts when
    the page is opened: no kernel is started ahead of a visit, as a second kernel
    waiting would double the app's memory for half a second less on its first
    page (see ``benchmarks/README.md``); a configuration file cannot turn that on.
    """
    entry = app_entry()
    return [
        sys.executable, "-m", "workbook.cli.server", "voila", str(entry.notebook),
        f"--Voila.ip={HOST}", f"--port={port}", "--Voila.port_retries=0", "--Voila.base_url=/", "--Voila.server_url=/",
        "--Voila.auto_token=True", "--Voila.open_browser=False", "--Voila.log_level=WARN",
        "--VoilaConfiguration.preheat_kernel=False",
        *entry.settings,
    ]  # fmt: skip


def first_url(port: int, token: str | None = None) -> str:
    """The address of the app page, on its first step (with the token, when given)."""
    url = f"http://{HOST}:{port}/"
    return f"{url}?token={token}" if token else url


def voila_environment(
    workbook_path: Path,
    token: str,
    state_file: Path,
    notebooks: Path | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The server's environment (its kernels inherit it but the token): workbook, template, steps, choice file."""
    env = launch.server_environment(token, base)
    env.update(app_entry(notebooks, base=env).environment)
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
        env = voila_environment(Path(workbook_path), token, run / "choice", folder)
        log_path = run / "voila.log"
        files.create_private_file(log_path)
        with open(log_path, "wb") as log:
            return launch.serve(
                voila_command(port=port),
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
