"""Start JupyterLab on the guided notebooks, reachable from this computer only.

The server's safety settings are passed on its command line, which beats any
Jupyter configuration file: it listens on 127.0.0.1 only, asks for a fresh
random token, and refuses remote access and other origins. A configuration
that asks to listen elsewhere is found and named, so the user knows it is
not followed.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import sys
from pathlib import Path

from .. import files, paths


def prepare_notebooks(target: str | os.PathLike | None = None) -> tuple[Path, list[Path]]:
    """The folder to open JupyterLab on, and the notebooks copied there.

    From a source checkout (and no ``target``) the checkout's ``notebooks/`` is
    used as it is. Otherwise the shipped notebooks are copied into ``target``
    (default: ``notebooks`` in the user data folder, ``0700``, each copy ``0600``);
    a notebook already there is never overwritten, so a user's edits survive upgrades.
    """
    source = paths.notebooks_dir()
    if target is None and paths.in_checkout():
        return source, []
    folder = files.private_dir(Path(target).expanduser() if target else paths.user_data_dir() / "notebooks")
    copied = []
    for notebook in sorted(source.glob("*.ipynb")):
        dest = folder / notebook.name
        if files.copy_private(notebook, dest):  # 0600; a notebook already there is kept
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


#: Addresses that mean "this computer only".
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
HOST = "127.0.0.1"


def safe_settings(token: str) -> list[str]:
    """Command-line settings that keep the server to this computer, whatever a config file says."""
    return [
        f"--ServerApp.ip={HOST}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.allow_remote_access=False",
        "--ServerApp.allow_origin=",
        "--ServerApp.allow_origin_pat=",
        "--ServerApp.disable_check_xsrf=False",
    ]


_PY_IP = re.compile(r"^\s*c\.(?:ServerApp|NotebookApp)\.ip\s*=\s*['\"]([^'\"]*)['\"]", re.MULTILINE)


def configured_elsewhere() -> list[tuple[Path, str]]:
    """Jupyter configuration files that ask the server to listen on another address: (file, address)."""
    try:
        from jupyter_core.paths import jupyter_config_path
    except ImportError:  # pragma: no cover - jupyter is a dependency
        return []
    found = []
    for folder in jupyter_config_path():
        for stem in ("jupyter_server_config", "jupyter_lab_config", "jupyter_notebook_config"):
            for path in (Path(folder) / f"{stem}.json", Path(folder) / f"{stem}.py"):
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                addresses = _PY_IP.findall(text) if path.suffix == ".py" else _json_ips(text)
                found += [(path, ip) for ip in addresses if ip not in LOOPBACK]
    return found


def _json_ips(text: str) -> list[str]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    sections = [data.get(k) for k in ("ServerApp", "NotebookApp")] if isinstance(data, dict) else []
    return [str(s["ip"]) for s in sections if isinstance(s, dict) and "ip" in s]


def lab_command(
    folder: Path, *, port: int | None = None, open_browser: bool = True, token: str | None = None
) -> list[str]:
    """The argv that starts JupyterLab on ``folder``, opened on the first notebook, on 127.0.0.1 with a token."""
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={folder}",
        f"--port={port or free_port()}",
        *safe_settings(token or secrets.token_hex(24)),
    ]
    first = sorted(folder.glob("00_*.ipynb"))
    if first:
        argv.append(f"--LabApp.default_url=/lab/tree/{first[0].name}")
    if not open_browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    return argv
