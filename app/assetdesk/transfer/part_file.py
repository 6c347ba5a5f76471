"""The `.part` a download writes: claiming its name, positional writes and read-back from worker
threads, disk errors in words, and renaming it into place once verified.

A `.part` is claimed (created) as soon as its name is chosen, so that a concurrent download of
the same name, in this process or another, chooses another one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from assetdesk.core.errors import LocalFileError
from assetdesk.core.units import format_size
from assetdesk.transfer.ledger import Ledger
from assetdesk.transfer.names import Conflict, part_path, resolve_target
from assetdesk.transfer.resume import record_path, write_record

#: `.part` files this process is writing: two downloads of the same name never share one.
_PARTS_IN_USE: set[Path] = set()
_CLAIM_LOCK = threading.Lock()


def claim(folder: Path, name: str, policy: Conflict) -> Path | None:
    """Choose the target under `policy` and create its `.part` at once, so that a concurrent
    download of the same name (in this process or another) chooses another name."""
    with _CLAIM_LOCK:
        for _ in range(100):
            target = resolve_target(folder, name, policy)
            if target is None:
                return None
            part = part_path(target)
            if part in _PARTS_IN_USE:
                raise LocalFileError(f"{target.name} is already being downloaded into {folder}.")
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)
            if policy is Conflict.RENAME:
                flags |= os.O_EXCL  # resolve_target saw no .part: another process may race us
            try:
                os.close(os.open(part, flags, 0o644))
            except FileExistsError:
                continue
            _PARTS_IN_USE.add(part)
            return target
    raise LocalFileError(f"No free name for {name} could be found in {folder}.")


def claim_kept(part: Path, *, usable: bool) -> bool:
    """Take over a `.part` kept by an earlier download; one that is not `usable` (its object
    changed since) is removed with its record instead. False when not taken over."""
    with _CLAIM_LOCK:
        if part in _PARTS_IN_USE:
            return False
        if not usable:  # the object changed since: the kept bytes are worthless
            with contextlib.suppress(OSError):
                part.unlink()
            with contextlib.suppress(OSError):
                record_path(part).unlink()
            return False
        _PARTS_IN_USE.add(part)
    return True


def release(part: Path) -> None:
    with _CLAIM_LOCK:
        _PARTS_IN_USE.discard(part)


def open_reader(path: Path) -> BinaryIO:
    """Unbuffered: the other streams write through another handle, so a buffered reader's
    read-ahead could hand the hashes bytes that were overwritten since."""
    return path.open("rb", buffering=0)


def open_for_writing(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    return os.fdopen(fd, "r+b", buffering=0)


def write_at(handle: BinaryIO, lock: threading.Lock, data: bytes, at: int) -> None:
    with lock:  # one handle per file: seek + write must not interleave (no pwrite on Windows)
        handle.seek(at)
        view = memoryview(data)
        while view:
            written = handle.write(view)
            if not written:
                raise OSError("the disk accepted no bytes")
            view = view[written:]


def allocate(handle: BinaryIO, size: int) -> None:
    """Reserve `size` bytes: real blocks where the OS can (a full disk fails now, not later)."""
    fallocate: Callable[[int, int, int], None] | None = getattr(os, "posix_fallocate", None)
    if fallocate is not None:
        try:
            fallocate(handle.fileno(), 0, size)
            return
        except OSError as error:
            if error.errno not in (95, 22):  # EOPNOTSUPP, EINVAL: the file system cannot
                raise
    handle.truncate(size)


def disk_error(error: OSError, path: Path) -> LocalFileError:
    if error.errno == 28:  # ENOSPC
        return LocalFileError(
            f"The disk is full: {path.name} could not be written in {path.parent}; "
            "nothing was kept."
        )
    if error.errno in (122,):  # EDQUOT
        return LocalFileError(
            f"The disk quota is used up: {path.name} could not be written; nothing was kept."
        )
    return LocalFileError(
        f"{path.name} could not be written in {path.parent}: {error.strerror or error}."
    )


class PartFile:
    """One download's `.part` in `folder`: its target, its handles and the ledger of its hashes.

    The methods without `async` block: the download calls them on worker threads.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.target: Path | None = None
        self.part: Path | None = None
        self.handle: BinaryIO | None = None
        self.reader: BinaryIO | None = None
        self.write_lock = threading.Lock()
        self.ledger = Ledger(md5=False)

    def check_folder(self) -> None:
        if not self.folder.exists():
            raise LocalFileError(f"The folder {self.folder} does not exist.")
        if not self.folder.is_dir():
            raise LocalFileError(f"{self.folder} is not a folder.")
        if not os.access(self.folder, os.W_OK):
            raise LocalFileError(f"AssetDesk may not write in {self.folder}.")

    def claimed(self, target: Path | None) -> None:
        """Record the target whose `.part` was claimed (or taken over)."""
        if target is not None:
            self.target, self.part = target, part_path(target)

    def prepare(self, size: int | None, empty: bool = True) -> None:
        assert self.part is not None and self.target is not None
        self.close()
        if not empty:  # a kept part, taken over as it is
            self.handle = open_for_writing(self.part)
            return
        with contextlib.suppress(FileNotFoundError):
            record_path(self.part).unlink()  # a fresh start: no record of old bytes
        self.handle = open_for_writing(self.part)
        self.handle.truncate(0)  # first: an earlier pass's blocks count as free space
        if size is not None:
            free = shutil.disk_usage(self.folder).free
            if free < size:
                raise LocalFileError(
                    f"Not enough free space for {self.target.name} in {self.folder}: it needs "
                    f"{format_size(size)} and {format_size(free)} is free."
                )
        if size:
            allocate(self.handle, size)

    def close(self) -> None:
        """Close the part's handles once no worker thread is using them (they hold the locks)."""
        with self.write_lock, self.ledger.lock:
            for handle in (self.handle, self.reader):
                if handle is not None:
                    with contextlib.suppress(OSError):
                        handle.close()
            self.handle = self.reader = None

    async def write(self, data: bytes, at: int) -> None:
        """Write `data` at offset `at` on a worker thread, hashing it when it extends the prefix."""
        assert self.handle is not None and self.part is not None
        try:
            await asyncio.to_thread(self._write_thread, data, at)
        except OSError as error:
            raise disk_error(error, self.target or self.part) from None

    def _write_thread(self, data: bytes, at: int) -> None:
        assert self.handle is not None
        write_at(self.handle, self.write_lock, data, at)
        self.ledger.after_write(at, data)

    async def hash_to(self, upto: int) -> None:
        """Hash the part's bytes up to `upto` from the file (on worker threads)."""
        assert self.reader is not None
        try:
            while self.ledger.hashed < upto:
                await asyncio.to_thread(self.ledger.catch_up, self.reader, upto)
        except OSError as error:
            raise disk_error(error, self.target or self.folder) from None

    def discard(self) -> None:
        """Close and remove the part and any record of it."""
        self.close()
        if self.part is not None:
            for path in (self.part, record_path(self.part)):
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)
            release(self.part)

    def keep(self, record: dict[str, object]) -> None:
        """Close the part and write its resume record beside it (no record: no part)."""
        assert self.part is not None
        part = self.part
        self.close()
        try:
            write_record(part, record)
        except OSError:
            with contextlib.suppress(OSError):
                part.unlink()
        release(part)

    def place_and_tidy(self, name: str, policy: Conflict) -> Path:
        assert self.part is not None
        final = self.place(name, policy)
        release(self.part)
        with contextlib.suppress(OSError):
            record_path(self.part).unlink(missing_ok=True)
        return final

    def place(self, name: str, policy: Conflict) -> Path:
        """Rename the verified `.part` into place; under "rename", never over a file that
        appeared meanwhile."""
        assert self.part is not None and self.target is not None
        if policy is Conflict.OVERWRITE:
            self.part.replace(self.target)
            return self.target
        target = self.target
        for _ in range(1000):
            try:
                os.link(self.part, target)  # fails if the name was taken meanwhile
            except FileExistsError:
                again = resolve_target(self.folder, name, Conflict.RENAME)
                if again is None or again == target:
                    break
                target = again
                continue
            except OSError:  # no hard links here (FAT, some shares): a plain rename
                if target.exists():
                    break
                self.part.replace(target)
                return target
            self.part.unlink()
            return target
        raise LocalFileError(f"{self.target.name} could not be saved in {self.folder}.")
