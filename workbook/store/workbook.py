"""The workbook: one SQLite file that owns every record.

``Workbook`` opens the file (WAL, busy timeout, foreign keys), brings its schema
up to date (with a backup copy first), validates every write before it touches
the file, and gives tables back as pandas DataFrames (pandas is imported on the
first such read, so opening a workbook and saving to it do not load it).

Each save is one short transaction started with ``BEGIN IMMEDIATE`` so two
notebooks or a notebook and the CLI can write to the same workbook at once
without losing anything. A save may also say what the page loaded
(``loaded=``): it is refused with :class:`~workbook.errors.ChangedElsewhereError`
when the record changed since (see :mod:`workbook.store.freshness`). SQLite's
errors while saving (busy, read-only, full, damaged) come out as
:class:`~workbook.errors.SaveFailedError` in words, with nothing written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import files as _files
from .. import paths as _paths
from ..errors import NotFoundError, ValidationError, WorkbookFileError
from . import conversations as _conversation_rules
from . import failures as _failures
from . import fields as _fields
from . import freshness as _freshness
from . import integrity as _integrity
from . import reads as _reads
from .schema import MIGRATIONS, SCHEMA_VERSION
from .snapshot import Snapshot

if TYPE_CHECKING:
    import pandas as pd

BUSY_TIMEOUT_S = 30.0
#: The path that gives a throwaway workbook kept in memory.
MEMORY = ":memory:"


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class Workbook:
    """A Career Workbook stored in one SQLite file.

    ``Workbook(path)`` opens (or creates) the file; ``Workbook(":memory:")``
    gives a throwaway workbook. Use it as a context manager to close it.
    """

    def __init__(self, path: str | os.PathLike, *, create: bool = True, verify: bool = True):
        memory = str(path) == MEMORY
        self.path: Path = Path(MEMORY) if memory else Path(path)
        if not memory:
            self.path = self.path.expanduser().resolve()
            if not self.path.exists():
                if not create:
                    raise WorkbookFileError(
                        f"no workbook at {self.path} (nothing was created); check the path, or start one with "
                        "career-workbook lab"
                    )
                try:  # private from the start: SQLite gives the -wal and -shm files the same mode
                    _files.private_dir(self.path.parent)
                    _files.create_private_file(self.path)
                except OSError as exc:
                    raise WorkbookFileError(_integrity.explain(exc, self.path)) from None
            elif self.path.is_dir():
                raise WorkbookFileError(f"{self.path} is a folder, not a workbook file")
            else:  # identified read-only first: a file that is not a workbook is never changed
                _integrity.identify(self.path, verify=verify)
        try:
            self._conn = sqlite3.connect(
                MEMORY if memory else str(self.path),
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,  # we issue BEGIN / COMMIT ourselves
                # JupyterLab 4 may run widget callbacks on a second kernel thread
                # (comms over subshells): the connection is shared, guarded by _lock.
                check_same_thread=False,
            )
            self._conn.execute("PRAGMA foreign_keys = ON")
            if not memory:
                mode = _switch_to_wal(self._conn)
                if mode.lower() != "wal":
                    raise WorkbookFileError(f"{self.path}: cannot switch to WAL mode (got {mode})")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        except sqlite3.Error as exc:
            raise WorkbookFileError(_integrity.explain(exc, self.path)) from None
        self._depth = 0
        self._lock = threading.RLock()
        self.backup_path: Path | None = None
        self._migrate()

    # ------------------------------------------------------------------ basics
    @property
    def in_memory(self) -> bool:
        """True for a throwaway workbook (``Workbook(":memory:")``) that has no file."""
        return str(self.path) == MEMORY

    def __repr__(self) -> str:
        return f"<Workbook {self.path}>"

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None  # type: ignore[assignment]

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise WorkbookFileError("this workbook has been closed")
        return self._conn

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def data_version(self) -> int:
        """A number that changes when another connection (a page, a program, a command) commits to the file."""
        with self._lock:
            return self.conn.execute("PRAGMA data_version").fetchone()[0]

    @contextlib.contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """Group writes into one transaction: all of them are saved, or none.

        Starts with ``BEGIN IMMEDIATE`` so that reads inside it see the data the
        writes are based on. Nested calls join the outer transaction; another
        thread using the same Workbook waits until the transaction ends.
        An SQLite error (busy too long, read-only, disk full, damaged file)
        rolls everything back and is raised as a :class:`SaveFailedError`.
        """
        conn = self.conn
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield conn
                finally:
                    self._depth -= 1
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _failures.save_failed(exc) from exc
            self._depth = 1
            try:
                yield conn
            except BaseException as exc:
                self._depth = 0
                self._rollback()
                if isinstance(exc, sqlite3.Error):
                    raise _failures.save_failed(exc) from exc
                raise
            else:
                self._depth = 0
                try:
                    conn.execute("COMMIT")
                except sqlite3.Error as exc:  # nothing may stay half-written, nor the file locked
                    self._rollback()
                    raise _failures.save_failed(exc) from exc

    def _rollback(self) -> None:
        """Undo the open transaction, if SQLite has not already undone it (a full disk, say)."""
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads, kept from other threads of this process meanwhile."""
        with self._lock:
            yield self.conn

    # -------------------------------------------------------------- migration
    def _migrate(self) -> None:
        conn = self.conn
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            raise WorkbookFileError(f"{self.path} is not a workbook file ({exc})") from None
        if version == 0 and tables:
            raise WorkbookFileError(f"{self.path} is an SQLite file, but not a Career Workbook")
        if version > SCHEMA_VERSION:
            raise WorkbookFileError(
                f"{self.path} was written by a newer Career Workbook (schema {version}, "
                f"this one knows up to {SCHEMA_VERSION}); please upgrade"
            )
        if version == SCHEMA_VERSION:
            return
        # One process at a time: BEGIN IMMEDIATE makes a second one wait here, and
        # it then finds the file up to date (no second backup, no clash of names).
        with self.atomic():
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current == SCHEMA_VERSION:
                return
            if current > 0 and not self.in_memory:
                self.backup_path = self._backup_before_migration(current)
            for target in range(current + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](conn)
                conn.execute(f"PRAGMA user_version = {target}")

    def _backup_before_migration(self, version: int) -> Path:
        """Copy the file as it is before migrating it (the caller holds the write lock: read on another connection)."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = f"{self.path.stem}.schema{version}-{stamp}.bak"
        target = self.path.with_name(f"{base}{self.path.suffix}")
        n = 2
        while os.path.lexists(target):
            target = self.path.with_name(f"{base}-{n}{self.path.suffix}")
            n += 1
        with _integrity.read_only(self.path) as source:
            return _write_backup(source, target)

    def backup_to(self, target: str | os.PathLike) -> Path:
        """Write a consistent copy of the workbook to the new file ``target`` (SQLite's backup API).

        The copy is one complete private file (``0600``, rollback journal, so no
        ``-wal`` or ``-shm`` is needed beside it, and it can be read from
        read-only media). An existing file is never replaced.
        """
        target = _files.check_output(Path(target), [None if self.in_memory else self.path], field="target")
        with self._lock:
            if self._depth:  # inside a transaction: SQLite cannot copy from the connection writing
                with _integrity.read_only(self.path) as source:
                    return _write_backup(source, target)
            return _write_backup(self.conn, target)

    # ------------------------------------------------------------------ writes
    def _check_refs(self, table: str, row: Mapping[str, Any]) -> None:
        spec = _fields.FIELDS[table]
        for name, value in row.items():
            f = spec[name]
            if f.kind == "ref" and value is not None:
                found = self.conn.execute(f"SELECT 1 FROM {f.ref} WHERE id = ?", (value,)).fetchone()
                if not found:
                    raise ValidationError(name, f"there is no record {value} in {f.ref}", table=table)

    def _check_refs_many(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Like :meth:`_check_refs` for many rows, one query per referenced table."""
        spec = _fields.FIELDS[table]
        for name, f in spec.items():
            if f.kind != "ref":
                continue
            wanted = {row[name] for row in rows if row.get(name) is not None}
            if not wanted:
                continue
            found: set[int] = set()
            ordered = sorted(wanted)
            for start in range(0, len(ordered), 500):
                chunk = ordered[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(r[0] for r in self.conn.execute(f"SELECT id FROM {f.ref} WHERE id IN ({marks})", chunk))
            missing = wanted - found
            if missing:
                i = next(i for i, row in enumerate(rows) if row.get(name) in missing)
                value = rows[i][name]
                raise ValidationError(name, f"there is no record {value} in {f.ref}", table=table, row=i)

    def _insert(self, table: str, row: dict[str, Any], *, refs_checked: bool = False) -> int:
        if not refs_checked:
            self._check_refs(table, row)
        stamp = _now()
        if table in _fields.ARCHIVABLE:
            row = {**row, "created_at": stamp, "updated_at": stamp}
        if table == "conversations":
            row = self._conversation_dates(row, row.get("status"))
        if table == "insights" and row.get("conversation_id") is not None and row.get("contact_id") is None:
            row["contact_id"] = self.conn.execute(
                "SELECT contact_id FROM conversations WHERE id = ?", (row["conversation_id"],)
            ).fetchone()[0]
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(row.values()))
        new_id = cur.lastrowid
        assert new_id is not None  # an INSERT always sets it
        if table == "conversations":
            self.conn.execute(
                "INSERT INTO conversation_events (conversation_id, status, changed_at) VALUES (?, ?, ?)",
                (new_id, row["status"], stamp),
            )
        if table == "contacts":
            self._note_source(int(new_id), row.get("source", ""), stamp)
        return int(new_id)

    def _note_source(self, contact_id: int, source: Any, stamp: str) -> bool:
        """Remember that a contact came from ``source`` (inside a transaction); True when it is new."""
        if not isinstance(source, str) or not source.strip():
            return False
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO contact_sources (contact_id, source, created_at) VALUES (?, ?, ?)",
            (contact_id, source.strip(), stamp),
        )
        return cur.rowcount > 0

    @staticmethod
    def _conversation_dates(row: dict[str, Any], status: str | None) -> dict[str, Any]:
        """Fill the date a status stands for, when the status is set without it."""
        return _conversation_rules.fill_status_date(row, status)

    def add(self, table: str, **values: Any) -> int:
        """Validate and save one new record in ``table``; returns its id."""
        row = _fields.clean(table, values)
        with self.atomic():
            return self._insert(table, row)

    def add_many(self, table: str, records: Iterable[Mapping[str, Any]]) -> list[int]:
        """Save many records with the same checks as ``add_*``, in one transaction: all or none.

        A bad record raises :class:`ValidationError` whose ``row`` is its
        position (from 0) and nothing is written.
        """
        cleaned = []
        for i, record in enumerate(records):
            try:
                cleaned.append(_fields.clean(table, dict(record)))
            except ValidationError as exc:
                raise ValidationError(exc.field, exc.reason, table=table, row=i) from None
        ids = []
        with self.atomic():
            self._check_refs_many(table, cleaned)
            for row in cleaned:
                ids.append(self._insert(table, row, refs_checked=True))
        return ids

    def update(self, table: str, id: int, *, loaded: Mapping[str, Any] | None = None, **values: Any) -> None:
        """Change fields of one record. Unknown ids and bad values are refused.

        ``loaded`` (field -> value, as :meth:`get` gave it) is what the page showing the record
        loaded: when the stored record differs from it in any of those fields, nothing is written
        and :class:`ChangedElsewhereError` says what changed (see :meth:`expect_unchanged`).
        """
        row = _fields.clean(table, values, partial=True)
        if not row:
            raise ValidationError("fields", "nothing to change; name at least one field")
        with self.atomic():
            old = self._get_row(table, id)
            if loaded is not None:
                self.expect_unchanged(table, id, loaded, yours=row)
            if table == "conversations" and "status" in row and row["status"] != old["status"]:
                row = self._conversation_dates(row, row["status"])
            self._check_refs(table, row)
            if table == "contacts" and row.get("referred_by") == id:
                raise ValidationError("referred_by", "a contact cannot refer themselves", table=table)
            if table in _fields.ARCHIVABLE:
                row["updated_at"] = _now()
            assignments = ", ".join(f"{k} = ?" for k in row)
            self.conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", (*row.values(), id))
            if table == "conversations" and "status" in row and row["status"] != old["status"]:
                self.conn.execute(
                    "INSERT INTO conversation_events (conversation_id, status, changed_at) VALUES (?, ?, ?)",
                    (id, row["status"], _now()),
                )
            if table == "contacts" and "source" in row:
                self._note_source(int(id), row["source"], _now())

    def _get_row(self, table: str, id: int) -> dict[str, Any]:
        if table not in _fields.FIELDS and table != "conversation_events":
            raise ValidationError("table", f"{table!r} is not a table of the workbook")
        if isinstance(id, bool) or not isinstance(id, int):
            try:
                id = int(id)
            except (TypeError, ValueError):
                raise ValidationError("id", f"{id!r} is not an id (a whole number)") from None
        with self._lock:
            cur = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (id,))
            found = cur.fetchone()
        if found is None:
            raise NotFoundError(f"{table}: there is no record with id {id}")
        return dict(zip([d[0] for d in cur.description], found, strict=True))

    def get(self, table: str, id: int) -> dict[str, Any]:
        """One record as a plain dict (raw stored values)."""
        return self._get_row(table, id)

    def insiders_of(self, contact_id: int) -> tuple[int, ...]:
        """The ids of the options a contact knows from the inside, in order."""
        with self._lock:
            rows = self.conn.execute(
                "SELECT option_id FROM insider_links WHERE contact_id = ? ORDER BY option_id", (int(contact_id),)
            ).fetchall()
        return tuple(int(r[0]) for r in rows)

    def _stored(self, table: str, id: int, keys: Iterable[str]) -> dict[str, Any]:
        row = self._get_row(table, id)
        out: dict[str, Any] = {}
        for key in keys:
            if table == "contacts" and key == _freshness.INSIDERS:
                out[key] = self.insiders_of(id)
            elif key in row:
                out[key] = row[key]
            else:
                raise ValidationError(key, f"is not a field of {table}", table=table)
        return out

    def expect_unchanged(
        self, table: str, id: int, loaded: Mapping[str, Any], yours: Mapping[str, Any] | None = None
    ) -> None:
        """Refuse with :class:`ChangedElsewhereError` when the stored record differs from ``loaded``.

        ``loaded`` maps fields to the values the page loaded (a contact may also have
        ``insider_for``, the option ids they know from the inside); ``yours`` is what the page is
        about to save, carried in the error so the page can show both versions. Call it inside
        :meth:`atomic` before the writes it guards: check and writes are then one transaction.
        """
        yours = dict(yours or {})
        with self.atomic():
            theirs = self._stored(table, id, dict.fromkeys([*loaded, *yours]))
            _freshness.compare(self._what(table, id), loaded, theirs, yours, table=table, id=int(id))

    def _what(self, table: str, id: int) -> str:
        """A record in words for a message: ``option “UX research”`` (its name, not its id)."""
        noun = _freshness.NOUNS.get(table, table)
        column = {"options": "title", "criteria": "name", "contacts": "name"}.get(table)
        if column is None:
            return f"this {noun}"
        name = self._get_row(table, id).get(column)
        return f"{noun} “{name}”" if name else f"this {noun}"

    def archive(self, table: str, id: int) -> None:
        """Hide a record from every table and chart without deleting it (see :meth:`unarchive`)."""
        self._set_archived(table, id, True)

    def unarchive(self, table: str, id: int) -> None:
        """Bring an archived record back into the tables."""
        self._set_archived(table, id, False)

    def restore(self, table: str, id: int) -> None:
        """Deprecated name of :meth:`unarchive` ("restore" now means putting back a backup)."""
        warnings.warn(
            "Workbook.restore(table, id) is now Workbook.unarchive(table, id)", DeprecationWarning, stacklevel=2
        )
        self.unarchive(table, id)

    def _set_archived(self, table: str, id: int, archived: bool) -> None:
        if table not in _fields.ARCHIVABLE:
            raise ValidationError("table", f"records in {table!r} cannot be archived")
        with self.atomic():
            self._get_row(table, id)
            self.conn.execute(
                f"UPDATE {table} SET archived = ?, updated_at = ? WHERE id = ?", (int(archived), _now(), id)
            )

    # ---------------------------------------------------------- named adders
    def add_option(self, title: str, description: str = "", **more: Any) -> int:
        """Add a career option (a path you are weighing). ``status``, ``questions`` optional."""
        return self.add("options", title=title, description=description, **more)

    def add_criterion(self, name: str, weight: float = 1.0, **more: Any) -> int:
        """Add a criterion that matters to you, with its weight (0–100, relative)."""
        return self.add("criteria", name=name, weight=weight, **more)

    def add_contact(
        self, name: str, organization: str = "", role: str = "", relationship: str = "", **more: Any
    ) -> int:
        """Add a person who may have insider knowledge. ``options=[ids]`` links them as an insider."""
        options = more.pop("options", None)
        row = _fields.clean(
            "contacts", dict(name=name, organization=organization, role=role, relationship=relationship, **more)
        )
        links = [_fields.clean("insider_links", {"contact_id": 0, "option_id": o})["option_id"] for o in options or []]
        with self.atomic():
            cid = self._insert("contacts", row)
            for option_id in links:
                self._insert("insider_links", {"contact_id": cid, "option_id": option_id})
        return cid

    def add_conversation(
        self,
        contact_id: int,
        option_id: int,
        status: str = "planned",
        requested_on: Any = None,
        scheduled_at: Any = None,
        done_on: Any = None,
        thanked_on: Any = None,
        **more: Any,
    ) -> int:
        """Plan or record an informational interview with a contact about an option."""
        return self.add(
            "conversations",
            contact_id=contact_id,
            option_id=option_id,
            status=status,
            requested_on=requested_on,
            scheduled_at=scheduled_at,
            done_on=done_on,
            thanked_on=thanked_on,
            **more,
        )

    def update_conversation(self, id: int, **fields: Any) -> None:
        """Change a conversation; a status change is kept in its history."""
        self.update("conversations", id, **fields)

    def update_option(self, id: int, **fields: Any) -> None:
        self.update("options", id, **fields)

    def update_criterion(self, id: int, **fields: Any) -> None:
        self.update("criteria", id, **fields)

    def set_weights(self, weights: Mapping[int, float], *, loaded: Mapping[int, float] | None = None) -> None:
        """Save the weights of several criteria at once (criterion id -> weight); at least one above 0.

        ``loaded`` (criterion id -> weight) is what the page loaded: when a stored weight differs
        from it, nothing is written and :class:`ChangedElsewhereError` names the criteria (by id).
        """
        if not weights:
            raise ValidationError("weights", "there are no criteria yet; add some in notebook 01 first")
        cleaned = {
            int(cid): _fields.clean("criteria", {"weight": w}, partial=True)["weight"] for cid, w in weights.items()
        }
        if not any(w > 0 for w in cleaned.values()):
            raise ValidationError("weights", "every weight is 0; give at least one criterion a weight above 0")
        with self.atomic():
            if loaded is not None:
                before = {int(cid): w for cid, w in loaded.items()}
                rows = {cid: self._get_row("criteria", cid) for cid in dict.fromkeys([*before, *cleaned])}
                theirs = {cid: row["weight"] for cid, row in rows.items()}
                names = {cid: f"the weight of {row['name']}" for cid, row in rows.items()}
                _freshness.compare("weights", before, theirs, cleaned, table="criteria", labels=names)
            for cid, weight in cleaned.items():
                self.update("criteria", cid, weight=weight)

    def update_contact(self, id: int, **fields: Any) -> None:
        self.update("contacts", id, **fields)

    def add_contact_source(self, contact_id: int, source: str) -> bool:
        """Remember that a contact also came from ``source`` (e.g. ``"vcard"``); True when it was not known yet."""
        text = _fields.clean("contacts", {"source": source}, partial=True)["source"]
        if not text.strip():
            raise ValidationError("source", "is empty; name where the contact came from", table="contact_sources")
        with self.atomic():
            self._get_row("contacts", contact_id)
            return self._note_source(int(contact_id), text, _now())

    def contact_sources(self, contact_id: int | None = None) -> pd.DataFrame:
        """Every source each contact came from (``contact_id``, ``source``, ``created_at``), first seen first."""
        frame = self.table("contact_sources")
        if contact_id is not None:
            frame = frame[frame["contact_id"] == int(contact_id)].reset_index(drop=True)
        return frame

    def update_insight(self, id: int, **fields: Any) -> None:
        self.update("insights", id, **fields)

    def add_insight(
        self,
        option_id: int,
        criterion_id: int,
        stance: int,
        confidence: str = "medium",
        source: str = "interview",
        note: str = "",
        conversation_id: int | None = None,
        **more: Any,
    ) -> int:
        """Record a piece of evidence for (stance > 0) or against (stance < 0) an option on a criterion."""
        return self.add(
            "insights",
            option_id=option_id,
            criterion_id=criterion_id,
            stance=stance,
            confidence=confidence,
            source=source,
            note=note,
            conversation_id=conversation_id,
            **more,
        )

    def link_insider(self, contact_id: int, option_id: int) -> None:
        """Note that a contact knows an option from the inside (idempotent)."""
        row = _fields.clean("insider_links", {"contact_id": contact_id, "option_id": option_id})
        with self.atomic():
            self._check_refs("insider_links", row)
            self.conn.execute(
                "INSERT OR IGNORE INTO insider_links (contact_id, option_id) VALUES (?, ?)",
                (row["contact_id"], row["option_id"]),
            )

    def unlink_insider(self, contact_id: int, option_id: int) -> None:
        with self.atomic():
            self.conn.execute(
                "DELETE FROM insider_links WHERE contact_id = ? AND option_id = ?", (int(contact_id), int(option_id))
            )

    def set_insiders(self, contact_id: int, option_ids: Iterable[int]) -> None:
        """Replace the options a contact knows from the inside."""
        rows = [_fields.clean("insider_links", {"contact_id": contact_id, "option_id": o}) for o in option_ids]
        with self.atomic():
            self._get_row("contacts", contact_id)
            for row in rows:
                self._check_refs("insider_links", row)
            self.conn.execute("DELETE FROM insider_links WHERE contact_id = ?", (int(contact_id),))
            for row in rows:
                self.conn.execute(
                    "INSERT OR IGNORE INTO insider_links (contact_id, option_id) VALUES (?, ?)",
                    (row["contact_id"], row["option_id"]),
                )

    # --------------------------------------------------------------- settings
    def setting(self, key: str, default: Any = None) -> Any:
        """A stored preference (JSON value), or ``default``."""
        with self._lock:
            row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def settings(self, keys: Iterable[str]) -> dict[str, Any]:
        """The stored preferences ``keys`` (JSON values), ``None`` for those not stored."""
        return {key: self.setting(key) for key in keys}

    def expect_settings(self, loaded: Mapping[str, Any], yours: Mapping[str, Any] | None = None) -> None:
        """Refuse with :class:`ChangedElsewhereError` when a stored preference differs from ``loaded``.

        ``loaded`` maps keys to what the page loaded (``None``: not stored); call it inside
        :meth:`atomic` before the writes it guards.
        """
        with self.atomic():
            theirs = self.settings(dict.fromkeys([*loaded, *(yours or {})]))
            _freshness.compare("settings", loaded, theirs, dict(yours or {}), table="settings")

    def set_setting(self, key: str, value: Any) -> None:
        if not isinstance(key, str) or not key.strip():
            raise ValidationError("key", "is empty")
        text = json.dumps(value)
        with self.atomic():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, text),
            )

    def delete_setting(self, *keys: str) -> None:
        """Forget the stored preferences ``keys``: their defaults apply again."""
        with self.atomic():
            self.conn.executemany("DELETE FROM settings WHERE key = ?", [(k,) for k in keys])

    # ------------------------------------------------------------------ reads
    def table(
        self, table: str, *, include_archived: bool = False, columns: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """A table as a DataFrame with real dtypes: integer ids, datetimes for dates, booleans.

        ``columns`` reads only those columns (faster on large tables).
        """
        with self._lock:
            return _reads.read_table(self.conn, table, include_archived=include_archived, columns=columns)

    def records(
        self, table: str, *, include_archived: bool = False, columns: Iterable[str] | None = None
    ) -> list[dict[str, Any]]:
        """A table as plain dicts typed like :meth:`table` (ints, bools, ``date``, ``datetime``, ``None``).

        For quick row loops that have no use for a DataFrame.
        """
        with self._lock:
            return _reads.read_records(self.conn, table, include_archived=include_archived, columns=columns)

    def options(self, include_archived: bool = False) -> pd.DataFrame:
        return self.table("options", include_archived=include_archived)

    def criteria(self, include_archived: bool = False) -> pd.DataFrame:
        return self.table("criteria", include_archived=include_archived)

    def contacts(self, include_archived: bool = False) -> pd.DataFrame:
        return self.table("contacts", include_archived=include_archived)

    def conversations(self, include_archived: bool = False) -> pd.DataFrame:
        return self.table("conversations", include_archived=include_archived)

    def insights(self, include_archived: bool = False, columns: Iterable[str] | None = None) -> pd.DataFrame:
        return self.table("insights", include_archived=include_archived, columns=columns)

    def insider_links(self) -> pd.DataFrame:
        return self.table("insider_links")

    def evidence_rows(self) -> pd.DataFrame:
        """The insights as the analysis needs them: every row, without the notes."""
        return self.insights(columns=_reads.ANALYSIS_COLUMNS)

    def conversation_history(self, conversation_id: int | None = None) -> pd.DataFrame:
        """Every status change, oldest first (for one conversation, or all)."""
        frame = self.table("conversation_events")
        if conversation_id is not None:
            frame = frame[frame["conversation_id"] == int(conversation_id)].reset_index(drop=True)
        return frame

    def counts(self) -> dict[str, int]:
        """Rows per table (archived rows excluded)."""
        with self._lock:
            return _reads.counts(self.conn)

    def describe(self) -> str:
        """One line saying which file is in use and what it holds."""
        c = self.counts()
        return (
            f"Workbook: {self.path} — {c['options']} options, {c['criteria']} criteria, "
            f"{c['contacts']} contacts, {c['conversations']} conversations, {c['insights']} insights"
        )

    def is_empty(self) -> bool:
        return not any(self.counts().values())

    def snapshot(self) -> Snapshot:
        """The tables read once each and kept (see :class:`~workbook.store.snapshot.Snapshot`).

        ``with wb.snapshot() as snap:`` also reads every table from the same moment.
        """
        return Snapshot(self)


def _switch_to_wal(conn: sqlite3.Connection) -> str:
    """Put the file in WAL mode; the journal mode is returned.

    SQLite answers "database is locked" at once, without waiting, when another
    process reads or switches the same file meanwhile (two programs opening an
    old workbook together): try again for up to :data:`BUSY_TIMEOUT_S`.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _write_backup(source: sqlite3.Connection, target: Path) -> Path:
    """Copy ``source`` into the new private file ``target``, written beside it under a temporary name first."""
    target = target.expanduser()
    if os.path.lexists(target):
        raise ValidationError("target", f"{target} already exists; choose another file name")
    _files.private_dir(target.parent)
    with _files.partial_file(target) as (fd, tmp):
        os.close(fd)
        with contextlib.closing(sqlite3.connect(str(tmp), isolation_level=None)) as dest:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        _files.place_new(tmp, target)
    return target.resolve()


def open_workbook(path: str | os.PathLike | None = None, *, create: bool = True) -> Workbook:
    """Open the workbook at ``path``; ``None`` means ``$CAREER_WORKBOOK``, else the per-user default.

    The file (and its folder) is created if missing.
    """
    return Workbook(_paths.resolve(path), create=create)
