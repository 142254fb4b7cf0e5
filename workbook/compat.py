"""Names that moved: the old name keeps working for a while, with a warning that says where it went.

A user's copies of the guided notebooks are never overwritten once edited, so a
name they import must not simply disappear. When a notebook-facing name
(:data:`workbook.notebook.NOTEBOOK_API`) has to move or be renamed, its old
module keeps it through :func:`moved`::

    # at the end of workbook/forms/old_module.py
    from ..compat import moved

    __getattr__ = moved(__name__, {"OldForm": ("workbook.forms.new_module", "NewForm", "0.2")})

Importing ``OldForm`` from the old module then returns the new object and shows
a ``FutureWarning`` (shown in notebooks) naming the new place and the release
it moved in; the notice lives in ARCHITECTURE.md until the old name is removed,
at the earliest two releases later.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

#: What a moved name's notice says.
NOTICE = "{old} moved to {new} in release {since}; the old name still works but will be removed: import {new}."


class MovedNameWarning(FutureWarning):
    """A notebook (or other code) used a name that has moved."""


def moved(module: str, names: Mapping[str, tuple[str, str, str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that serves ``names`` (old name -> (new module, new name, release))."""

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        target_module, target_name, since = names[name]
        old, new = f"{module}.{name}", f"{target_module}.{target_name}"
        warnings.warn(NOTICE.format(old=old, new=new, since=since), MovedNameWarning, stacklevel=2)
        return getattr(importlib.import_module(target_module), target_name)

    return __getattr__
