"""The record kept beside a `.part`: written and read back, and trusted only when it fits."""

from __future__ import annotations

import asyncio
from pathlib import Path

from assetdesk.core.errors import IntegrityError, NetworkError
from assetdesk.transfer.integrity import Expected
from assetdesk.transfer.pieces import Piece
from assetdesk.transfer.resume import (
    find_record,
    pieces_of,
    read_record,
    record_of,
    record_path,
    worth_keeping,
    write_record,
)

EXPECTED = Expected(size=30, crc32c=b"\x01\x02\x03\x04", md5=None, etag='"v1"')
PIECES = [Piece(0, 10, 10), Piece(10, 20, 3), Piece(20, 30, 0)]


def _kept(folder: Path, name: str, key: str, expected: Expected = EXPECTED) -> Path:
    part = folder / (name + ".part")
    part.write_bytes(b"\0" * 30)
    write_record(part, record_of(key, expected, PIECES))
    return part


def test_a_record_reads_back_as_written(tmp_path: Path) -> None:
    part = _kept(tmp_path, "a.mp4", "wordbee:1")
    assert record_path(part) == tmp_path / "a.mp4.part.json"
    record = read_record(part)
    assert record is not None and record["key"] == "wordbee:1" and record["crc32c"] == "01020304"
    pieces = pieces_of(record, 30, part)
    assert pieces is not None
    assert [(p.start, p.end, p.flushed) for p in pieces] == [(0, 10, 10), (10, 20, 3), (20, 30, 0)]


def test_pieces_that_leave_a_gap_or_outgrow_the_part_are_refused(tmp_path: Path) -> None:
    part = _kept(tmp_path, "a.mp4", "k")
    record = read_record(part)
    assert record is not None
    assert pieces_of({**record, "pieces": [[0, 10, 10], [12, 30, 0]]}, 30, part) is None
    assert pieces_of(record, 40, part) is None
    part.write_bytes(b"\0" * 5)  # shorter than the 10 bytes the first piece claims
    assert pieces_of(record, 30, part) is None


def test_a_record_of_another_version_is_no_record(tmp_path: Path) -> None:
    (tmp_path / "a.mp4.part").write_bytes(b"")
    (tmp_path / "a.mp4.part.json").write_text('{"version": 2}', encoding="utf-8")
    assert read_record(tmp_path / "a.mp4.part") is None


def test_the_kept_part_of_the_object_is_found_under_a_renamed_name(tmp_path: Path) -> None:
    _kept(tmp_path, "a.mp4", "other object")
    _kept(tmp_path, "a (1).mp4", "k")
    found = find_record(tmp_path, "a.mp4", "k", EXPECTED)
    assert found is not None and found[0] == tmp_path / "a (1).mp4"
    assert found[1] is not None and len(found[1]) == 3


def test_a_changed_object_finds_its_part_without_pieces(tmp_path: Path) -> None:
    _kept(tmp_path, "a.mp4", "k")
    changed = Expected(size=30, crc32c=b"\x01\x02\x03\x04", md5=None, etag='"v2"')
    assert find_record(tmp_path, "a.mp4", "k", changed) == (tmp_path / "a.mp4", None)


def test_nothing_is_found_without_a_key_or_a_way_to_tell_versions(tmp_path: Path) -> None:
    _kept(tmp_path, "a.mp4", "k")
    assert find_record(tmp_path, "a.mp4", None, EXPECTED) is None
    bare = Expected(size=30, crc32c=None, md5=None, etag=None)
    assert find_record(tmp_path, "a.mp4", "k", bare) is None


def test_only_a_failure_that_can_pass_keeps_the_bytes() -> None:
    assert worth_keeping(NetworkError("dropped"), EXPECTED, PIECES)
    assert worth_keeping(asyncio.CancelledError(), EXPECTED, PIECES)
    assert not worth_keeping(IntegrityError("bad"), EXPECTED, PIECES)
    assert not worth_keeping(ValueError("bug"), EXPECTED, PIECES)
    assert not worth_keeping(NetworkError("dropped"), EXPECTED, [Piece(0, 30, 0)])
