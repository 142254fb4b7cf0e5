"""Reading a file someone exported from elsewhere, within limits, before anything is parsed.

Shared by the LinkedIn import and the import of every contacts format: the
file's bytes are read (a path, or the bytes of an upload) up to a size limit,
a zip archive's member is taken out by the size it declares and again while it
is decompressed, and the text is decoded. Every refusal is a
:class:`~workbook.errors.ValidationError` naming ``file``, in one line.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ValidationError

#: Largest file read (bytes, after decompressing a zip).
MAX_BYTES = 50 * 1024 * 1024
#: Most people (rows, cards) read from one file.
MAX_ROWS = 100_000
#: Share of control characters above which decoded text is taken for binary data.
BINARY_SHARE = 0.01


def size_in_words(n: int) -> str:
    """A number of bytes as people read it: ``1.0 MiB``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def too_big(label: str, size: int | None, max_bytes: int, kind: str) -> ValidationError:
    """The refusal of a file over ``max_bytes`` (``kind``: "a LinkedIn export", "a contacts file")."""
    what = f"is {size_in_words(size)}" if size is not None else "is larger than that"
    return ValidationError(
        "file",
        f"{label} {what}, over the limit of {size_in_words(max_bytes)} for {kind}; "
        "nothing was read (raise the limit with --max-size if the file is really yours)",
    )


def read_at_most(fh: Any, limit: int, chunk: int = 1 << 20) -> bytes:
    """Up to ``limit`` bytes, read in chunks so memory follows what is really there."""
    parts, total = [], 0
    while total < limit:
        part = fh.read(min(chunk, limit - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def bytes_of(source: str | os.PathLike | bytes, max_bytes: int, *, kind: str, wanted: str) -> tuple[bytes, str]:
    """The bytes of ``source`` (a path, or an upload's bytes) and a label for messages.

    ``wanted`` says what to give instead when there is no usable path ("Connections.csv").
    """
    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) > max_bytes:
            raise too_big("the uploaded file", len(source), max_bytes, kind)
        return bytes(source), "the uploaded file"
    text = str(source).strip()
    if not text:
        raise ValidationError("file", f"is empty; give the path to {wanted}")
    path = Path(text).expanduser()
    if path.is_dir():
        raise ValidationError("file", f"{path} is a folder; give the path to {wanted} inside it")
    if not path.exists():
        raise ValidationError("file", f"{path} does not exist")
    if path.is_file() and path.stat().st_size > max_bytes:
        raise too_big(path.name, path.stat().st_size, max_bytes, kind)
    with open(path, "rb") as fh:
        data = read_at_most(fh, max_bytes + 1)  # bounded even when the file grows or is not a regular file
    if len(data) > max_bytes:
        raise too_big(path.name, None, max_bytes, kind)
    return data, path.name


def is_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04")


def member_of_zip(
    data: bytes,
    name: str,
    max_bytes: int,
    *,
    kind: str,
    pick: Callable[[list[zipfile.ZipInfo]], zipfile.ZipInfo | None],
    missing: str,
) -> tuple[bytes, str]:
    """The bytes of the member ``pick`` chooses in the zip ``data``; ``missing`` is the refusal when none."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValidationError("file", f"{name} is a damaged zip file") from None
    with archive:
        member = pick(archive.infolist())
        if member is None:
            if any(m.filename == "[Content_Types].xml" for m in archive.infolist()):
                missing = "is an Office document (a spreadsheet?), not a CSV file; save it as 'CSV UTF-8' first"
            raise ValidationError("file", f"{name} {missing}")
        label = f"{name}: {member.filename}"
        if member.file_size > max_bytes:  # the size the zip declares, before decompressing anything
            raise too_big(f"{label} (uncompressed)", member.file_size, max_bytes, kind)
        try:
            with archive.open(member) as fh:
                content = read_at_most(fh, max_bytes + 1)  # a member that lies about its size still stops here
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise ValidationError("file", f"{label} cannot be read from the zip file ({exc})") from None
        if len(content) > max_bytes:
            raise too_big(f"{label} (uncompressed)", None, max_bytes, kind)
        return content, label


def looks_binary(text: str) -> bool:
    """True when ``text`` holds NUL bytes or many other control characters (a picture, a database)."""
    if "\x00" in text:
        return True
    sample = text[: 1 << 16]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v" or 0x7F <= ord(ch) < 0xA0)
    return bool(sample) and controls / len(sample) > BINARY_SHARE


def decode(data: bytes, name: str, *, fix: str) -> str:
    """Text of a file saved as UTF-8 (with or without a byte-order mark) or as UTF-16 with one.

    Anything else is refused, with ``fix`` saying how to save the file again: a
    guess at another encoding could write wrong letters into every name.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ValidationError("file", f"{name} says it is UTF-16 text but is not; {fix}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if b"\x00" in data[:4096]:
            raise ValidationError(
                "file", f"{name} is not a text file (it holds binary data); give the exported CSV or vCard file"
            ) from None
        raise ValidationError(
            "file",
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}); {fix}",
        ) from None
