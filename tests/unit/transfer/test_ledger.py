"""The hashes of a file whose pieces are written out of order by several streams."""

from __future__ import annotations

import os
import threading
import zlib
from pathlib import Path

import google_crc32c

from assetdesk.transfer.ledger import Ledger
from assetdesk.transfer.part_file import create_part, read_at, write_at


def test_catching_up_never_hashes_bytes_overwritten_since_an_earlier_read(tmp_path: Path) -> None:
    """A buffered reader would keep the zeros it read ahead past the hashed end and hand them
    out after another stream had written real bytes there (the order below)."""
    data = os.urandom(12_000)
    part = tmp_path / "x.part"
    writer, lock = create_part(part), threading.Lock()
    writer.truncate(len(data))

    def reader(at: int, size: int) -> bytes:
        return read_at(writer, lock, at, size)

    ledger = Ledger(md5=True, sha256=True)
    try:
        # Offsets stay inside the smallest read-ahead a buffered reader would use (4 KiB).
        write_at(writer, lock, data[:1000], 0)  # written by a stream that was not first
        ledger.catch_up(reader, 1000)  # hashed from the file (a reader may read ahead)
        write_at(writer, lock, data[2000:3000], 2000)  # ahead of the prefix: not hashed
        ledger.after_write(2000, data[2000:3000])
        write_at(writer, lock, data[1000:2000], 1000)  # at the prefix: hashed at once
        ledger.after_write(1000, data[1000:2000])
        ledger.catch_up(reader, 3000)
        write_at(writer, lock, data[3000:], 3000)
        ledger.after_write(3000, data[3000:])
        while ledger.hashed < len(data):
            ledger.catch_up(reader, len(data))
    finally:
        writer.close()
    assert ledger.hashes.crc32c() == google_crc32c.value(data).to_bytes(4, "big")
    assert ledger.hashes.md5() is not None
    assert ledger.hashes.sha256_hex() is not None
    assert zlib.crc32(part.read_bytes()) == zlib.crc32(data)
