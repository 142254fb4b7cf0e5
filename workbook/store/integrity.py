"""Deciding whether a file may be trusted as a Career Workbook, before anything writes to it.

A file is identified through a read-only connection, so another application's
SQLite file is never changed (no switch to WAL, no journal). It is a Career
Workbook when its schema version is one we know and its schema is exactly the
one the migrations build for that version: the same tables with the same
columns and foreign keys, the same indexes, and no triggers or views of its
own. The expected schema is built from :data:`~workbook.store.schema.MIGRATIONS`
in memory, never copied by hand, so a new migration is checked as soon as it
exists. ``PRAGMA quick_check`` then says whether the file is intact.

:func:`explain` turns SQLite's own errors into one line that says what to do.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import WorkbookFileError
from .schema import MIGRATIONS, SCHEMA_VERSION

SQLITE_MAGIC = b"SQLite format 3\x00"
#: How a damaged file is reported: what to do about it.
RESTORE_HINT = "restore it from a backup (career-workbook restore FILE)"

Schema = dict[tuple[str, str], tuple]


def read_schema(conn: sqlite3.Connection, schema: str = "main") -> Schema:
    """Every schema object of ``schema`` as ``{(kind, name): description}``.

    Tables are described by their columns (name, type, not null, default,
    primary key, hidden), foreign keys and CHECK constraints (the rules on
    values, such as a stance between -2 and +2), indexes by table, uniqueness and
    columns; triggers and views by their presence. SQLite's own tables
    (``sqlite_stat1``…) are left out; their indexes are part of their table.
    """
    found: Schema = {}
    master = f"{schema}.sqlite_master" if schema != "temp" else "sqlite_temp_master"
    for kind, name, sql in conn.execute(f"SELECT type, name, sql FROM {master} ORDER BY type, name"):
        if kind == "table" and name.startswith("sqlite_"):
            continue
        if kind == "index":
            continue  # listed per table below (automatic indexes included)
        if kind != "table":
            found[(kind, name)] = ()
            continue
        columns = tuple(
            conn.execute(
                'SELECT name, upper(type), "notnull", dflt_value, pk, hidden '
                "FROM pragma_table_xinfo(?, ?) ORDER BY cid",
                (name, schema),
            )
        )
        keys = tuple(
            conn.execute(
                'SELECT "table", "from", "to", on_update, on_delete, "match" '
                "FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq",
                (name, schema),
            )
        )
        found[("table", name)] = (columns, keys, check_constraints(sql or ""))
        for index, unique, origin, partial in conn.execute(
            'SELECT name, "unique", origin, partial FROM pragma_index_list(?, ?) ORDER BY name', (name, schema)
        ):
            cols = tuple(
                r[0] for r in conn.execute("SELECT name FROM pragma_index_info(?, ?) ORDER BY seqno", (index, schema))
            )
            found[("index", index)] = (name, unique, origin, partial, cols)
    return found


def check_constraints(sql: str) -> tuple[str, ...]:
    """The CHECK constraints of a ``CREATE TABLE`` statement, each with spacing and letter case normalised.

    Text inside quotes is kept exactly; comments are dropped. Sorted, so the
    order in which columns were added does not matter.
    """
    found = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"`[":
            i = _skip_quoted(sql, i)
        elif sql.startswith("--", i) or sql.startswith("/*", i):
            i = _skip_comment(sql, i)
        elif sql[i : i + 5].upper() == "CHECK" and (i == 0 or not _word(sql[i - 1])) and not _word(sql[i + 5 : i + 6]):
            j = i + 5
            while j < n and sql[j].isspace():
                j += 1
            if j < n and sql[j] == "(":
                end = _closing(sql, j)
                found.append(_normalised(sql[j + 1 : end]))
                i = end + 1
            else:
                i = j
        else:
            i += 1
    return tuple(sorted(found))


def _word(ch: str) -> bool:
    return bool(ch) and (ch.isalnum() or ch in "_$")


def _skip_quoted(sql: str, i: int) -> int:
    """The index just after the quoted text starting at ``i`` (a doubled quote stays inside)."""
    close = "]" if sql[i] == "[" else sql[i]
    j = i + 1
    while j < len(sql):
        if sql[j] == close:
            if close != "]" and sql[j + 1 : j + 2] == close:
                j += 2
                continue
            return j + 1
        j += 1
    return len(sql)


def _skip_comment(sql: str, i: int) -> int:
    if sql.startswith("--", i):
        end = sql.find("\n", i)
        return len(sql) if end < 0 else end + 1
    end = sql.find("*/", i + 2)
    return len(sql) if end < 0 else end + 2


def _closing(sql: str, i: int) -> int:
    """The index of the parenthesis closing the one at ``i``."""
    depth, j = 0, i
    while j < len(sql):
        ch = sql[j]
        if ch in "'\"`[":
            j = _skip_quoted(sql, j)
            continue
        if sql.startswith("--", j) or sql.startswith("/*", j):
            j = _skip_comment(sql, j)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return len(sql)


def _normalised(expr: str) -> str:
    """``expr`` as its tokens separated by one space: words in lower case, quoted text kept exactly, no comments."""
    tokens, i = [], 0
    while i < len(expr):
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch in "'\"`[":
            end = _skip_quoted(expr, i)
            tokens.append(expr[i:end])
            i = end
        elif expr.startswith("--", i) or expr.startswith("/*", i):
            i = _skip_comment(expr, i)
        elif _word(ch) or ch == ".":
            j = i
            while j < len(expr) and (_word(expr[j]) or expr[j] == "."):
                j += 1
            tokens.append(expr[i:j].lower())
            i = j
        else:
            j = i + 1
            while j < len(expr) and expr[j] in "<>=!|" and ch in "<>=!|":
                j += 1
            tokens.append(expr[i:j])
            i = j
    return " ".join(tokens)


@functools.cache
def _expected(version: int, migrations: tuple) -> Schema:
    with contextlib.closing(sqlite3.connect(":memory:", isolation_level=None)) as conn:
        for step in migrations[:version]:
            step(conn)
        return read_schema(conn)


def expected_schema(version: int = SCHEMA_VERSION) -> Schema:
    """The schema the migrations build for ``version``."""
    return _expected(version, tuple(MIGRATIONS[v] for v in sorted(MIGRATIONS)))


def schema_difference(actual: Schema, expected: Schema) -> str | None:
    """The first way ``actual`` differs from ``expected``, in words; None when they are the same."""
    for kind, name in sorted(actual.keys() - expected.keys()):
        return f"it has a {kind} {name!r} that a Career Workbook does not have"
    missing = sorted(expected.keys() - actual.keys(), key=lambda k: (k[0] != "table", k))
    for kind, name in missing:
        if kind == "table":
            return f"its table {name!r} is missing"
    for key in sorted(expected.keys() & actual.keys(), key=lambda k: (k[0] != "table", k)):
        if actual[key] == expected[key]:
            continue
        kind, name = key
        if kind == "table":
            (have, have_keys, have_checks), (want, want_keys, want_checks) = actual[key], expected[key]
            extra = [c[0] for c in have if c[0] not in {w[0] for w in want}]
            lacking = [c[0] for c in want if c[0] not in {h[0] for h in have}]
            if extra:
                return f"its table {name!r} has a column {extra[0]!r} that a Career Workbook does not have"
            if lacking:
                return f"its table {name!r} lacks the column {lacking[0]!r}"
            if have_keys != want_keys:
                return f"its table {name!r} refers to other tables than a Career Workbook's does"
            if have_checks != want_checks:
                extra_rules = [c for c in have_checks if c not in want_checks] or list(have_checks)
                kept_rules = [c for c in want_checks if c not in have_checks] or list(want_checks)
                has = f"CHECK ({extra_rules[0]})" if extra_rules else "no CHECK rule"
                wants = f"CHECK ({kept_rules[0]})" if kept_rules else "none"
                return f"its table {name!r} has the value rule {has} where a Career Workbook has {wants}"
            return f"the columns of its table {name!r} are not defined as in a Career Workbook"
        return f"its {kind} {name!r} is not defined as in a Career Workbook"
    for kind, name in missing:
        return f"its {kind} {name!r} is missing"
    return None


def check_schema(conn: sqlite3.Connection, version: int, label: object, schema: str = "main") -> None:
    """Refuse (``WorkbookFileError``) a file whose schema is not exactly that of ``version``."""
    difference = schema_difference(read_schema(conn, schema), expected_schema(version))
    if difference:
        raise WorkbookFileError(f"{label} is not a Career Workbook as it should be: {difference}")


def quick_check(conn: sqlite3.Connection, label: object, schema: str = "main") -> None:
    """Refuse a damaged file (``PRAGMA quick_check``), saying what to do."""
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {schema}.quick_check(1)")]
    except sqlite3.DatabaseError as exc:
        raise WorkbookFileError(f"{label} is damaged ({exc}); {RESTORE_HINT}") from None
    if rows != ["ok"]:
        detail = " ".join(re.sub(r"\*\*\* in database \w+ \*\*\*", "", rows[0] if rows else "no answer").split())
        raise WorkbookFileError(f"{label} is damaged ({detail}); {RESTORE_HINT}")


def is_sqlite_file(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(16) == SQLITE_MAGIC


@contextlib.contextmanager
def read_only(path: Path, *, settled: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection that cannot change the file at ``path`` (no journal, no WAL switch).

    ``settled`` says the file is not being written (a backup): a file in WAL
    mode with no ``-wal`` beside it is then complete and is read as immutable,
    so SQLite creates no ``-wal`` or ``-shm`` next to it (and a backup on
    read-only media can be read at all).
    """
    query = "?mode=ro"
    if settled and is_wal_file(path) and not Path(f"{path}-wal").exists():
        query += "&immutable=1"
    conn = sqlite3.connect(
        path.resolve().as_uri() + query, uri=True, isolation_level=None, timeout=5.0, check_same_thread=False
    )
    try:
        yield conn
    finally:
        conn.close()


