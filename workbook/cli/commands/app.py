"""The ``app`` command: the guided steps as a no-code web app (Voilà)."""

from __future__ import annotations

import sys

import click

from .. import app as _app
from ..main import cli, echo, open_for_command, workbook_option


@cli.command()
@workbook_option
@click.option("--port", type=int, default=None, help="Port on 127.0.0.1 (default: the first free one from 8866).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser window; just print the address.")
def app(workbook_path: str | None, port: int | None, no_browser: bool) -> None:
    """Open the guided steps as a web app: forms and charts, no code.

    The same steps as the guided notebooks, on one page, served by Voilà on
    this computer only (127.0.0.1, with a secret token in the printed
    address). Switch to the fictional demo on the first step. Press Ctrl+C to
    stop.

    Example:

        career-workbook app

        career-workbook app --workbook ~/career/2027.sqlite --port 8870 --no-browser
    """
    wb = open_for_command(workbook_path)
    path = wb.path
    echo(wb.describe(), err=True)
    wb.close()
    sys.exit(_app.run_app(path, port=port, open_browser=not no_browser, echo=echo))
