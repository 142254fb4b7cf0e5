"""What the guided notebooks need to know when they run inside the no-code app (``career-workbook app``).

The app is one page (:mod:`workbook.forms.app`) in one kernel: its steps are the
guided notebooks found in :func:`steps_folder`, each shown as a view of the page.
A step is named in the page's address by its *slug* (``?step=compare-paths``,
or any unambiguous part of it such as ``?step=compare`` or ``?step=06``).

The person's choice between their own workbook and the demo (the switch in
``00_start_here``) is kept in the file named by ``$CAREER_WORKBOOK_APP`` while
``career-workbook app`` runs, so it outlives a reload of the page; without that
variable (the app page served elsewhere, such as on JupyterHub) the page keeps it
for as long as it is open. Outside the app the notebooks' ``use_demo`` setting
decides. Starting Voilà is :mod:`workbook.cli.app`.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from urllib.parse import parse_qs

from . import files, paths

#: Names the file holding the own-workbook / demo choice; set only while ``career-workbook app`` runs.
STATE_ENV_VAR = "CAREER_WORKBOOK_APP"
#: Names the folder of the guided notebooks the app shows (default: the notebooks shipped with the package).
NOTEBOOKS_ENV_VAR = "CAREER_WORKBOOK_NOTEBOOKS"
#: Holds the token of a server started by ``career-workbook lab`` or ``app`` for the server (in its environment,
#: never on a command line); the server takes it out of its environment before it starts a kernel.
TOKEN_ENV_VAR = "CAREER_WORKBOOK_TOKEN"
#: The query parameter naming the step the app page shows.
STEP_PARAM = "step"

_STEP_FILE = re.compile(r"^(\d\d)_([A-Za-z0-9_]+)\.ipynb$")

#: The page open in this kernel (see :func:`enter_page`), and its demo choice when there is no choice file.
_page = {"open": False, "demo": False}


def steps_folder() -> Path:
    """The folder of the guided notebooks: ``$CAREER_WORKBOOK_NOTEBOOKS``, else the ones shipped."""
    value = os.environ.get(NOTEBOOKS_ENV_VAR, "").strip()
    return Path(value).expanduser() if value else paths.notebooks_dir()


def steps(folder: Path | None = None) -> list[Path]:
    """The guided notebooks, in the order of the method."""
    found = (folder or steps_folder()).glob("[0-9][0-9]_*.ipynb")
    return sorted(p for p in found if _STEP_FILE.match(p.name))


def step_title(notebook: Path | str) -> str:
    """``01_options_and_criteria.ipynb`` -> ``01 Options and criteria``."""
    number, _, rest = Path(notebook).stem.partition("_")
    return f"{number} {rest.replace('_', ' ').capitalize()}".strip()


def step_slug(notebook: Path | str, notebooks: list[Path] | None = None) -> str:
    """``06_compare_paths.ipynb`` -> ``compare-paths``: how the page's address names a step.

    Among ``notebooks``, a name two steps share is told apart by the number: ``06-notes``.
    """
    slug = _name_slug(notebook)
    shared = sum(_name_slug(nb) == slug for nb in notebooks or [])
    return f"{Path(notebook).name[:2]}-{slug}" if shared > 1 else slug


def _name_slug(notebook: Path | str) -> str:
    return Path(notebook).stem.partition("_")[2].replace("_", "-").lower()


def find_step(name: str, notebooks: list[Path]) -> Path | None:
    """The step ``name`` means, or None: a slug, the notebook's name, its number, or the start of a slug.

    ``compare-paths``, ``compare_paths``, ``06_compare_paths``, ``06_compare_paths.ipynb``,
    ``06``, ``6`` and ``compare`` all name ``06_compare_paths.ipynb``; a start shared by
    two steps names neither.
    """
    wanted = name.strip().lower().removesuffix(".ipynb").replace("_", "-")
    if not wanted:
        return None
    for nb in notebooks:
        number = nb.name[:2]
        if wanted in (step_slug(nb), f"{number}-{step_slug(nb)}", number):
            return nb
        if wanted.isdigit() and int(wanted) == int(number):
            return nb
    starting = [nb for nb in notebooks if step_slug(nb).startswith(wanted)]
    return starting[0] if len(starting) == 1 else None


def step_in_query(query: str, notebooks: list[Path]) -> Path | None:
    """The step a query string (``step=compare&token=…``) asks for, or None."""
    values = parse_qs(query).get(STEP_PARAM, [])
    return find_step(values[-1], notebooks) if values else None


def enter_page() -> None:
    """Called by the app page when it opens in this kernel: the demo switch becomes a switch."""
    _page["open"] = True


def in_app() -> bool:
    """True inside the app: ``career-workbook app`` runs, or the app page is open in this kernel."""
    return bool(os.environ.get(STATE_ENV_VAR, "").strip()) or _page["open"]


def _state_file() -> Path | None:
    value = os.environ.get(STATE_ENV_VAR, "").strip()
    return Path(value) if value else None


def demo_chosen() -> bool:
    """True when, in the app, the person switched to the demo workbook."""
    state = _state_file()
    if state is None:
        return _page["open"] and _page["demo"]
    try:
        return state.read_text(encoding="utf-8").strip() == "demo"
    except OSError:
        return False


def choose_demo(demo: bool) -> None:
    """Record the app's choice between the person's own workbook and the demo."""
    state = _state_file()
    if state is None:
        if not _page["open"]:
            raise RuntimeError(f"not running in the app (${STATE_ENV_VAR} is not set)")
        _page["demo"] = demo
        return
    files.write_text(state, "demo\n" if demo else "own\n", field="choice")


def page_open() -> bool:
    """True in the kernel of the app page (:func:`enter_page`): the page's step bar leads to every step."""
    return _page["open"]


def step_links(folder: Path | None = None) -> str:
    """HTML of a link bar to every step, for a guided notebook shown as a page of its own in Voilà.

    The app page has a step bar of its own; this bar is for Voilà serving the
    notebooks one page each, next to each other (relative links), while
    ``$CAREER_WORKBOOK_APP`` is set (the JupyterHub deployment's app mode did so
    before it served the app page).
    """
    links = " · ".join(f'<a href="{html.escape(nb.name)}">{html.escape(step_title(nb))}</a>' for nb in steps(folder))
    return f'<nav class="cw-steps" aria-label="Steps"><b>Steps:</b> {links}</nav>'