def is_wal_file(path: Path) -> bool:
    """True when the SQLite file's header marks it as in WAL mode (bytes 18 and 19 are 2)."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(20)
    except OSError:
        return False
    return header[:16] == SQLITE_MAGIC and header[18:20] == b"\x02\x02"


def _stays_empty(path: Path, wait_s: float = 0.5) -> bool:
    """True for an empty file that stays empty a moment (another process creating a workbook writes at once)."""
    deadline = time.monotonic() + wait_s
    while path.stat().st_size == 0:
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.05)
    return False


def identify(path: Path, *, verify: bool = True) -> int:
    """The schema version of the existing file at ``path``, read without changing the file.

    Refuses (``WorkbookFileError``, one line) an empty file, a file that is not
    SQLite, another application's SQLite file, a workbook from a newer version,
    a schema that is not exactly a Career Workbook's, and (``verify``) a damaged file.
    """
    if _stays_empty(path):
        raise WorkbookFileError(f"{path} is an empty file, not a Career Workbook; give another file name")
    if not is_sqlite_file(path):
        raise WorkbookFileError(f"{path} is not a workbook file (not an SQLite file)")
    try:
        with read_only(path) as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if version == 0 and tables == 0:
                return 0  # a new, still empty database (for example one being created by another process)
            if version <= 0:
                raise WorkbookFileError(f"{path} is an SQLite file, but not a Career Workbook")
            if version > SCHEMA_VERSION:
                raise WorkbookFileError(
                    f"{path} was written by a newer Career Workbook (schema {version}, "
                    f"this one knows up to {SCHEMA_VERSION}); please upgrade"
                )
            if verify:
                quick_check(conn, path)
                check_schema(conn, version, path)
            return version
    except sqlite3.Error as exc:
        raise WorkbookFileError(explain(exc, path)) from None


def explain(exc: BaseException, path: object = "the workbook") -> str:
    """SQLite's error as one line that says what to do."""
    text = " ".join(str(exc).split())
    low = text.lower()
    if "malformed" in low or "corrupt" in low or "disk i/o" in low:
        return f"{path} is damaged ({text}); {RESTORE_HINT}"
    if "not a database" in low or "file is encrypted" in low:
        return f"{path} is not a Career Workbook ({text})"
    if "readonly" in low or "read-only" in low or "unable to open" in low or "permission" in low:
        return (
            f"{path} cannot be written ({text}); check the permissions of the file and its folder, "
            "or copy it somewhere you can write"
        )
    if "locked" in low or "busy" in low:
        return (
            f"{path} is busy: another program kept it locked too long ({text}); finish or close the "
            "other notebook or command using it, then try again"
        )
    if "no such table" in low or "no such column" in low:
        return f"{path} is not a Career Workbook as it should be ({text}); {RESTORE_HINT}"
    return f"{path}: {text}"
