"""Start JupyterLab on the guided notebooks."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

from .. import paths


def prepare_notebooks(target: str | os.PathLike | None = None) -> tuple[Path, list[Path]]:
    """The folder to open JupyterLab on, and the notebooks copied there.

    From a source checkout (and no ``target``) the checkout's ``notebooks/`` is
    used as it is. Otherwise the shipped notebooks are copied into ``target``
    (default: ``notebooks`` in the user data folder); a notebook already there is
    never overwritten, so a user's edits survive upgrades.
    """
    source = paths.notebooks_dir()
    if target is None and paths.in_checkout():
        return source, []
    folder = Path(target).expanduser() if target else paths.user_data_dir() / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for notebook in sorted(source.glob("*.ipynb")):
        dest = folder / notebook.name
        if not dest.exists():
            shutil.copy2(notebook, dest)
            copied.append(dest)
    return folder, copied


def free_port(start: int = 8888, tries: int = 50) -> int:
    for port in range(start, start + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port between {start} and {start + tries - 1}")


def lab_command(folder: Path, *, port: int | None = None, open_browser: bool = True) -> list[str]:
    """The argv that starts JupyterLab on ``folder``, opened on the first notebook."""
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={folder}",
        f"--port={port or free_port()}",
    ]
    first = sorted(folder.glob("00_*.ipynb"))
    if first:
        argv.append(f"--LabApp.default_url=/lab/tree/{first[0].name}")
    if not open_browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    return argv
