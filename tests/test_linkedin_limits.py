"""LinkedIn imports are bounded: size and row limits checked while reading, zip bombs refused unopened."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile

import pytest
from click.testing import CliRunner

from workbook import open_workbook
from workbook.cli.main import cli
from workbook.errors import ValidationError
from workbook.people import linkedin as li

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def _rows(n: int) -> str:
    return HEADER + "".join(
        f"Ann{i},Lee,https://www.linkedin.com/in/ann{i},,Acme,Nurse,07 Dec 2025\n" for i in range(n)
    )


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """About 1 MB of zip holding 1 GiB of Connections.csv (built here, never committed)."""
    path = tmp_path_factory.mktemp("bomb") / "export.zip"
    chunk = b"\x00" * (1 << 20)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("Connections.csv", "w", force_zip64=True) as member,
    ):
        member.write(HEADER.encode())
        for _ in range(1024):
            member.write(chunk)
    return path


def test_a_zip_bomb_is_refused_by_its_declared_size_within_seconds_in_bounded_memory(zip_bomb):
    assert zip_bomb.stat().st_size < 2 * (1 << 20)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ValidationError, match=r"1\.0 GiB, over the limit of 50\.0 MiB") as err:
            li.read_export(zip_bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 5
    assert peak < 32 * (1 << 20), f"peak {peak / (1 << 20):.0f} MiB"
    assert err.value.field == "file" and "\n" not in str(err.value)


def test_a_zip_member_that_understates_its_size_still_stops_at_the_limit():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Connections.csv", _rows(20_000))
    data = bytearray(buffer.getvalue())
    central = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 100)  # claims 100 bytes uncompressed
    with pytest.raises(ValidationError) as err:
        li.read_export(bytes(data), max_bytes=10_000)
    assert err.value.field == "file"


def test_the_size_limit_is_checked_before_reading_a_plain_file(tmp_path):
    big = tmp_path / "Connections.csv"
    big.write_text(_rows(30_000))
    with pytest.raises(ValidationError, match="over the limit of 1.0 MiB"):
        li.read_export(big, max_bytes=1 << 20)
    assert len(li.read_export(big).rows) == 30_000, "the default limit leaves room for LinkedIn's 30,000"


def test_the_row_limit_is_checked_while_reading(tmp_path):
    with pytest.raises(ValidationError, match="more than 10 connections"):
        li.read_export(_rows(11).encode(), max_rows=10)
    assert len(li.read_export(_rows(10).encode(), max_rows=10).rows) == 10


def test_cli_limits_are_settable_and_nothing_is_written(tmp_path):
    book = tmp_path / "wb.sqlite"
    open_workbook(book).close()
    source = tmp_path / "Connections.csv"
    source.write_text(_rows(5))
    runner = CliRunner()
    result = runner.invoke(cli, ["import-linkedin", str(source), "--max-rows", "2", "--workbook", str(book)])
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert result.exit_code == 1 and len(errors) == 1 and "more than 2 connections" in errors[0]
    with open_workbook(book) as wb:
        assert wb.contacts().empty
    result = runner.invoke(cli, ["import-linkedin", "--help"])
    assert "--max-size" in result.output and "--max-rows" in result.output
    result = runner.invoke(cli, ["import-linkedin", str(source), "--max-rows", "5", "--workbook", str(book)])
    assert result.exit_code == 0 and "Imported 5 contacts" in result.output
