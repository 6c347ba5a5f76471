"""Positional writes into a real `.part`: a block's chunks written in a row without joining them
(`pwritev`), a write the disk takes only in part carried on to its end, the seek + write path of
systems without `pwritev`, and the ledger hashing such a block in order."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import google_crc32c
import pytest

from assetdesk.transfer import part_file
from assetdesk.transfer.ledger import Ledger
from assetdesk.transfer.part_file import create_part, write_at

CHUNKS = [os.urandom(size) for size in (1, 4096, 0, 65_537, 3, 262_144)]
DATA = b"".join(CHUNKS)


def _written(tmp_path: Path, at: int, chunks: list[bytes]) -> bytes:
    part = tmp_path / "a.mp4.part"
    handle = create_part(part)
    try:
        write_at(handle, threading.Lock(), b"x" * at, 0)
        write_at(handle, threading.Lock(), chunks, at)
    finally:
        handle.close()
    return part.read_bytes()


def test_chunks_are_written_in_a_row_at_the_offset(tmp_path: Path) -> None:
    assert _written(tmp_path, 10, CHUNKS) == b"x" * 10 + DATA


def test_a_short_write_is_carried_on_to_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that takes a few bytes per call (a fake: a real local disk takes them all)."""
    real = os.pwritev
    calls: list[int] = []

    def stingy(fd: int, buffers: list[Any], at: int) -> int:
        calls.append(len(buffers))
        first = next(bytes(b[:7777]) for b in buffers if len(b))
        return real(fd, [first], at)

    monkeypatch.setattr(part_file, "_PWRITEV", stingy)
    assert _written(tmp_path, 5, CHUNKS) == b"x" * 5 + DATA
    assert len(calls) > len(CHUNKS)


def test_without_pwritev_the_chunks_are_written_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(part_file, "_PWRITEV", None)  # as on Windows
    assert _written(tmp_path, 7, CHUNKS) == b"x" * 7 + DATA


def test_the_ledger_hashes_a_block_of_chunks_in_order() -> None:
    ledger = Ledger(md5=True, sha256=True)
    ledger.after_write(0, CHUNKS[:3])
    ledger.after_write(len(b"".join(CHUNKS[:3])), CHUNKS[3:])
    assert ledger.hashed == len(DATA)
    assert ledger.hashes.sha256_hex() == hashlib.sha256(DATA).hexdigest()
    assert ledger.hashes.md5() == hashlib.md5(DATA).digest()
    assert ledger.hashes.crc32c() == google_crc32c.Checksum(DATA).digest()
