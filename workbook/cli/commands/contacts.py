"""Contact commands: import-contacts (any source) and import-linkedin."""

from __future__ import annotations

import click

from ...people import files, linkedin
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


@cli.command("import-contacts")
@click.argument("file", type=click.Path(dir_okay=False))
@workbook_option
@click.option("--dry-run", is_flag=True, help="Only show what would change; write nothing.")
@click.option(
    "--take",
    "take",
    multiple=True,
    metavar="LINE:FIELD",
    help="Use the file's value for a detail listed as differing (repeat for several), e.g. --take 12:role.",
)
@click.option(
    "--max-size",
    "max_size",
    type=click.IntRange(min=1),
    default=files.MAX_BYTES // (1024 * 1024),
    show_default=True,
    metavar="MB",
    help="Refuse a file larger than this (uncompressed), in MB.",
)
@click.option(
    "--max-rows",
    "max_rows",
    type=click.IntRange(min=1),
    default=files.MAX_ROWS,
    show_default=True,
    metavar="N",
    help="Refuse a file with more people than this.",
)
def import_contacts(
    file: str, workbook_path: str | None, dry_run: bool, take: tuple[str, ...], max_size: int, max_rows: int
) -> None:
    """Import contacts from LinkedIn, Google Contacts, Outlook or a vCard (.vcf) file.

    FILE is LinkedIn's Connections.csv (or its export .zip), a Google Contacts
    or Outlook CSV export, or a vCard file from a phone or address book; the
    kind is recognised from what is in it. Someone you already have (same
    email, or same name and organisation) is not added again: their empty
    fields are filled and the source is remembered. Details that differ are
    listed and left as they are unless you choose the file's with --take. A
    file that cannot be read is refused and nothing is written.

    Example:

        career-workbook import-contacts ~/Downloads/contacts.vcf --dry-run

        career-workbook import-contacts ~/Downloads/contacts.vcf --take 12:role
    """
    from ...people import contacts_import  # reads pandas: loaded when the command runs

    with open_for_command(workbook_path, create=not dry_run) as wb:
        plan = contacts_import.import_contacts(
            wb, file, take=take, dry_run=dry_run, max_bytes=max_size * 1024 * 1024, max_rows=max_rows
        )
    people = len(plan.file.people)
    echo(f"{plan.file.name}: {plan.file.describe()}, {people} {'person' if people == 1 else 'people'}")
    for label, count in (
        ("new", plan.new),
        ("updated", plan.updated),
        ("unchanged", plan.unchanged),
        ("listed twice", plan.merged),
        ("skipped", plan.skipped),
    ):
        echo(f"{label}: {count}")
    shown = ("new", "updated", "skipped") if dry_run else ("skipped",)
    for row in plan.preview[plan.preview["outcome"].isin(shown)].itertuples(index=False):
        what = (
            row.why if row.outcome == "skipped" else f"{row.outcome}: {row.name}" + (f" — {row.why}" if row.why else "")
        )
        echo(f"  line {row.line}: {terminal(what)}")
    if plan.conflicts:
        echo("Details that differ (the workbook keeps its own unless you import again with --take LINE:FIELD):")
        for c in plan.conflicts:
            used = "  [the file's value is used]" if c.use_file else ""
            echo(f"  --take {c.key}  {terminal(c.describe())}{used}")
    if dry_run:
        echo(f"Dry run: nothing written; {plan.new} new contacts, {plan.updated} updated.")
    else:
        echo(f"Imported {len(plan.ids)} new contacts; updated {plan.updated}.")
