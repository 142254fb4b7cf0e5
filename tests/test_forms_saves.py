"""Saves from the forms lose nothing: a stale page cannot write over newer values, every failed save says
why in its status line, and every archived record can be brought back in its own form."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3

import pytest
from bs4 import BeautifulSoup

from workbook import open_workbook
from workbook.forms.capture import CaptureForm, EvidenceForm
from workbook.forms.compare import CompareForm
from workbook.forms.contacts import ContactsForm, TargetsForm
from workbook.forms.criteria import CriteriaForm
from workbook.forms.options import NEW, OptionsForm
from workbook.forms.outreach import DraftForm, RecordForm
from workbook.forms.settings import SettingsForm
from workbook.store.backup import backup_workbook, restore_workbook

TODAY = dt.date.today()


def state(path) -> dict:
    """Every row of every table, read by another connection."""
    with contextlib.closing(sqlite3.connect(path)) as raw:
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: raw.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}


def versions(panel) -> list[list[str]]:
    """The rows of the two versions a conflict panel shows: field, theirs, yours."""
    soup = BeautifulSoup(panel.versions.value, "html.parser")
    return [[td.get_text() for td in tr.find_all("td")] for tr in soup.find_all("tr") if tr.find("td")]


@pytest.fixture
def other(wb_path, wb):
    """The same workbook open in a second page (another notebook, or the app)."""
    book = open_workbook(wb_path)
    yield book
    book.close()


# ------------------------------------------------------------------ no lost update
def test_a_stale_option_page_does_not_overwrite_and_shows_both_versions(filled, filled_ids, other):
    o1 = filled_ids.o1
    mine, theirs = OptionsForm(filled), OptionsForm(other)
    mine.pick.value = theirs.pick.value = o1
    theirs.description.value = "Their newer description"
    theirs.save_button.click()
    assert theirs.status.kind == "ok"

    mine.title.value = "UX research (mine)"
    mine.description.value = "My older description"
    mine.save_button.click()
    assert mine.status.kind == "error"
    assert "changed elsewhere" in mine.status.text and "description" in mine.status.text
    assert mine.conflict.shown
    rows = versions(mine.conflict)
    assert ["description", "Their newer description", "My older description"] in rows
    assert ["title", "UX research", "UX research (mine)"] in rows  # what this page changed is shown too
    stored = filled.get("options", o1)
    assert (stored["title"], stored["description"]) == ("UX research", "Their newer description")

    mine.conflict.keep_theirs_button.click()
    assert not mine.conflict.shown and mine.status.kind == "ok"
    assert (mine.title.value, mine.description.value) == ("UX research", "Their newer description")
    mine.title.value = "UX research (mine)"
    mine.save_button.click()  # now based on their version: saved
    assert mine.status.kind == "ok", mine.status.text
    assert filled.get("options", o1)["description"] == "Their newer description"
    assert filled.get("options", o1)["title"] == "UX research (mine)"


def test_save_mine_writes_this_pages_values_over_theirs(filled, filled_ids, other):
    c1 = filled_ids.c1
    mine, theirs = CriteriaForm(filled), CriteriaForm(other)
    mine.pick.value = theirs.pick.value = c1
    theirs.weight.value = 5.0
    theirs.save_button.click()
    mine.description.value = "at least what I earn now"
    mine.save_button.click()
    assert mine.status.kind == "error" and versions(mine.conflict) == [
        ["weight", "5", "2"],
        ["description", "", "at least what I earn now"],
    ]
    assert filled.get("criteria", c1)["weight"] == 5.0
    mine.conflict.save_mine_button.click()
    assert mine.status.kind == "ok", mine.status.text
    row = filled.get("criteria", c1)
    assert (row["weight"], row["description"]) == (2.0, "at least what I earn now")
    assert not mine.conflict.shown


def test_one_page_saving_twice_is_not_a_conflict(filled, filled_ids):
    form = OptionsForm(filled)
    form.pick.value = filled_ids.o1
    for words in ("first edit", "second edit"):
        form.description.value = words
        form.save_button.click()
        assert form.status.kind == "ok", form.status.text
    assert filled.get("options", filled_ids.o1)["description"] == "second edit"


def test_a_contact_page_sees_insider_links_changed_elsewhere(filled, filled_ids, other):
    p1, o1, o2 = filled_ids.p1, filled_ids.o1, filled_ids.o2
    mine, theirs = ContactsForm(filled), ContactsForm(other)
    mine.pick.value = theirs.pick.value = p1
    theirs.insider_for.value = (o1, o2)
    theirs.save_button.click()
    assert theirs.status.kind == "ok"
    mine.role.value = "Lead UX Researcher"
    mine.save_button.click()
    assert mine.status.kind == "error" and "insider for" in mine.status.text
    assert ["insider for", "UX research, Data engineering", "UX research"] in versions(mine.conflict)
    assert filled.get("contacts", p1)["role"] == "UX Researcher"
    assert filled.insiders_of(p1) == (o1, o2)
    mine.conflict.keep_theirs_button.click()
    assert set(mine.insider_for.value) == {o1, o2}
    mine.role.value = "Lead UX Researcher"
    mine.save_button.click()
    assert mine.status.kind == "ok" and filled.insiders_of(p1) == (o1, o2)
    assert filled.get("contacts", p1)["role"] == "Lead UX Researcher"


@pytest.mark.parametrize("which", ["weights panel", "compare form"])
def test_stale_weight_sliders_do_not_overwrite(filled, filled_ids, other, which):
    c1, c2 = filled_ids.c1, filled_ids.c2

    def make(book):
        return CriteriaForm(book).weights if which == "weights panel" else CompareForm(book, draws=200)

    mine, theirs = make(filled), make(other)
    theirs.sliders[c1].value = 6.0
    theirs.save_button.click()
    assert theirs.status.kind == "ok"
    mine.sliders[c2].value = 4.0
    mine.save_button.click()
    assert mine.status.kind == "error" and "the weight of Pay" in mine.status.text
    assert ["the weight of Pay", "6", "2"] in versions(mine.conflict)
    assert filled.criteria().set_index("id")["weight"].to_dict() == {c1: 6.0, c2: 1.0}
    mine.conflict.save_mine_button.click()
    assert mine.status.kind == "ok", mine.status.text
    assert filled.criteria().set_index("id")["weight"].to_dict() == {c1: 2.0, c2: 4.0}
    mine.sliders[c2].value = 3.0
    mine.save_button.click()  # a second save from the same page
    assert mine.status.kind == "ok", mine.status.text


def test_stale_settings_do_not_overwrite(wb, other):
    mine, theirs = SettingsForm(wb), SettingsForm(other)
    theirs.fields["cadence_follow_up_days"].value = 9
    theirs.save_button.click()
    assert theirs.status.kind == "ok", theirs.status.text
    mine.fields["coverage_threshold"].value = 4
    mine.save_button.click()
    assert mine.status.kind == "error" and "Follow up once after" in mine.status.text
    assert ["Follow up once after (business days)", "9", "7"] in versions(mine.conflict)
    assert wb.setting("cadence_follow_up_days") == 9 and wb.setting("coverage_threshold") is None
    mine.conflict.keep_theirs_button.click()
    assert mine.fields["cadence_follow_up_days"].value == 9
    mine.fields["coverage_threshold"].value = 4
    mine.save_button.click()
    assert mine.status.kind == "ok"
    assert (wb.setting("cadence_follow_up_days"), wb.setting("coverage_threshold")) == (9, 4)


def test_a_step_recorded_on_a_stale_page_is_refused(filled, filled_ids, other):
    v = filled.add_conversation(filled_ids.p2, filled_ids.o2)
    mine, theirs = RecordForm(filled), RecordForm(other)
    for form in (mine, theirs):
        form.conversation.value = v
    theirs.step.value = "sent"
    theirs.on.value = TODAY
    theirs.save.click()
    assert theirs.status.kind == "ok"
    theirs.step.value = "scheduled"
    theirs.time.value = "15:30"
    theirs.save.click()
    assert theirs.status.kind == "ok", theirs.status.text
    mine.step.value = "declined"  # the page still says "planned"
    mine.save.click()
    assert mine.status.kind == "error" and "changed elsewhere" in mine.status.text
    assert versions(mine.conflict) == [["status", "scheduled", "declined"]]
    assert filled.get("conversations", v)["status"] == "scheduled"
    mine.conflict.keep_theirs_button.click()
    assert "scheduled" in dict((v_, k) for k, v_ in mine.conversation.options)[v].lower()


def test_capture_notes_changed_elsewhere_are_not_overwritten(filled, filled_ids, other):
    v = filled_ids.v1
    mine, theirs = CaptureForm(filled, today=TODAY), CaptureForm(other, today=TODAY)
    mine.conversation.value = theirs.conversation.value = v
    theirs.notes.value = "Their notes"
    theirs.mark_done.click()
    assert theirs.status.kind == "ok", theirs.status.text
    mine.notes.value = "My notes"
    mine.mark_done.click()
    assert mine.status.kind == "error" and ["notes", "Their notes", "My notes"] in versions(mine.conflict)
    assert filled.get("conversations", v)["notes"] == "Their notes"
    mine.conflict.save_mine_button.click()
    assert mine.status.kind == "ok", mine.status.text
    assert filled.get("conversations", v)["notes"] == "My notes"
    mine.debrief.value = "Learned a lot"
    mine.save_debrief.click()  # the same page saving again: no conflict
    assert mine.status.kind == "ok", mine.status.text


def test_targets_and_my_name_changed_elsewhere_are_not_overwritten(filled, other):
    mine, theirs = TargetsForm(filled), TargetsForm(other)
    theirs.organizations.value = "Acme Analytics"
    theirs.save_button.click()
    mine.roles.value = "UX Researcher"
    mine.save_button.click()
    assert mine.status.kind == "error" and ["organisations", "Acme Analytics", ""] in versions(mine.conflict)

    mine_d, theirs_d = DraftForm(filled), DraftForm(other)
    theirs_d.my_name.value = "Sam Lee"
    theirs_d.save_name.click()
    mine_d.my_name.value = "Sam"
    mine_d.save_name.click()
    assert mine_d.status.kind == "error" and filled.setting("my_name") == "Sam Lee"


def test_a_page_opened_before_a_restore_does_not_write_over_the_restored_record(filled, filled_ids, tmp_path):
    o1 = filled_ids.o1
    backup = backup_workbook(filled, tmp_path / "before.sqlite")
    filled.update_option(o1, description="after the backup")
    form = OptionsForm(filled)
    form.pick.value = o1
    restore_workbook(backup, filled.path)
    form.description.value = "typed on the old page"
    form.save_button.click()
    assert form.status.kind == "error" and "restoring a backup" in form.status.text
    assert ["description", "Study how people use products", "typed on the old page"] in versions(form.conflict)
    assert filled.get("options", o1)["description"] == "Study how people use products"


# ------------------------------------------------------------------ every failed save is shown
def _option_edit(wb, ids):
    form = OptionsForm(wb)
    form.pick.value = ids.o1
    form.title.value = "Changed"
    return form.save_button.click, form.status


def _option_add(wb, ids):
    form = OptionsForm(wb)
    form.title.value = "Teaching"
    return form.save_button.click, form.status


def _criterion_add(wb, ids):
    form = CriteriaForm(wb)
    form.name.value = "Hours"
    return form.save_button.click, form.status


def _suggestions(wb, ids):
    form = CriteriaForm(wb).suggestions
    form.pick.value = (form.pick.options[0][1],)
    return form.add_button.click, form.status


def _weights(wb, ids):
    form = CriteriaForm(wb).weights
    form.sliders[ids.c1].value = 7.0
    return form.save_button.click, form.status


def _compare(wb, ids):
    form = CompareForm(wb, draws=200)
    form.sliders[ids.c1].value = 7.0
    return form.save_button.click, form.status


def _contact_edit(wb, ids):
    form = ContactsForm(wb)
    form.pick.value = ids.p1
    form.insider_for.value = (ids.o1, ids.o2)
    form.role.value = "Lead"
    return form.save_button.click, form.status


def _contact_archive(wb, ids):
    form = ContactsForm(wb)
    form.pick.value = ids.p2
    return form.archive_button.click, form.status


def _targets(wb, ids):
    form = TargetsForm(wb)
    form.organizations.value = "Acme"
    return form.save_button.click, form.status


def _settings(wb, ids):
    form = SettingsForm(wb)
    form.fields["coverage_threshold"].value = 4
    return form.save_button.click, form.status


def _settings_reset(wb, ids):
    wb.set_setting("coverage_threshold", 5)
    form = SettingsForm(wb)
    return form.defaults_button.click, form.status


def _draft_name(wb, ids):
    form = DraftForm(wb)
    form.my_name.value = "Sam"
    return form.save_name.click, form.status


def _draft_create(wb, ids):
    form = DraftForm(wb)
    form.contact.value, form.option.value = ids.p2, ids.o2
    return form.create.click, form.status


def _record_step(wb, ids):
    v = wb.add_conversation(ids.p2, ids.o2)
    form = RecordForm(wb)
    form.conversation.value, form.step.value, form.on.value = v, "sent", TODAY
    return form.save.click, form.status


def _capture(action):
    def build(wb, ids):
        form = CaptureForm(wb, today=TODAY)
        form.conversation.value = ids.v1
        form.notes.value = form.debrief.value = "words"
        form.ref_name.value = "Ana"
        form.insight.stance.value = 1
        button = {
            "done": form.mark_done,
            "insight": form.insight.save,
            "referral": form.add_referral,
            "thanked": form.mark_thanked,
            "debrief": form.save_debrief,
        }[action]
        return button.click, form.status

    return build


def _evidence(wb, ids):
    form = EvidenceForm(wb)
    form.insight.stance.value = -1
    return form.insight.save.click, form.status


SAVES = {
    "options: add": _option_add,
    "options: edit": _option_edit,
    "criteria: add": _criterion_add,
    "criteria: suggestions": _suggestions,
    "criteria: weights": _weights,
    "compare: weights": _compare,
    "contacts: edit": _contact_edit,
    "contacts: archive": _contact_archive,
    "contacts: targets": _targets,
    "settings: save": _settings,
    "settings: back to defaults": _settings_reset,
    "outreach: my name": _draft_name,
    "outreach: new conversation": _draft_create,
    "outreach: record a step": _record_step,
    "capture: done": _capture("done"),
    "capture: insight": _capture("insight"),
    "capture: referral": _capture("referral"),
    "capture: thank-you": _capture("thanked"),
    "capture: debrief": _capture("debrief"),
    "evidence: insight": _evidence,
}


@pytest.fixture
def lock(wb_path):
    """Another program holding the workbook's write lock (our side waits 0.1 s, not 30 s)."""
    held = []

    def hold(book):
        book.conn.execute("PRAGMA busy_timeout = 100")
        raw = sqlite3.connect(wb_path, isolation_level=None)
        raw.execute("BEGIN IMMEDIATE")
        held.append(raw)

    def release():
        while held:
            raw = held.pop()
            raw.execute("ROLLBACK")
            raw.close()

    hold.release = release
    yield hold
    release()


