"""Files and folders the package creates: private, written whole, never over a workbook.

Everything written here is for one person: files are created ``0600`` and
folders ``0700`` whatever the umask. The one exception is asked for by name: a
report saved into the folder shared with a coach may be ``0640``
(``mode=SHARED_FILE``). An output (a report, an export, a calendar, a backup,
a prep sheet) is written to a temporary file with an unpredictable name,
created exclusively beside its target (so a planted symbolic link is never
followed), then renamed over the target in one step.

An output never replaces a workbook: a target that is the workbook given, its
``-wal``/``-shm``/``-journal`` files, the same file reached through a symbolic
or hard link, or any existing SQLite file (a workbook, a backup, another
program's database, recognised by its header) is refused with a
:class:`~workbook.errors.ValidationError` and nothing is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import ValidationError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
#: A report saved into the folder a person shares with their coach: readable by that folder's group
#: (on the career centre's hub, the group of the service that shows coaches the shared reports).
SHARED_FILE = 0o640
SQLITE_MAGIC = b"SQLite format 3\x00"
#: The files SQLite keeps beside a database while it is open.
COMPANIONS = ("-wal", "-shm", "-journal")

Protected = Iterable["str | os.PathLike[str] | None"]


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Make the folder ``path`` (and any missing parent) ``0700``; folders that exist are left as they are."""
    path = Path(path).expanduser()
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # made meanwhile by another process
            continue
        os.chmod(folder, PRIVATE_DIR)  # an unusual umask may have taken bits away
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(path))
    return path


def create_private_file(path: str | os.PathLike[str]) -> bool:
    """Create the empty file ``path`` with mode ``0600``; False (and nothing changed) when it exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), PRIVATE_FILE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, PRIVATE_FILE) if hasattr(os, "fchmod") else os.chmod(path, PRIVATE_FILE)
    finally:
        os.close(fd)
    return True


def is_sqlite_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a file beginning with SQLite's header."""
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when ``a`` and ``b`` are the same file: the same inode (hard links too) or the same resolved path."""
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def _what(path: Path) -> str | None:
    """Why writing over ``path`` would destroy a database, or None."""
    if path.is_file() and is_sqlite_file(path):
        return "holds an SQLite database (a workbook or a backup of one)"
    for suffix in COMPANIONS:
        if path.name.endswith(suffix):
            base = path.with_name(path.name[: -len(suffix)])
            if is_sqlite_file(base):
                return f"belongs to the SQLite database {base.name}"
    return None


def check_output(target: str | os.PathLike[str], protect: Protected = (), *, field: str = "output") -> Path:
    """Refuse (``ValidationError``) to write ``target`` over a workbook, its companions or any SQLite file.

    ``protect`` names files that must never be replaced (the workbook in use);
    they are compared by inode and resolved path, so a symbolic or hard link to
    one is refused too. Returns ``target`` with ``~`` expanded.
    """
    target = Path(target).expanduser()
    for kept in protect:
        if kept is None or str(kept) == ":memory:":
            continue
        kept = Path(kept)
        for companion in (kept, *(Path(f"{kept}{s}") for s in COMPANIONS)):
            if same_file(target, companion):
                raise ValidationError(
                    field, f"{target} is the workbook {kept} itself; nothing was written, choose another file"
                )
    for candidate in (target, Path(os.path.realpath(target))):
        reason = _what(candidate)
        if reason:
            raise ValidationError(field, f"{target} {reason}; nothing was written, choose another file")
    return target


@contextlib.contextmanager
def partial_file(target: Path) -> Iterator[tuple[int, Path]]:
    """A new private temporary file beside ``target`` (exclusive, unpredictable name): ``(fd, path)``.

    The caller writes it and moves it into place; if anything fails it is deleted.
    """
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    tmp = Path(name)
    try:
        yield fd, tmp
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise


def write_private(
    target: str | os.PathLike[str],
    write: Callable[[BinaryIO], object],
    protect: Protected = (),
    *,
    field: str = "output",
    mode: int = PRIVATE_FILE,
) -> Path:
    """Write a private file at ``target`` in one step: ``write(fh)`` fills a temporary file, renamed over ``target``.

    Refused (nothing written) when ``target`` is a workbook or any SQLite file
    (see :func:`check_output`). Missing folders are made private. The file is
    ``0600``, or ``0640`` with ``mode=SHARED_FILE``. Returns the resolved path.
    """
    if mode not in (PRIVATE_FILE, SHARED_FILE):
        raise ValueError(f"mode {mode:o}: a file written here is 600 or 640")
    target = check_output(target, protect, field=field)
    if target.is_dir():
        raise ValidationError(field, f"{target} is a folder; give a file name")
    private_dir(target.parent)
    with partial_file(target) as (fd, tmp):
        os.fchmod(fd, mode) if hasattr(os, "fchmod") else os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    return target.resolve()


def write_text(
    target: str | os.PathLike[str],
    text: str,
    protect: Protected = (),
    *,
    field: str = "output",
    mode: int = PRIVATE_FILE,
) -> Path:
    """:func:`write_private` for a UTF-8 text."""
    data = text.encode("utf-8")
    return write_private(target, lambda fh: fh.write(data), protect, field=field, mode=mode)


def place_new(tmp: Path, target: Path) -> None:
    """Move the finished file ``tmp`` to ``target``, which must not exist (a backup is never replaced).

    A hard link is made and ``tmp`` removed, so an existing ``target`` is never
    overwritten; on file systems without hard links it is renamed after a check.
    """
    try:
        os.link(tmp, target, follow_symlinks=False)
    except FileExistsError:
        raise ValidationError("output", f"{target} already exists; choose another file name") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.EACCES):
            raise
        if os.path.lexists(target):
            raise ValidationError("output", f"{target} already exists; choose another file name") from None
        os.replace(tmp, target)
        return
    tmp.unlink()


def copy_private(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> bool:
    """Copy ``source`` to a new private file ``target``; False (nothing changed) when ``target`` exists."""
    target = Path(target)
    if not create_private_file(target):
        return False
    try:
        with open(source, "rb") as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return True


def mode(path: str | os.PathLike[str]) -> int:
    """The permission bits of ``path`` (for messages and tests)."""
    return stat.S_IMODE(os.lstat(path).st_mode)
