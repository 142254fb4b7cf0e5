"""Each contact remembers every source it came from (schema 4: the contact_sources table)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from workbook import NotFoundError, ValidationError, open_workbook
from workbook.store.backup import backup_workbook, restore_workbook

V1 = Path(__file__).parent / "data" / "workbook_v1.sqlite"


def sources(wb, contact_id):
    return wb.contact_sources(contact_id)["source"].tolist()


def test_a_new_contact_remembers_where_it_came_from(wb):
    typed = wb.add_contact("Rosa Marquez", "Acme")
    imported = wb.add_many("contacts", [{"name": "Kofi Mensah", "source": "linkedin"}])[0]
    assert sources(wb, typed) == ["manual"]
    assert sources(wb, imported) == ["linkedin"]


def test_a_second_source_is_added_once(wb):
    cid = wb.add_contact("Rosa Marquez", source="linkedin")
    assert wb.add_contact_source(cid, "vcard") is True
    assert wb.add_contact_source(cid, "vcard") is False
    assert sorted(sources(wb, cid)) == ["linkedin", "vcard"]
    assert len(wb.contact_sources()) == 2


def test_a_source_for_nobody_or_of_nothing_is_refused(wb):
    cid = wb.add_contact("Rosa Marquez")
    with pytest.raises(NotFoundError):
        wb.add_contact_source(cid + 1, "vcard")
    with pytest.raises(ValidationError) as err:
        wb.add_contact_source(cid, "  ")
    assert err.value.field == "source"
    assert sources(wb, cid) == ["manual"]


def test_an_older_workbook_gives_each_contact_its_source(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy2(V1, path)
    with open_workbook(path) as wb:
        table = wb.contact_sources()
        assert table["source"].tolist() == ["manual"]
        assert int(table.loc[0, "contact_id"]) == int(wb.contacts().loc[0, "id"])
        assert str(table.loc[0, "created_at"].date()) == "2025-05-01"  # when the contact was created
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 4


def test_sources_survive_a_backup_and_restore(wb, tmp_path):
    cid = wb.add_contact("Rosa Marquez", source="linkedin")
    wb.add_contact_source(cid, "google")
    copy = backup_workbook(wb, tmp_path / "copy.sqlite")
    restore_workbook(copy, tmp_path / "restored.sqlite")
    with open_workbook(tmp_path / "restored.sqlite") as back:
        assert sorted(back.contact_sources()["source"]) == ["google", "linkedin"]