@pytest.mark.parametrize("name", SAVES)
def test_a_save_while_another_program_holds_the_workbook_says_so_and_writes_nothing(
    filled, filled_ids, wb_path, lock, name
):
    click, status = SAVES[name](filled, filled_ids)
    before = state(wb_path)
    lock(filled)
    click()
    assert status.kind == "error", status.text
    assert "busy in another program" in status.text and "try again" in status.text
    assert state(wb_path) == before
    lock.release()
    click()  # trying again once the other program is done works
    assert status.kind == "ok", status.text
    assert state(wb_path) != before


@pytest.mark.parametrize("name", ["options: add", "contacts: edit", "settings: save", "capture: done"])
def test_a_read_only_workbook_is_said_in_words(filled, filled_ids, wb_path, name):
    click, status = SAVES[name](filled, filled_ids)
    before = state(wb_path)
    filled.conn.execute("PRAGMA query_only = 1")
    click()
    assert status.kind == "error" and "cannot be written" in status.text and "read-only" in status.text
    assert state(wb_path) == before


def test_a_full_disk_is_said_in_words_and_nothing_is_half_written(filled, wb_path):
    form = OptionsForm(filled)
    form.title.value = "Teaching"
    form.description.value = "x" * 20_000
    before = state(wb_path)
    filled.conn.execute(f"PRAGMA max_page_count = {filled.conn.execute('PRAGMA page_count').fetchone()[0]}")
    form.save_button.click()
    assert form.status.kind == "error" and "disk holding the workbook is full" in form.status.text
    assert state(wb_path) == before


