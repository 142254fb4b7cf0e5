"""Start JupyterLab on the guided notebooks, reachable from this computer only.

The server's safety settings are passed on its command line, which beats any
Jupyter configuration file: it listens on 127.0.0.1 only, asks for a fresh
random token, and refuses remote access and other origins. A configuration
that asks to listen elsewhere is found and named, so the user knows it is
not followed.

The token never appears on a command line (every account on the computer can
read those with ``ps``): the server gets it in its environment, which only
this account can read, and takes it in as a setting inside its own process
(:mod:`workbook.cli.server`). Before saying where the server is, this
command checks that the program answering on the port is the server it
started (:func:`proof`), then prints an address that opens the first
notebook, token included; the browser gets that address through a private
redirect file, as Jupyter itself does, not on its command line.

:mod:`workbook.cli.app` starts the no-code app the same way.

Both servers find the package's ``workbook/jupyter`` folder first on ``$JUPYTER_PATH``
(:func:`jupyter_path`): its ``python3`` kernel spec starts every kernel with the widgets' comm targets
registered (see :func:`workbook.notebook.load_ipython_extension`), so no kernel answers
"No such comm target registered: jupyter.widget.control" when a notebook connects to it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import html
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import webbrowser
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .. import files, paths
from ..app_session import TOKEN_ENV_VAR
from ..errors import WorkbookError

#: Where a server started here proves it is ours (see :func:`proof`).
IDENTIFY_PATH = "/career-workbook/identify"
#: How long a server may take to answer.
READY_S = 60


class LaunchError(WorkbookError):
    """A server cannot be started or reached; the message says why and what to do."""


def new_token() -> str:
    return secrets.token_hex(24)


def proof(token: str, challenge: str) -> str:
    """What only a server holding ``token`` can answer to ``challenge`` (an HMAC; the token itself is never sent)."""
    message = f"career-workbook server {challenge}".encode()
    return hmac.new(token.encode(), message, hashlib.sha256).hexdigest()


#: In a folder of copied notebooks: which version of each was copied there (a hash of its cells).
MANIFEST = ".career-workbook-notebooks.json"
#: What a kept notebook's new version is called, beside it.
NEW_VERSION = "{stem} (new version).ipynb"


def notebook_hash(path: str | os.PathLike) -> str:
    """A hash of a notebook's cells (type and text): running it or saving its outputs does not change it."""
    book = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [
        [c.get("cell_type"), "".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source", "")]
        for c in book.get("cells", [])
    ]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


@dataclass
class NotebookSync:
    """What :func:`sync_notebooks` did to each guided notebook in a folder."""

    copied: list[Path] = field(default_factory=list)  # new in the folder
    updated: list[Path] = field(default_factory=list)  # untouched copies replaced by the new version
    kept: list[tuple[Path, Path]] = field(default_factory=list)  # edited copies kept, and the new version beside

    def notices(self) -> list[str]:
        return [f"Kept your edited {kept.name}; this version's is beside it as {new.name}." for kept, new in self.kept]


def _shipped_before() -> dict[str, set[str]]:
    """Hashes of every version of each notebook shipped before copies recorded their version."""
    try:
        data = json.loads((paths.data_dir() / "notebook_history.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(name): set(hashes) for name, hashes in data.items()}


def _copy_over(source: Path, target: Path) -> None:
    """Replace ``target`` with a private copy of ``source`` in one step."""
    files.write_text(target, source.read_text(encoding="utf-8"))


def sync_notebooks(source: Path, folder: Path) -> NotebookSync:
    """Bring the copies in ``folder`` up to the notebooks in ``source``; never lose an edit.

    A missing notebook is copied. A copy nobody edited (its cells are exactly a
    version that was shipped) is replaced by the new version. An edited copy is
    kept as it is, and the new version is written beside it
    (:data:`NEW_VERSION`), with a notice. Which version each copy came from is
    recorded in :data:`MANIFEST` (a private file in the folder).
    """
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    history = _shipped_before()
    done = NotebookSync()
    for notebook in sorted(source.glob("*.ipynb")):
        dest, new = folder / notebook.name, notebook_hash(notebook)
        if files.copy_private(notebook, dest):
            done.copied.append(dest)
        elif new != manifest.get(notebook.name):
            mine = notebook_hash(dest)
            untouched = mine == manifest.get(notebook.name) or mine in history.get(notebook.name, set())
            if mine == new:
                pass  # already this version
            elif untouched:
                _copy_over(notebook, dest)
                done.updated.append(dest)
            else:
                beside = folder / NEW_VERSION.format(stem=notebook.stem)
                _copy_over(notebook, beside)
                done.kept.append((dest, beside))
                continue  # the edited copy's recorded version stays what it was
        manifest[notebook.name] = new
    files.write_text(manifest_path, json.dumps(manifest, indent=1, sort_keys=True))
    return done


def prepare_notebooks(
    target: str | os.PathLike | None = None, *, notices: list[str] | None = None
) -> tuple[Path, list[Path]]:
    """The folder to open JupyterLab on, and the notebooks copied or brought up to date there.

    From a source checkout (and no ``target``) the checkout's ``notebooks/`` is
    used as it is. Otherwise the shipped notebooks are synchronised into
    ``target`` (default: ``notebooks`` in the user data folder, ``0700``, each
    copy ``0600``) by :func:`sync_notebooks`: an edited copy is never
    overwritten; ``notices`` (if given) receives a sentence for each one kept.
    """
    source = paths.notebooks_dir()
    if target is None and paths.in_checkout():
        return source, []
    folder = files.private_dir(Path(target).expanduser() if target else paths.user_data_dir() / "notebooks")
    done = sync_notebooks(source, folder)
    if notices is not None:
        notices.extend(done.notices())
    return folder, done.copied + done.updated


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


def safe_settings() -> list[str]:
    """Command-line settings that keep the server to this computer, whatever a config file says (no secret here)."""
    return [
        f"--ServerApp.ip={HOST}",
        "--ServerApp.port_retries=0",
        "--ServerApp.base_url=/",
        "--ServerApp.allow_remote_access=False",
        "--ServerApp.allow_origin=",
        "--ServerApp.allow_origin_pat=",
        "--ServerApp.disable_check_xsrf=False",
        "--ServerApp.open_browser=False",
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


def first_notebook(folder: Path) -> str | None:
    first = sorted(folder.glob("00_*.ipynb"))
    return first[0].name if first else None


def lab_command(folder: Path, *, port: int) -> list[str]:
    """The argv that starts JupyterLab on ``folder``, opened on the first notebook, on 127.0.0.1.

    It holds no token: that goes in the environment (:func:`server_environment`).
    """
    argv = [
        sys.executable,
        "-m",
        "workbook.cli.server",
        "lab",
        f"--ServerApp.root_dir={folder}",
        f"--port={port}",
        *safe_settings(),
    ]
    first = first_notebook(folder)
    if first:
        argv.append(f"--LabApp.default_url=/lab/tree/{first}")
    argv.append("--no-browser")  # the command opens it, once it knows the server is its own
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    return argv


def lab_url(folder: Path, port: int, token: str) -> str:
    """The address that opens the first notebook in JupyterLab, token included."""
    first = first_notebook(folder)
    path = f"/lab/tree/{urllib.parse.quote(first)}" if first else "/lab"
    return f"http://{HOST}:{port}{path}?token={token}"


def jupyter_path(current: str = "") -> str:
    """``$JUPYTER_PATH`` with the package's ``jupyter`` folder first (its kernel spec, its Voilà template)."""
    ours = str(paths.package_root() / "jupyter")
    rest = [p for p in current.split(os.pathsep) if p and p != ours]
    return os.pathsep.join([ours, *rest])


def server_environment(token: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment: ``base`` (default: this one) and the token, readable by this account only."""
    env = dict(os.environ if base is None else base)
    env[TOKEN_ENV_VAR] = token
    return env


def lab_environment(workbook_path: Path, token: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """JupyterLab's environment (its kernels inherit it): the workbook, the package's Jupyter folder, the token."""
    env = server_environment(token, base)
    env["JUPYTER_PATH"] = jupyter_path(env.get("JUPYTER_PATH", ""))
    env[paths.ENV_VAR] = str(workbook_path)
    return env


def checked_port(port: int | None, start: int) -> int:
    """The port to serve on: the one asked for (checked), else the first free one from ``start``."""
    if port is None:
        return free_port(start)
    if not 0 < port < 65536:
        raise LaunchError(f"--port: {port} is not a port number (1-65535)")
    if not port_is_free(port):
        raise LaunchError(f"port {port} is already in use on {HOST}; choose another with --port")
    return port


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


# ------------------------------------------------------------ our server?
def identify(port: int, token: str, timeout: float = 5.0) -> bool | None:
    """Whether the program answering on ``port`` is the server started with ``token``.

    True: it proved it (see :func:`proof`). False: something answers, but not
    our server. None: nothing answers yet.
    """
    challenge = secrets.token_hex(16)
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", f"{IDENTIFY_PATH}?challenge={challenge}")
        response = connection.getresponse()
        body = response.read(256).decode("ascii", "replace").strip()
    except (ConnectionRefusedError, TimeoutError):  # not listening yet, or still starting up
        return None
    except (OSError, http.client.HTTPException):  # something answered, and not in HTTP
        return False
    finally:
        connection.close()
    return response.status == 200 and hmac.compare_digest(body, proof(token, challenge))


def wait_until_ours(
    process: subprocess.Popen, port: int, token: str, what: str, *, why: Callable[[], str] | None = None
) -> None:
    """Wait until the server ``process`` answers on ``port`` and proves it is ours; else :class:`LaunchError`."""
    deadline = time.monotonic() + READY_S
    while True:
        found = identify(port, token)
        if found:
            return
        if found is False:
            raise LaunchError(
                f"another program is listening on port {port} of {HOST}, not {what}; "
                "nothing was opened there: choose another port with --port"
            )
        if process.poll() is not None:
            detail = f": {why()}" if why else ""
            raise LaunchError(f"{what} stopped before it served (exit code {process.returncode}){detail}")
        if time.monotonic() > deadline:
            raise LaunchError(f"{what} did not answer on port {port} within {READY_S} s")
        time.sleep(0.2)


# ------------------------------------------------------------- the browser
@contextlib.contextmanager
def private_folder(prefix: str) -> Iterator[Path]:
    """A folder only this account can open (``0700``), deleted afterwards: for the redirect file, logs, choices.

    It lives in Jupyter's runtime folder (as Jupyter's own redirect files do),
    where a browser installed as a sandboxed package can read it.
    """
    try:
        from jupyter_core.paths import jupyter_runtime_dir

        runtime = files.private_dir(jupyter_runtime_dir())
    except (ImportError, OSError):  # pragma: no cover - jupyter_core comes with Jupyter
        runtime = Path(tempfile.gettempdir())
    with tempfile.TemporaryDirectory(prefix=prefix, dir=runtime) as folder:
        yield Path(folder)


def redirect_file(folder: Path, url: str, title: str) -> Path:
    """A private page that sends the browser on to ``url``: the token stays off the browser's command line."""
    href = html.escape(url, quote=True)
    page = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={href}"><title>{html.escape(title)}</title></head>\n'
        f"<body><p>Opening {html.escape(title)}. If nothing happens, "
        f'<a href="{href}">click here</a>.</p></body></html>\n'
    )
    return files.write_text(folder / "open.html", page)


def open_in_browser(folder: Path, url: str, title: str) -> None:
    """Open ``url`` in the browser through a redirect file in ``folder``."""
    webbrowser.open(redirect_file(folder, url, title).as_uri())


# ------------------------------------------------------------------ running
def stop_on_sigterm():
    """Let SIGTERM stop the command like Ctrl+C does, so the server and its kernels are stopped too."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve(
    argv: list[str],
    env: dict[str, str],
    *,
    port: int,
    token: str,
    url: str,
    what: str,
    folder: Path,
    open_browser: bool,
    echo: Callable[[str], object],
    announce: str,
    log: IO[bytes] | None = None,
    why: Callable[[], str] | None = None,
) -> int:
    """Start the server, check it is ours, say where it is (and open it), then wait until it stops or Ctrl+C."""
    process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT if log else None)
    previous = stop_on_sigterm()
    try:
        wait_until_ours(process, port, token, what, why=why)
        echo(f"{announce} {url}")
        echo("Keep this window open while you use it; press Ctrl+C here to stop it.")
        if open_browser:
            open_in_browser(folder, url, what)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop(process)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def run_lab(
    workbook_path: Path,
    folder: Path,
    *,
    port: int | None = None,
    open_browser: bool = True,
    echo: Callable[[str], object] = print,
) -> int:
    """Serve JupyterLab on ``folder`` with ``workbook_path`` until interrupted; returns its exit code."""
    port = checked_port(port, 8888)
    token = new_token()
    env = lab_environment(workbook_path, token)
    with private_folder("career-workbook-lab-") as run:
        return serve(
            lab_command(folder, port=port),
            env,
            port=port,
            token=token,
            url=lab_url(folder, port, token),
            what="JupyterLab",
            folder=run,
            open_browser=open_browser,
            echo=echo,
            announce="JupyterLab is at",
            why=lambda: "see its messages above",
        )
