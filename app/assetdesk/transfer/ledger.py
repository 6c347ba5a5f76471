"""The hash ledger: the running hashes of a `.part`'s contiguous prefix, fed from worker threads
as pieces are written, possibly out of order."""

from __future__ import annotations

import threading
from collections.abc import Callable

from assetdesk.core.units import MIB
from assetdesk.transfer.integrity import Hashes

#: Bytes hashed per worker-thread call when catching up on pieces written out of order.
HASH_STEP = 4 * MIB


class Ledger:
    """The running hashes of the file's contiguous prefix, fed from worker threads.

    A write that lands exactly at the hashed end is hashed at once from its buffer; bytes written
    ahead of it (later pieces) are read back from the file when the prefix reaches them.
    """

    def __init__(self, *, md5: bool, sha256: bool = False) -> None:
        self.hashes = Hashes(md5=md5, sha256=sha256)
        self.hashed = 0
        self.lock = threading.Lock()

    def after_write(self, offset: int, data: bytes | list[bytes]) -> None:
        """Hash `data` (buffers in a row, written at `offset`) when it extends the prefix."""
        with self.lock:
            if offset == self.hashed:
                for chunk in [data] if isinstance(data, bytes) else data:
                    self.hashes.update(chunk)
                    self.hashed += len(chunk)

    def catch_up(self, read_at: Callable[[int, int], bytes], upto: int) -> None:
        """Hash the next step of the prefix towards `upto`, read back with `read_at(offset,
        size)` (unbuffered: no stale read-ahead; a read may come back short)."""
        with self.lock:
            if self.hashed >= upto:
                return
            want = min(HASH_STEP, upto - self.hashed)
            data = b""
            while len(data) < want:
                more = read_at(self.hashed + len(data), want - len(data))
                if not more:
                    raise OSError(f"read {len(data)} of {want} bytes back from the partial file")
                data += more
            self.hashes.update(data)
            self.hashed += want