def test_a_failure_half_way_through_a_contact_save_leaves_nothing_written(filled, filled_ids, wb_path, monkeypatch):
    click, status = _contact_edit(filled, filled_ids)
    before = state(wb_path)

    def broken(*args, **kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(filled, "set_insiders", broken)  # after the contact's row is updated
    click()
    assert status.kind == "error" and "damaged" in status.text and "restore it from a backup" in status.text
    assert state(wb_path) == before


def test_a_failed_read_after_a_click_is_said_in_words(filled, filled_ids, monkeypatch):
    form = ContactsForm(filled)
    form.pick.value = filled_ids.p1

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(filled, "get", broken)
    form.archive_button.click()
    assert form.status.kind == "error" and "busy in another program" in form.status.text


# ------------------------------------------------------------------ archived records come back
@pytest.mark.parametrize(
    "make, table, key, label",
    [
        (OptionsForm, "options", "o2", "Data engineering"),
        (CriteriaForm, "criteria", "c2", "Flexibility"),
        (ContactsForm, "contacts", "p2", "Kofi Mensah"),
    ],
)
def test_every_archived_record_can_be_unarchived_in_its_own_form(filled, filled_ids, make, table, key, label):
    form = make(filled)
    record = getattr(filled_ids, key)
    assert form.unarchive_button.disabled
    form.pick.value = record
    form.archive_button.click()
    assert form.status.kind == "ok", form.status.text
    assert record not in filled.table(table)["id"].tolist()
    assert record not in [v for _, v in form.pick.options]
    assert (label, record) in form.archived_pick.options
    assert not form.unarchive_button.disabled
    form.archived_pick.value = record
    form.unarchive_button.click()
    assert form.status.kind == "ok" and "Unarchived" in form.status.text and label in form.status.text
    assert record in filled.table(table)["id"].tolist()
    assert record in [v for _, v in form.pick.options]
    assert form.archived_pick.options == (("(none archived)", NEW),) and form.unarchive_button.disabled


def test_a_conversation_can_be_archived_and_unarchived_in_the_record_form(filled, filled_ids):
    v = filled.add_conversation(filled_ids.p2, filled_ids.o2)
    form = RecordForm(filled)
    assert form.unarchive_button.disabled
    form.conversation.value = v
    form.archive_button.click()
    assert form.status.kind == "ok" and "Archived Kofi Mensah — Data engineering" in form.status.text
    assert v not in filled.conversations()["id"].tolist()
    assert v not in [value for _, value in form.conversation.options]
    assert [value for _, value in form.archived_pick.options] == [v]
    form.archived_pick.value = v
    form.unarchive_button.click()
    assert form.status.kind == "ok" and "Unarchived" in form.status.text
    assert v in filled.conversations()["id"].tolist()
    assert v in [value for _, value in form.conversation.options]
    assert form.unarchive_button.disabled


def test_after_a_conflict_the_table_shows_theirs_and_the_fields_keep_mine(filled, filled_ids, other):
    o1 = filled_ids.o1
    mine, theirs = OptionsForm(filled), OptionsForm(other)
    mine.pick.value = theirs.pick.value = o1
    theirs.description.value = "Their words"
    theirs.save_button.click()
    mine.description.value = "My words"
    mine.save_button.click()
    assert mine.status.kind == "error"
    assert "Their words" in mine.table.value and mine.description.value == "My words"


#: Fields whose value something on the page follows as it is typed (the mail-app link of a draft), sent
#: at every key; every other text field is sent whole as it is left, before the click on a Save.
FOLLOWED_AS_TYPED = {("CaptureForm", "thank_you_note"), ("DraftForm", "draft")}


def _text_fields(obj, seen: set[int]):
    """Every text input held by a form and by the form parts it holds: (attribute name, widget)."""
    import ipywidgets as widgets

    if id(obj) in seen:
        return
    seen.add(id(obj))
    for name, value in vars(obj).items():
        if isinstance(value, widgets.Text | widgets.Textarea | widgets.Combobox):
            yield name, value
        elif type(value).__module__.startswith("workbook.forms"):
            yield from _text_fields(value, seen)


def test_typed_text_reaches_the_kernel_whole_before_the_save_clicked_after_it(wb):
    """On a busy kernel, a field sent at every key can have its last keys arrive after the click on Save
    (the browser sends one change of a field at a time); sent as the field is left, it arrives first."""
    import importlib
    import inspect
    import pkgutil

    import workbook.forms

    checked = 0
    for info in pkgutil.iter_modules(workbook.forms.__path__):
        module = importlib.import_module(f"workbook.forms.{info.name}")
        for cls_name, cls in vars(module).items():
            if not (inspect.isclass(cls) and cls.__module__ == module.__name__ and cls_name.endswith("Form")):
                continue
            try:
                form = cls(wb)
            except TypeError:  # a form that needs more than the workbook
                continue
            for name, field in _text_fields(form, set()):
                checked += 1
                live = (cls_name, name) in FOLLOWED_AS_TYPED
                assert field.continuous_update is live, f"{cls_name}.{name}"
    assert checked >= 25  # the forms' text fields were found
