"""Core commands: lab, demo, info."""

from __future__ import annotations

import sys

import click

from ... import demo as _demo
from .. import launch as _launch
from ..main import cli, echo, open_for_command, workbook_option


@cli.command()
@workbook_option
@click.option("--port", type=int, default=None, help="Port for JupyterLab (default: the first free one from 8888).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser window.")
@click.option(
    "--notebooks",
    "notebooks_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for your copy of the guided notebooks (default: in your user data folder).",
)
@click.option(
    "--ip",
    default=_launch.HOST,
    show_default=True,
    help="Address to listen on: this computer only (127.0.0.1, localhost or ::1).",
)
def lab(workbook_path: str | None, port: int | None, no_browser: bool, notebooks_dir: str | None, ip: str) -> None:
    """Open the guided notebooks in JupyterLab on your workbook.

    The workbook is created if it does not exist yet. When the package is
    installed (not run from a source checkout) the notebooks are copied to a
    folder of yours first; notebooks you have already edited are not replaced.

    JupyterLab listens on 127.0.0.1 only and asks for a fresh token; these
    settings are given on its command line, so a Jupyter configuration file
    cannot open it to the network. The token itself is never on a command
    line: the address printed once JupyterLab answers includes it. To share
    with several people, use JupyterHub (see deploy/).

    Example:

        career-workbook lab

        career-workbook lab --workbook ~/career/2027.sqlite
    """
    if ip.strip().strip("[]") not in _launch.LOOPBACK:
        raise click.ClickException(
            f"career-workbook lab listens on this computer only (127.0.0.1), not on {ip}: a workbook holds "
            "private notes. To share with several people, run JupyterHub (see deploy/)."
        )
    for config, address in _launch.configured_elsewhere():
        echo(
            f"Note: {config} asks Jupyter to listen on {address}; career-workbook lab ignores that and "
            "listens on 127.0.0.1 only, with a token.",
            err=True,
        )
    wb = open_for_command(workbook_path)
    path = wb.path
    echo(wb.describe(), err=True)
    wb.close()
    notices: list[str] = []
    folder, copied = _launch.prepare_notebooks(notebooks_dir, notices=notices)
    if copied:
        echo(f"Copied or updated {len(copied)} guided notebooks in {folder}", err=True)
    for notice in notices:
        echo(notice, err=True)
    echo(f"Opening JupyterLab on {folder}", err=True)
    echo("JupyterLab listens on 127.0.0.1 only, with a token (the address printed below includes it).", err=True)
    sys.exit(_launch.run_lab(path, folder, port=port, open_browser=not no_browser, echo=echo))


@cli.command()
@click.option(
    "--workbook",
    "workbook_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the demo workbook (default: demo.sqlite in your user data folder).",
)
@click.option("--force", is_flag=True, help="Replace the file even if it already holds a workbook with data.")
def demo(workbook_path: str | None, force: bool) -> None:
    """Write a workbook filled with a fictional career changer's example.

    By default it goes to demo.sqlite in your user data folder
    ($CAREER_WORKBOOK_HOME if set), the file the demo switch in 00_start_here
    opens. It is rebuilt each time and never replaces your own workbook,
    wherever CAREER_WORKBOOK puts that. The command prints where it is: open
    the notebooks on it with CAREER_WORKBOOK=<that file> career-workbook lab,
    or build its report with career-workbook report --demo.

    Example:

        career-workbook demo

        career-workbook demo --workbook /tmp/example.sqlite --force
    """
    wb = _demo.build_demo(workbook_path, overwrite=force)
    echo(f"Demo workbook written: {wb.path}")
    echo(wb.describe())
    wb.close()


@cli.command()
@workbook_option
def info(workbook_path: str | None) -> None:
    """Show which workbook file is in use, its schema version and how many rows each table has.

    Example:

        career-workbook info --workbook ~/career/2027.sqlite
    """
    wb = open_for_command(workbook_path, create=False, quiet=True)
    echo(f"Workbook: {wb.path}")
    echo(f"Schema version: {wb.schema_version}")
    for table, count in wb.counts().items():
        echo(f"{table}: {count}")
    wb.close()
