"""Exports: a folder of CSV files or one .xlsx file, every table, every row, text as typed."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from workbook.cli.main import cli
from workbook.errors import ValidationError
from workbook.store.export import export_format, export_workbook
from workbook.store.schema import TABLES

TRICKY = ['=HYPERLINK("http://evil.example","click")', "Emoji 🎉 and عربى", 'line one\nline two, "quoted"']


@pytest.fixture
def rich(filled, filled_ids):
    """The small workbook plus tricky text, an archived row and a setting."""
    filled.add_option(TRICKY[0], TRICKY[1], questions=TRICKY[2])
    gone = filled.add_criterion("Commute", 1)
    filled.archive("criteria", gone)
    filled.add_insight(filled_ids.o2, filled_ids.c2, -1, note=TRICKY[2])
    filled.set_setting("demo", {"note": TRICKY[1]})
    return filled


def expected_rows(wb) -> dict[str, int]:
    return {t: len(wb.table(t, include_archived=True)) for t in TABLES}


def test_csv_folder_has_every_table_and_row(rich, tmp_path):
    result = export_workbook(rich, tmp_path / "export")
    assert result.format == "csv"
    assert result.rows == expected_rows(rich)
    assert sorted(p.name for p in (tmp_path / "export").iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    for table, n in result.rows.items():
        frame = pd.read_csv(tmp_path / "export" / f"{table}.csv", keep_default_na=False)
        assert len(frame) == n, table
    options = pd.read_csv(tmp_path / "export" / "options.csv", keep_default_na=False)
    assert list(options["title"]) == ["UX research", "Data engineering", "'" + TRICKY[0]]
    assert options["questions"].iloc[2] == TRICKY[2]
    assert options["description"].iloc[2] == TRICKY[1]
    criteria = pd.read_csv(tmp_path / "export" / "criteria.csv")
    assert criteria.set_index("name").loc["Commute", "archived"]


def test_xlsx_has_one_sheet_per_table_with_every_row(rich, tmp_path):
    target = tmp_path / "career.xlsx"
    result = export_workbook(rich, target)
    assert result.format == "xlsx" and result.path == target.resolve()
    sheets = pd.read_excel(target, sheet_name=None, keep_default_na=False)
    assert list(sheets) == list(TABLES)
    for table, n in expected_rows(rich).items():
        assert len(sheets[table]) == n, table
    assert list(sheets["options"]["title"]) == ["UX research", "Data engineering", TRICKY[0]]
    assert sheets["insights"]["note"].iloc[-1] == TRICKY[2]
    done = sheets["conversations"]["done_on"].iloc[0]
    assert pd.Timestamp(done) == pd.Timestamp("2026-10-01")


def test_xlsx_keeps_formula_like_text_as_text(rich, tmp_path):
    target = tmp_path / "career.xlsx"
    export_workbook(rich, target)
    sheet = openpyxl.load_workbook(target)["options"]
    cell = next(c for c in sheet["B"] if c.value == TRICKY[0])
    assert cell.data_type == "s", "text starting with = must not become a formula"


def test_xlsx_drops_only_characters_excel_cannot_hold(wb, tmp_path):
    wb.add_option("Bell\x07 and tab\tstay")
    export_workbook(wb, tmp_path / "x.xlsx")
    frame = pd.read_excel(tmp_path / "x.xlsx", sheet_name="options")
    assert frame["title"].tolist() == ["Bell and tab\tstay"]


def test_empty_workbook_exports_headers(wb, tmp_path):
    export_workbook(wb, tmp_path / "e.xlsx")
    export_workbook(wb, tmp_path / "e")
    assert pd.read_excel(tmp_path / "e.xlsx", sheet_name="options").empty
    frame = pd.read_csv(tmp_path / "e" / "contacts.csv")
    assert frame.empty and "name" in frame.columns


@pytest.mark.parametrize("name,fmt", [("out", "csv"), ("out.xlsx", "xlsx"), ("OUT.XLSX", "xlsx")])
def test_format_follows_the_name(tmp_path, name, fmt):
    assert export_format(tmp_path / name) == fmt


def test_existing_folder_with_a_dot_is_csv(tmp_path):
    (tmp_path / "career.2026").mkdir()
    assert export_format(tmp_path / "career.2026") == "csv"


@pytest.mark.parametrize("name", ["out.csv", "out.xls", "out.json"])
def test_other_suffixes_are_refused_with_a_clear_message(wb, tmp_path, name):
    with pytest.raises(ValidationError) as err:
        export_workbook(wb, tmp_path / name)
    assert err.value.field == "output" and ".xlsx" in err.value.reason
    assert not (tmp_path / name).exists()


def test_cli_export_csv_and_xlsx(rich, tmp_path):
    runner = CliRunner()
    for target in (tmp_path / "folder", tmp_path / "book.xlsx"):
        result = runner.invoke(cli, ["export", "-o", str(target), "--workbook", str(rich.path)])
        assert result.exit_code == 0, result.output
        assert str(target.resolve()) in result.output
        assert "insights: 2" in result.output
    assert (tmp_path / "folder" / "insights.csv").exists() and (tmp_path / "book.xlsx").exists()


def test_cli_export_bad_suffix(rich, tmp_path):
    result = CliRunner().invoke(cli, ["export", "-o", str(tmp_path / "x.csv"), "--workbook", str(rich.path)])
    assert result.exit_code == 1
    assert "Error: output:" in result.output and ".xlsx" in result.output


HOSTILE = {
    "name": "@SUM(A1) Jones",
    "organization": "-2+3+cmd|' /C calc'!A0",
    "role": "=1+1",
    "notes": "+44 20 7946 0000",
    "email": "\tx@example.com",
    "profile_url": "\rhttps://x.example",
}


def test_csv_neutralises_cells_a_spreadsheet_would_run(wb, tmp_path):
    wb.add_contact(**HOSTILE)
    wb.add_contact("Safe Person", "Acme", "Nurse")
    export_workbook(wb, tmp_path / "export")
    contacts = pd.read_csv(tmp_path / "export" / "contacts.csv", keep_default_na=False, dtype=str)
    row = contacts.iloc[0]
    for column, text in HOSTILE.items():
        assert row[column] == "'" + text, column
    assert contacts.iloc[1][["name", "organization", "role"]].tolist() == ["Safe Person", "Acme", "Nurse"]
    insights = pd.read_csv(tmp_path / "export" / "contacts.csv", keep_default_na=False)
    assert (insights["strength"] == 3).all(), "numbers are not touched"


def test_csv_raw_keeps_the_exact_text(wb, tmp_path):
    wb.add_contact(**HOSTILE)
    o, c = wb.add_option("X"), wb.add_criterion("Pay")
    wb.add_insight(o, c, -2, note="fine")
    export_workbook(wb, tmp_path / "export", raw=True)
    contacts = pd.read_csv(tmp_path / "export" / "contacts.csv", keep_default_na=False, dtype=str)
    for column, text in HOSTILE.items():
        assert contacts.iloc[0][column] == text, column
    insights = pd.read_csv(tmp_path / "export" / "insights.csv")
    assert insights["stance"].tolist() == [-2]


def test_cli_export_help_says_csv_cells_are_neutralised_and_raw_keeps_them(wb, tmp_path):
    runner = CliRunner()
    help_text = " ".join(runner.invoke(cli, ["export", "--help"]).output.split())
    assert "leading '" in help_text and "--raw" in help_text
    wb.add_contact("Mallory Jones", role="=1+1")
    for flags, expected in (([], "'=1+1"), (["--raw"], "=1+1")):
        out = tmp_path / f"export{len(flags)}"
        result = runner.invoke(cli, ["export", "-o", str(out), "--workbook", str(wb.path), *flags])
        assert result.exit_code == 0, result.output
        assert pd.read_csv(out / "contacts.csv", dtype=str).loc[0, "role"] == expected
