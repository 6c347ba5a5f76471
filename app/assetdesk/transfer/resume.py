"""The resume record: `NAME.part.json` beside a kept `NAME.part`, saying which object it holds
(the source's resume key, size, ETag and hashes) and how far each piece got, so that a later
download of the very same object into the same folder goes on from there."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path
from typing import Any

from assetdesk.core.errors import AssetDeskError, IntegrityError
from assetdesk.transfer.integrity import Expected
from assetdesk.transfer.names import part_path, split_extension
from assetdesk.transfer.pieces import Piece


def record_path(part: Path) -> Path:
    """`NAME.part.json`: what a kept `NAME.part` holds."""
    return part.with_name(part.name + ".json")


def write_record(part: Path, record: dict[str, object]) -> None:
    """Write the record through a scratch file created new (a stale one, or a link planted in
    its place, is unlinked first, never followed) and renamed over the record (a link there is
    replaced itself)."""
    path = record_path(part)
    scratch = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        scratch.unlink()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(scratch, flags | getattr(os, "O_BINARY", 0), 0o644), "wb") as out:
        out.write(json.dumps(record).encode("utf-8"))
    scratch.replace(path)


def read_record(part: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(record_path(part).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("version") == 1 else None


def record_of(key: str | None, expected: Expected, pieces: list[Piece]) -> dict[str, object]:
    """The record of a part about to be kept."""
    return {
        "version": 1,
        "key": key,
        "size": expected.size,
        "etag": expected.etag,
        "crc32c": expected.crc32c.hex() if expected.crc32c else None,
        "md5": expected.md5.hex() if expected.md5 else None,
        "pieces": [[p.start, p.end, p.flushed] for p in pieces],
    }


def recordable(expected: Expected, pieces: list[Piece]) -> bool:
    """Whether the part holds bytes a later download could trust and use (its caller checks the
    options, the resume key and that ranges work)."""
    if expected.size is None or not pieces:
        return False
    if not (expected.etag or expected.crc32c or expected.md5):
        return False  # nothing would tell us later that the object is still the same
    return any(piece.flushed for piece in pieces)


def worth_keeping(error: BaseException, expected: Expected, pieces: list[Piece]) -> bool:
    """Whether a download that stopped with `error` holds bytes a later one could trust and use
    (its caller checks the options, the resume key and that ranges work)."""
    if not recordable(expected, pieces):
        return False
    if isinstance(error, asyncio.CancelledError | KeyboardInterrupt):
        return True
    return (
        isinstance(error, AssetDeskError)
        and error.retryable
        and not isinstance(error, IntegrityError)
    )


def find_record(
    folder: Path, name: str, key: str | None, expected: Expected
) -> tuple[Path, list[Piece] | None] | None:
    """The target of the first `.part` kept under `name` or a renamed `name (n)` by an earlier
    download of the object `key`, with its pieces; None for the pieces when that object has
    changed since (its kept bytes are worthless)."""
    if key is None or expected.size is None:
        return None
    if not (expected.etag or expected.crc32c or expected.md5):
        return None  # nothing would show that the kept bytes are of this very version
    stem, extension = split_extension(name)
    for n in range(100):
        target = folder / (name if n == 0 else f"{stem} ({n}){extension}")
        part = part_path(target)
        if not part.exists():
            return None
        record = read_record(part)
        if record is None or record.get("key") != key:
            continue
        same = (
            record.get("size") == expected.size
            and (not expected.etag or record.get("etag") == expected.etag)
            and (not expected.crc32c or record.get("crc32c") == expected.crc32c.hex())
            and (not expected.md5 or record.get("md5") == expected.md5.hex())
        )
        return target, (pieces_of(record, expected.size, part) if same else None)
    return None


def pieces_of(record: dict[str, Any], size: int, part: Path) -> list[Piece] | None:
    """The recorded pieces, if they tile the file exactly and the part is as large as them."""
    raw = record.get("pieces")
    if not isinstance(raw, list) or not raw:
        return None
    pieces: list[Piece] = []
    at = 0
    for item in raw:
        if not (isinstance(item, list) and len(item) == 3 and all(type(v) is int for v in item)):
            return None
        start, end, flushed = item
        if start != at or end <= start or not 0 <= flushed <= end - start:
            return None
        pieces.append(Piece(start, end, flushed))
        at = end
    if at != size:
        return None
    try:
        on_disk = part.stat().st_size
    except OSError:
        return None
    if on_disk < max(piece.position for piece in pieces):
        return None
    return pieces
