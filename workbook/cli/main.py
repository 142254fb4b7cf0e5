"""The ``career-workbook`` command line: thin wrappers over the package.

Each command lives in a module of :mod:`workbook.cli.commands` and registers
itself on :data:`cli`; :data:`COMMANDS` says which module holds which command,
so a command imports only its own module (and that module what it uses when it
runs): ``info`` or ``due`` start without pandas, matplotlib or Jinja2. Library
errors become one clear line and exit code 1.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from .. import parallel
from ..errors import WorkbookError
from ..store.integrity import explain
from ..store.workbook import Workbook, open_workbook
from ..textsafety import terminal_lines

#: Every command and the module of :mod:`workbook.cli.commands` that defines it.
COMMANDS: dict[str, str] = {
    "app": "app",
    "backup": "share",
    "calendar": "outreach",
    "demo": "core",
    "due": "outreach",
    "export": "share",
    "import-contacts": "contacts",
    "import-linkedin": "contacts",
    "info": "core",
    "lab": "core",
    "report": "share",
    "restore": "share",
}


class _Group(click.Group):
    """A group whose commands are imported when they are first needed (see :data:`COMMANDS`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"{__package__}.commands.{COMMANDS[cmd_name]}")  # registers it on cli
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (WorkbookError, ValueError, OSError) as exc:
            raise click.ClickException(terminal_lines(str(exc) or exc.__class__.__name__)) from None
        except sqlite3.Error as exc:  # malformed, read-only, locked too long: one line that says what to do
            raise click.ClickException(terminal_lines(explain(exc))) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="career-workbook")
def cli() -> None:
    """Career Workbook: weigh career paths with evidence from informational interviews.

    Every command takes --workbook PATH; without it the workbook is
    $CAREER_WORKBOOK, else workbook.sqlite in your user data folder.

    Example:

        career-workbook demo

        career-workbook lab
    """


def workbook_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--workbook PATH`` to a command."""
    return click.option(
        "--workbook",
        "workbook_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="Workbook file to use (default: $CAREER_WORKBOOK, else the per-user workbook).",
    )(func)


def echo(message: object = "", *, err: bool = False) -> None:
    """Print a line that may hold user text: escape sequences and control characters are taken out."""
    click.echo(terminal_lines(message), err=err)


def open_for_command(path: str | None, *, create: bool = True, quiet: bool = False) -> Workbook:
    """Open the workbook a command works on and say which file it is (on stderr)."""
    wb = open_workbook(path, create=create)
    if not quiet:
        echo(f"Using workbook: {wb.path}", err=True)
    return wb


#: True in a process that runs one command and ends (the ``career-workbook`` program, see :func:`main`);
#: False when a test or another program calls the commands.
_ONE_COMMAND = False


#: What numpy's linear algebra libraries (OpenBLAS, MKL, OpenMP) read for how many threads to start.
MATHS_THREADS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


@contextlib.contextmanager
def command_imports(
    *lean: Callable[[], contextlib.AbstractContextManager[Any]], one_maths_thread: bool = False
) -> Iterator[None]:
    """The block in which a command imports the libraries it needs (pandas, matplotlib, ...).

    In the ``career-workbook`` process, what is imported lives until the process ends:
    the cycle collector is off while importing (it would walk the new objects again and
    again, finding nothing to free), each of ``lean`` (context managers that make an
    import cheaper for a process that ends after one command, such as
    :func:`workbook.charts.without_set_docs`) is entered, and at the end what was imported
    is frozen (:func:`gc.freeze`), so later collections no longer look at it (about 0.1 s
    of a report). ``one_maths_thread``: numpy's linear algebra runs on one thread unless
    the environment says otherwise (:data:`MATHS_THREADS`); a thread per core, started when
    numpy is imported, costs a report about 0.1 s of CPU, and its small products gain
    nothing from them (the same figures, to the last digit). Elsewhere (tests, a notebook)
    the block does nothing: their garbage must stay collectable and their libraries whole.
    """
    if not _ONE_COMMAND:
        yield
        return
    if one_maths_thread and "numpy" not in sys.modules:
        for name in MATHS_THREADS:
            os.environ.setdefault(name, "1")
    gc.disable()
    try:
        with contextlib.ExitStack() as stack:
            for block in lean:
                stack.enter_context(block())
            yield
    finally:
        gc.enable()
        gc.freeze()


def main() -> None:
    """The ``career-workbook`` program: run one command, then end.

    Ending, Python would run the cycle collector over every object once more before
    freeing them (about 0.1 s after a report); frozen first, they are freed without it.
    """
    global _ONE_COMMAND
    _ONE_COMMAND = True
    parallel.allow_forking()  # one command, then the end: the report may draw charts in a second process
    try:
        cli(prog_name="career-workbook")
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()
