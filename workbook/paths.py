"""Where a workbook lives when nobody says.

Order: an explicit path, then ``$CAREER_WORKBOOK``, then ``workbook.sqlite`` in
the per-user data folder (for example ``~/.local/share/career-workbook`` on
Linux). The default is never inside the source checkout, so a re-clone or
``git clean`` cannot destroy anyone's notes.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_VAR = "CAREER_WORKBOOK"
#: Overrides the per-user data folder (used by the tests, so they never touch yours).
DATA_ENV_VAR = "CAREER_WORKBOOK_HOME"
#: The folder a person shares with their coach (set by the career centre's hub, see deploy/jupyterhub).
SHARED_ENV_VAR = "CAREER_WORKBOOK_SHARED"
APP_NAME = "career-workbook"


def user_data_dir() -> Path:
    """The per-user folder for workbooks, notebooks and backups (``$CAREER_WORKBOOK_HOME`` overrides it)."""
    env = os.environ.get(DATA_ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_workbook_path() -> Path:
    """``$CAREER_WORKBOOK`` if set, else ``workbook.sqlite`` in :func:`user_data_dir`."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    return user_data_dir() / "workbook.sqlite"


def default_demo_path() -> Path:
    """Where ``career-workbook demo`` writes the fictional example by default."""
    return user_data_dir() / "demo.sqlite"


def shared_dir() -> Path | None:
    """The folder shared with a coach (``$CAREER_WORKBOOK_SHARED``), or None outside a career centre's hub."""
    env = os.environ.get(SHARED_ENV_VAR, "").strip()
    return Path(env).expanduser() if env else None


def resolve(path: str | os.PathLike | None) -> Path:
    """The workbook file to use for ``path`` (``None`` means the default)."""
    if path is None or str(path).strip() == "":
        return default_workbook_path()
    return Path(path).expanduser()


def package_root() -> Path:
    return Path(__file__).resolve().parent


def in_checkout() -> bool:
    """True when the package runs from a source checkout (editable install), not from a wheel."""
    root = package_root().parent
    return (root / "pyproject.toml").exists() and (root / "notebooks").is_dir()


def _shipped(name: str) -> Path:
    """A folder shipped with the project: from a source checkout, or inside an installed wheel."""
    if in_checkout():
        return package_root().parent / name
    return package_root() / "_shipped" / name


def data_dir() -> Path:
    """The shipped content: question bank, message templates, default criteria, demo data."""
    return _shipped("data")


def notebooks_dir() -> Path:
    """The guided notebooks as shipped."""
    return _shipped("notebooks")
