"""Contact commands: import-linkedin."""

from __future__ import annotations

import click

from ...people import linkedin
from ...textsafety import terminal
from ..main import cli, echo, open_for_command, workbook_option


@cli.command("import-linkedin")
@click.argument("file", type=click.Path(dir_okay=False))
@workbook_option
@click.option("--dry-run", is_flag=True, help="Only say what would be imported; write nothing.")
@click.option(
    "--max-size",
    "max_size",
    type=click.IntRange(min=1),
    default=linkedin.MAX_BYTES // (1024 * 1024),
    show_default=True,
    metavar="MB",
    help="Refuse an export larger than this (uncompressed), in MB.",
)
@click.option(
    "--max-rows",
    "max_rows",
    type=click.IntRange(min=1),
    default=linkedin.MAX_ROWS,
    show_default=True,
    metavar="N",
    help="Refuse an export with more connections than this.",
)
def import_linkedin(file: str, workbook_path: str | None, dry_run: bool, max_size: int, max_rows: int) -> None:
    """Import your LinkedIn connections (Connections.csv from LinkedIn's data export).

    FILE is Connections.csv, or the whole export .zip. Connections already in
    the workbook (same profile URL, else same name and company) are left
    alone, so importing the same file twice adds nothing. A file that is not a
    LinkedIn export is refused and nothing is written.

    Example:

        career-workbook import-linkedin ~/Downloads/Connections.csv --dry-run

        career-workbook import-linkedin ~/Downloads/Connections.csv
    """
    with open_for_command(workbook_path, create=not dry_run) as wb:
        plan = linkedin.import_connections(
            wb, file, dry_run=dry_run, max_bytes=max_size * 1024 * 1024, max_rows=max_rows
        )
    echo(f"new: {plan.new}")
    echo(f"duplicates: {plan.duplicates}")
    echo(f"skipped: {plan.skipped}")
    for row in plan.preview[plan.preview["outcome"] == "skipped"].itertuples(index=False):  # say why
        echo(f"  line {row.line}: {terminal(row.why)}")
    if dry_run:
        echo(f"Dry run: nothing written; {plan.new} contacts would be imported.")
    else:
        echo(f"Imported {len(plan.ids)} contacts.")
