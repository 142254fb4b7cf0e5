"""Sharing and safekeeping commands: report, export, backup, restore.

The report (matplotlib, Jinja2) and the export (pandas) are imported by their
commands, so ``backup`` and ``restore`` start without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ...paths import resolve
from ...store import backup as _backup
from ...textsafety import terminal_lines
from ..main import cli, command_imports, echo, open_for_command, workbook_option

if TYPE_CHECKING:
    from ...store.workbook import Workbook


@cli.command()
@workbook_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="HTML file to write (default: reports/<workbook>-report-<date>.html next to the workbook).",
)
@click.option(
    "--names", is_flag=True, help="Show contacts' names. Without it they appear only as role and organisation."
)
@click.option(
    "--demo", is_flag=True, help="The report of the demo workbook (the fictional example), built first if missing."
)
def report(workbook_path: str | None, output: str | None, names: bool, demo: bool) -> None:
    """Write the shareable HTML report: which path the evidence supports and how sure.

    One self-contained file (no scripts, nothing loaded from the internet) to
    send to a mentor, coach or partner. Contacts appear as role and
    organisation unless you add --names.

    Example:

        career-workbook report

        career-workbook report -o ~/Desktop/career.html --names

        career-workbook report --demo
    """
    if demo and workbook_path is not None:
        raise click.UsageError("--demo and --workbook name two workbooks: give one of them")
    from ...charts import without_set_docs

    with command_imports(without_set_docs, one_maths_thread=True):
        from ...report import build as _report
    wb: Workbook
    if demo:
        from ... import demo as _demo

        wb = _demo.open_demo()
        echo(f"Using the demo workbook (fictional example): {wb.path}", err=True)
    else:
        wb = open_for_command(workbook_path, create=False)
    with wb:
        path = _report.write_report(wb, output, names=names)
    size = path.stat().st_size / 1024
    privacy = "with contacts' names" if names else "contacts shown as role and organisation, no names"
    echo(f"Report written: {path} ({size:.0f} KB, {privacy})")


@cli.command()
@workbook_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(),
    help="A folder (one CSV file per table) or a file ending in .xlsx (one sheet per table).",
)
@click.option(
    "--raw", is_flag=True, help="CSV: keep cells exactly as stored, even those a spreadsheet could run as a formula."
)
def export(workbook_path: str | None, output: str, raw: bool) -> None:
    """Export every table: a folder of CSV files, or one Excel workbook.

    The format follows the name: a name ending in .xlsx gives an Excel file,
    a folder name gives CSV files. The export holds everything, names and
    private notes included: keep it to yourself.

    In CSV files, a cell beginning with =, +, -, @, a tab or a carriage
    return gets a leading ' so a spreadsheet shows it as text instead of
    running it as a formula (imported LinkedIn fields are written by other
    people). --raw keeps the exact text.

    Example:

        career-workbook export -o ~/career-export

        career-workbook export -o ~/career.xlsx
    """
    from ...store import export as _export

    wb = open_for_command(workbook_path, create=False)
    with wb:
        result = _export.export_workbook(wb, output, raw=raw)
    echo(f"Exported {sum(result.rows.values())} rows ({result.format}) to {result.path}")
    for table, rows in result.rows.items():
        echo(f"  {table}: {rows}")


@cli.command()
@workbook_option
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    default=None,
    help="Backup file or folder (default: a timestamped file in backups/ next to the workbook).",
)
def backup(workbook_path: str | None, output: str | None) -> None:
    """Save a consistent copy of the workbook, safe while a notebook is writing.

    Example:

        career-workbook backup

        career-workbook backup -o ~/Dropbox/career-backup.sqlite
    """
    wb = open_for_command(workbook_path, create=False)
    with wb:
        path = _backup.backup_workbook(wb, output)
    echo(f"Backup written: {path}")


@cli.command()
@workbook_option
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(workbook_path: str | None, file: str, yes: bool) -> None:
    """Replace the workbook with a backup FILE.

    The backup is checked first: a file that is not a Career Workbook is
    refused and nothing changes. What is replaced is saved to backups/ next
    to the workbook first, and the command says where.

    Example:

        career-workbook restore backups/workbook-2026-11-02_101500.sqlite
    """
    target = resolve(workbook_path)
    incoming = _backup.check_backup(file)
    if not yes:
        what = ", ".join(f"{n} {t}" for t, n in incoming.items())
        echo(f"Backup {file} holds {what}.")
        click.confirm(
            terminal_lines(f"Replace the workbook {target} with it? (a copy of the current one is kept)"),
            abort=True,
            err=True,
        )
    result = _backup.restore_workbook(file, target)
    if result.replaced_backup is not None:
        echo(f"The workbook it replaced was saved to {result.replaced_backup}")
    what = ", ".join(f"{n} {t}" for t, n in result.counts.items())
    echo(f"Restored {result.workbook} from {result.source}: {what}")
