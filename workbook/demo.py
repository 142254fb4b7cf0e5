"""The demo workbook: a fictional career changer's example, built from ``data/demo/demo.json``.

Dates in the file are day offsets from the day the demo is built, so the demo
always has conversations coming up, follow-ups due and thank-yous to send.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from . import files, paths
from .errors import ValidationError
from .people.matching import save_targets
from .public import Workbook

_DATE_FIELDS = ("requested_on", "followed_up_on", "done_on", "thanked_on", "connected_on")


def demo_source() -> Path:
    return paths.data_dir() / "demo" / "demo.json"


def load_demo_spec() -> dict[str, Any]:
    with open(demo_source(), encoding="utf-8") as fh:
        return json.load(fh)


def _date(offset: Any, today: dt.date) -> str | None:
    if offset is None:
        return None
    return (today + dt.timedelta(days=int(offset))).isoformat()


Keys = dict[str, dict[str, int]]


def _strip(record: dict[str, Any], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in drop and k != "key"}


def _dated(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """``row`` with its day offsets turned into dates relative to ``today``."""
    return {k: _date(v, today) if k in _DATE_FIELDS else v for k, v in row.items()}


def _add_contacts(wb: Workbook, people: list[dict[str, Any]], keys: Keys, today: dt.date) -> None:
    for p in people:
        row = _dated(_strip(p, "insider_for", "referred_by"), today)
        if p.get("referred_by"):
            row["referred_by"] = keys["contacts"][p["referred_by"]]
        cid = wb.add("contacts", **row)
        keys["contacts"][p["key"]] = cid
        for option_key in p.get("insider_for", []):
            wb.link_insider(cid, keys["options"][option_key])


def _add_conversations(wb: Workbook, conversations: list[dict[str, Any]], keys: Keys, today: dt.date) -> None:
    for v in conversations:
        row = _dated(_strip(v, "contact", "option", "scheduled_at"), today)
        if v.get("scheduled_at") is not None:
            days, clock = v["scheduled_at"]
            row["scheduled_at"] = f"{_date(days, today)} {clock}"
        row["contact_id"] = keys["contacts"][v["contact"]]
        row["option_id"] = keys["options"][v["option"]]
        keys["conversations"][v["key"]] = wb.add("conversations", **row)


def _add_insights(wb: Workbook, insights: list[dict[str, Any]], keys: Keys) -> None:
    for i in insights:
        row = _strip(i, "option", "criterion", "conversation", "contact", "heard_from")
        row["option_id"] = keys["options"][i["option"]]
        row["criterion_id"] = keys["criteria"][i["criterion"]]
        if i.get("conversation"):
            row["conversation_id"] = keys["conversations"][i["conversation"]]
        if i.get("contact"):
            row["contact_id"] = keys["contacts"][i["contact"]]
        if i.get("heard_from"):
            row["heard_from"] = keys["contacts"][i["heard_from"]]
        wb.add("insights", **row)


def fill(wb: Workbook, spec: dict[str, Any] | None = None, today: dt.date | None = None) -> None:
    """Add the demo records to ``wb`` in one transaction."""
    spec = spec or load_demo_spec()
    today = today or dt.date.today()
    keys: Keys = {"options": {}, "criteria": {}, "contacts": {}, "conversations": {}}
    with wb.atomic():
        for o in spec["options"]:
            keys["options"][o["key"]] = wb.add("options", **_strip(o, "targets"))
            if o.get("targets"):
                save_targets(wb, keys["options"][o["key"]], **o["targets"])
        for c in spec["criteria"]:
            keys["criteria"][c["key"]] = wb.add("criteria", **_strip(c))
        _add_contacts(wb, spec["contacts"], keys, today)
        _add_conversations(wb, spec["conversations"], keys, today)
        _add_insights(wb, spec["insights"], keys)
        wb.set_setting("demo", {"person": spec.get("person", {}), "built_on": today.isoformat()})
        if spec.get("person", {}).get("name"):
            wb.set_setting("my_name", spec["person"]["name"])


def _backup_of(target: Path, own: Path) -> bool:
    """True for a file in ``backups/`` beside ``own`` or the copy made before ``own`` was upgraded."""
    if target.parent == own.parent / "backups":
        return True
    return target.parent == own.parent and target.name.startswith(f"{own.stem}.schema") and ".bak" in target.name


def build_demo(path: str | os.PathLike | None = None, *, overwrite: bool = False) -> Workbook:
    """Write the demo workbook to ``path`` (default: demo.sqlite in the user data folder) and open it.

    The default demo file is always rebuilt. Any other existing file that
    already holds data is only replaced with ``overwrite=True``; the person's own
    workbook and its backups never are.
    """
    target = Path(path).expanduser().resolve() if path else paths.default_demo_path()
    is_default = path is None
    own = paths.default_workbook_path()
    if os.path.lexists(own) and files.same_file(target, own):
        raise ValidationError("workbook", f"{target} is your own workbook; the demo never replaces it")
    if os.path.lexists(target) and _backup_of(Path(os.path.realpath(target)), Path(os.path.realpath(own))):
        raise ValidationError("workbook", f"{target} is a backup of your own workbook; the demo never replaces it")
    if target.exists():
        if not is_default and not overwrite:
            with Workbook(target) as existing:
                if not existing.is_empty():
                    raise ValidationError(
                        "workbook", f"{target} already holds a workbook with data; use --force to replace it"
                    )
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
    wb = Workbook(target)
    fill(wb)
    return wb


def open_demo() -> Workbook:
    """The demo workbook at its default place, built first if it is missing or empty."""
    target = paths.default_demo_path()
    if target.exists():
        wb = Workbook(target)
        if not wb.is_empty():
            return wb
        wb.close()
    return build_demo()
