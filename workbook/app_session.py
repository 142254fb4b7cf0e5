"""What the guided notebooks need to know when they run inside the no-code app (``career-workbook app``).

While the app runs, ``$CAREER_WORKBOOK_APP`` names a small file holding the
person's choice between their own workbook and the demo (the switch in
``00_start_here``); every step reads it when it opens its workbook. Outside
the app that variable is unset and the notebooks' ``use_demo`` setting decides.
The app itself (starting Voilà) is :mod:`workbook.cli.app`.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from . import files, paths

#: Names the file holding the own-workbook / demo choice; set only while the app runs.
STATE_ENV_VAR = "CAREER_WORKBOOK_APP"
#: Holds the token of a server started by ``career-workbook lab`` or ``app`` (in its environment, never on a
#: command line); the app's waiting kernels show it to Voilà when they ask whether a person has come.
TOKEN_ENV_VAR = "CAREER_WORKBOOK_TOKEN"
#: The first page the app opens.
FIRST_STEP = "00_start_here.ipynb"


def steps(folder: Path | None = None) -> list[Path]:
    """The guided notebooks, in the order of the method."""
    return sorted((folder or paths.notebooks_dir()).glob("[0-9][0-9]_*.ipynb"))


def step_title(notebook: Path | str) -> str:
    """``01_options_and_criteria.ipynb`` -> ``01 Options and criteria``."""
    number, _, rest = Path(notebook).stem.partition("_")
    return f"{number} {rest.replace('_', ' ').capitalize()}".strip()


def in_app() -> bool:
    return bool(os.environ.get(STATE_ENV_VAR, "").strip())


def _state_file() -> Path | None:
    value = os.environ.get(STATE_ENV_VAR, "").strip()
    return Path(value) if value else None


def demo_chosen() -> bool:
    """True when, in the app, the person switched to the demo workbook."""
    state = _state_file()
    try:
        return state is not None and state.read_text(encoding="utf-8").strip() == "demo"
    except OSError:
        return False


def choose_demo(demo: bool) -> None:
    """Record the app's choice between the person's own workbook and the demo."""
    state = _state_file()
    if state is None:
        raise RuntimeError(f"not running in the app (${STATE_ENV_VAR} is not set)")
    files.write_text(state, "demo\n" if demo else "own\n", field="choice")


def wait_for_visit() -> None:
    """In a kernel Voilà started ahead of time, wait until a person opens the page.

    Everything a step shows is read from the workbook after this, so a page is
    never older than the visit, even though its kernel and imports were ready
    before. The kernel asks Voilà's request-info websocket, presenting the
    app's token (the app's server refuses anyone without it); what it learns of
    the request is put in the environment, as Voilà's own helper does.
    """
    if os.environ.get("VOILA_PREHEAT") != "True":
        return
    import json
    import warnings

    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    host = os.environ.get("VOILA_APP_IP") or "127.0.0.1"
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_SERVER_URL", "/")
    url = f"ws://{host}:{port}{base}voila/query/{os.environ.get('VOILA_KERNEL_ID', '')}"
    token = os.environ.get(TOKEN_ENV_VAR, "")
    try:
        with connect(url, additional_headers={"Authorization": f"token {token}"}, open_timeout=10) as socket:
            info = json.loads(socket.recv())
    except (OSError, WebSocketException, ValueError) as exc:
        warnings.warn(f"could not wait for the visit ({exc}); this page shows the workbook as it was", stacklevel=2)
        return
    for key, value in info.items():
        os.environ[str(key)] = str(value)


def step_links(folder: Path | None = None) -> str:
    """HTML of a link bar to every step (relative links: Voilà serves them next to each other)."""
    links = " · ".join(f'<a href="{html.escape(nb.name)}">{html.escape(step_title(nb))}</a>' for nb in steps(folder))
    return f'<nav class="cw-steps" aria-label="Steps"><b>Steps:</b> {links}</nav>'
