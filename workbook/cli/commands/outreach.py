"""Outreach commands: due (follow-ups and thank-yous), calendar (.ics file)."""

from __future__ import annotations

import click

from ...outreach import cadence
from ...outreach import calendar as calendar_ics
from ...textsafety import terminal
from ..main import cli, echo, open_for_command, workbook_option


def _on(value: str | None):
    return cadence.parse_day(value, "--on") if value is not None else None


@cli.command()
@workbook_option
@click.option("--on", "on", metavar="DATE", default=None, help="The day to check, YYYY-MM-DD (default: today).")
def due(workbook_path: str | None, on: str | None) -> None:
    """List the follow-ups, second contacts and thank-yous due on a day.

    Follows the 3B7 routine: no reply after 3 business days, ask a second
    person at the same organisation; after 7, follow up with the first.
    A thank-you is due within 24 hours of a conversation (change it in notebook 08).

    Example:

        career-workbook due

        career-workbook due --on 2026-03-16 --workbook ~/career/2027.sqlite
    """
    day = _on(on)
    wb = open_for_command(workbook_path, create=False)
    try:
        actions = cadence.due_list(wb, day)
    finally:
        wb.close()
    label = day.isoformat() if day else "today"
    if actions.empty:
        echo(f"Nothing due {'on ' + label if day else 'today'}: no follow-ups or thank-yous waiting.")
        return
    echo(f"Due {'on ' + label if day else 'today'} ({len(actions)}):")
    for act in actions.itertuples(index=False):
        late = " (overdue)" if act.overdue else ""
        who, option = terminal(act.contact), terminal(act.option)  # one record stays one line
        echo(f"- {act.due_on.isoformat()}{late} [{cadence.KINDS[act.kind]}] {who} — {option}")
        echo(f"  {terminal(act.what)}")


@cli.command()
@workbook_option
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="The .ics file to write."
)
@click.option("--on", "on", metavar="DATE", default=None, help="Day the reminders are worked out for (default: today).")
def calendar(workbook_path: str | None, output: str, on: str | None) -> None:
    """Write an .ics calendar of scheduled conversations and due follow-ups.

    Scheduled conversations become events with their duration; follow-ups,
    second contacts and thank-yous become all-day reminders on the day they
    fall due. Import the file again after changes: the same events are updated.

    Example:

        career-workbook calendar -o interviews.ics
    """
    day = _on(on)
    wb = open_for_command(workbook_path, create=False)
    try:
        summary = calendar_ics.write_calendar(wb, output, day)
    finally:
        wb.close()
    echo(str(summary))
