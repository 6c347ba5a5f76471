"""The `.part` a download writes: claiming its name, positional writes and read-back from worker
threads, disk errors in words, and renaming it into place once verified and flushed to disk.

A `.part` is claimed (created) as soon as its name is chosen, so that a concurrent download of
the same name, in this process or another, chooses another one.

Never through a link: a `.part` is always created new (`O_CREAT | O_EXCL | O_NOFOLLOW`, a stale
one unlinked first, which removes a link and never touches what it points at), a kept one is
reopened with `O_NOFOLLOW` and must be a plain file, and the descriptor opened then is the only
way the bytes are written and read back: nothing is reopened by path. Windows has no
`O_NOFOLLOW`: there `O_EXCL` (CREATE_NEW) alone refuses any existing entry, link or reparse point
included, and a kept part that `lstat` shows to be a link or a reparse point is not reopened.
Before the rename the part is checked to be the very file the descriptor holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from assetdesk.core.errors import LocalFileError
from assetdesk.core.units import MIB, format_size
from assetdesk.transfer.ledger import Ledger
from assetdesk.transfer.names import Conflict, part_path, resolve_target
from assetdesk.transfer.part_lock import hold, is_orphan
from assetdesk.transfer.resume import record_path, write_record

#: Every this many bytes written, the part's dirty pages are flushed on a worker thread while the
#: download goes on, so that the fsync before the rename finds little left to write (1 GiB over
#: the sandbox: see `benchmarks/transfer.py`'s fsync line).
FLUSH_BEHIND = 64 * MIB

#: `.part` files this process is writing: two downloads of the same name never share one.
_PARTS_IN_USE: set[Path] = set()
_CLAIM_LOCK = threading.Lock()


def claim(folder: Path, name: str, policy: Conflict) -> tuple[Path, BinaryIO] | None:
    """Choose the target under `policy` and create its `.part` at once (the handle to write it
    through is returned), so that a concurrent download of the same name (in this process or
    another) chooses another name."""
    with _CLAIM_LOCK:
        for _ in range(100):
            target = resolve_target(folder, name, policy)
            if target is None:
                return None
            part = part_path(target)
            if part in _PARTS_IN_USE:
                raise LocalFileError(f"{target.name} is already being downloaded into {folder}.")
            if policy is not Conflict.RENAME or is_orphan(part):
                # resolve_target took the name whatever its .part (or its .part is an orphan)
                with contextlib.suppress(FileNotFoundError):
                    part.unlink()  # a stale part, or a link planted there: never followed
            try:
                handle = create_part(part)
            except FileExistsError:  # another process took the name meanwhile
                continue
            _PARTS_IN_USE.add(part)
            return target, handle
    raise LocalFileError(f"No free name for {name} could be found in {folder}.")


def claim_kept(part: Path, *, usable: bool) -> BinaryIO | None:
    """Take over a `.part` kept by an earlier download (its handle); one that is not `usable`
    (its object changed since) or is not a plain file is removed with its record instead. None
    when not taken over."""
    with _CLAIM_LOCK:
        if part in _PARTS_IN_USE:
            return None
        handle = open_kept(part) if usable else None
        if handle is None:  # the object changed since, or a link: the kept bytes are worthless
            with contextlib.suppress(OSError):
                part.unlink()
            with contextlib.suppress(OSError):
                record_path(part).unlink()
            return None
        _PARTS_IN_USE.add(part)
    return handle


def release(part: Path) -> None:
    with _CLAIM_LOCK:
        _PARTS_IN_USE.discard(part)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def create_part(part: Path) -> BinaryIO:
    """Create `part` new, never through a link (FileExistsError when the name is taken)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY
    descriptor = os.open(part, flags, 0o644)
    hold(descriptor)  # being written: never taken for an orphan
    return os.fdopen(descriptor, "r+b", buffering=0)


def open_kept(part: Path) -> BinaryIO | None:
    """Reopen a kept `part` for writing; None when it is gone, a link or not a plain file."""
    try:
        if _is_link(os.lstat(part)):
            return None
        fd = os.open(part, os.O_RDWR | _NOFOLLOW | _BINARY)
    except OSError:  # gone, or ELOOP: a link planted since
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    hold(fd)
    return os.fdopen(fd, "r+b", buffering=0)


def _is_link(info: os.stat_result) -> bool:
    reparse = getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0)
    return stat.S_ISLNK(info.st_mode) or bool(getattr(info, "st_file_attributes", 0) & reparse)


def read_at(handle: BinaryIO, lock: threading.Lock, at: int, size: int) -> bytes:
    """Up to `size` bytes at offset `at`, through the writer's own descriptor: `pread` where the
    OS has it (the writers' position is untouched), else seek + read under the writers' lock.
    Unbuffered either way, so no read-ahead can hand out bytes overwritten since."""
    pread: Callable[[int, int, int], bytes] | None = getattr(os, "pread", None)
    if pread is not None:
        return pread(handle.fileno(), size, at)
    with lock:
        handle.seek(at)
        return handle.read(size) or b""


def write_at(handle: BinaryIO, lock: threading.Lock, data: bytes | list[bytes], at: int) -> None:
    """Write `data` (one buffer, or several in a row, never joined) at offset `at`: `pwritev`
    where the OS has it, else seek + write, one buffer after the other. Under the writers' lock
    either way: `close` takes it, so the descriptor is never closed under a write."""
    chunks = [data] if isinstance(data, bytes) else data
    with lock:  # one handle per file: seek + write must not interleave (no pwrite on Windows)
        if _PWRITEV is not None:
            _pwritev_all(handle.fileno(), chunks, at)
            return
        handle.seek(at)
        for chunk in chunks:
            view = memoryview(chunk)
            while view:
                written = handle.write(view)
                if not written:
                    raise OSError("the disk accepted no bytes")
                view = view[written:]


_PWRITEV: Callable[[int, list[Any], int], int] | None = getattr(os, "pwritev", None)
#: Buffers per `pwritev` call: far under any system's IOV_MAX (1024 on Linux).
_IOV_STEP = 256


def _pwritev_all(fd: int, chunks: list[bytes], at: int) -> None:
    """`pwritev` until every byte of `chunks` is written (a call may write fewer)."""
    assert _PWRITEV is not None
    views: list[Any] = [memoryview(chunk) for chunk in chunks if chunk]
    while views:
        batch = views[:_IOV_STEP]
        written = _PWRITEV(fd, batch, at)
        if written <= 0:
            raise OSError("the disk accepted no bytes")
        at += written
        while views and written >= len(views[0]):
            written -= len(views.pop(0))
        if written:
            views[0] = views[0][written:]


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
    """One download's `.part` in `folder`: its target, its handle and the ledger of its hashes.

    The methods without `async` block: the download calls them on worker threads.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.target: Path | None = None
        self.part: Path | None = None
        self.handle: BinaryIO | None = None
        #: (device, inode) of the part the handle holds: what is renamed must be that file.
        self.identity: tuple[int, int] | None = None
        self.write_lock = threading.Lock()
        self.ledger = Ledger(md5=False)
        #: Held while the resume record is written or removed (a running download saves it
        #: from time to time, the end of the download removes or rewrites it).
        self.record_lock = threading.Lock()
        #: Counts fresh starts of the part: a record made before one describes old bytes.
        self.generation = 0
        self._unflushed = 0
        self._behind: asyncio.Future[None] | None = None

    def check_folder(self) -> None:
        if not self.folder.exists():
            raise LocalFileError(f"The folder {self.folder} does not exist.")
        if not self.folder.is_dir():
            raise LocalFileError(f"{self.folder} is not a folder.")
        if not os.access(self.folder, os.W_OK):
            raise LocalFileError(f"AssetDesk may not write in {self.folder}.")

    def claimed(self, claim: tuple[Path, BinaryIO] | None) -> None:
        """Record the target whose `.part` was claimed (or taken over) and its handle."""
        if claim is not None:
            (self.target, self.handle), self.part = claim, part_path(claim[0])
            info = os.fstat(self.handle.fileno())
            self.identity = (info.st_dev, info.st_ino)

    def prepare(self, size: int | None, empty: bool = True) -> None:
        """Make the part ready for a pass: as it is (a kept part taken over), else empty with
        `size` bytes reserved."""
        assert self.part is not None and self.target is not None and self.handle is not None
        if not empty:
            return
        with self.record_lock, self.ledger.lock, self.write_lock:
            self.generation += 1
            with contextlib.suppress(FileNotFoundError):
                record_path(self.part).unlink()  # a fresh start: no record of old bytes
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
        """Close the part's handle once no worker thread is using it (they hold the locks;
        the ledger's is always taken before the writers', as a read-back under it may need
        the writers' lock)."""
        with self.ledger.lock, self.write_lock:
            if self.handle is not None:
                with contextlib.suppress(OSError):
                    self.handle.close()
            self.handle = None

    async def write(self, data: bytes | list[bytes], at: int) -> None:
        """Write `data` (buffers in a row) at offset `at` on a worker thread, hashing it when it
        extends the prefix."""
        assert self.handle is not None and self.part is not None
        try:
            await asyncio.to_thread(self._write_thread, data, at)
        except OSError as error:
            raise disk_error(error, self.target or self.part) from None
        self._unflushed += len(data) if isinstance(data, bytes) else sum(map(len, data))
        if self._unflushed >= FLUSH_BEHIND and (self._behind is None or self._behind.done()):
            self._unflushed = 0
            # A plain executor future (no task): nothing is left pending if the part is dropped.
            loop = asyncio.get_running_loop()
            self._behind = loop.run_in_executor(None, self._flush_behind)

    def _flush_behind(self) -> None:
        """Start the part's dirty pages on their way to disk (best effort: `settle` checks)."""
        handle = self.handle
        if handle is not None:
            with contextlib.suppress(OSError, ValueError):  # closed meanwhile: nothing to do
                getattr(os, "fdatasync", os.fsync)(handle.fileno())

    async def flushed_behind(self) -> None:
        """Wait for a flush-behind still running (before `settle`)."""
        if self._behind is not None:
            await self._behind

    def _write_thread(self, data: bytes | list[bytes], at: int) -> None:
        assert self.handle is not None
        write_at(self.handle, self.write_lock, data, at)
        self.ledger.after_write(at, data)

    def _read_at(self, at: int, size: int) -> bytes:
        handle = self.handle
        if handle is None:
            raise OSError("the partial file was closed")
        return read_at(handle, self.write_lock, at, size)

    async def hash_to(self, upto: int) -> None:
        """Hash the part's bytes up to `upto` from the file (on worker threads)."""
        try:
            while self.ledger.hashed < upto:
                await asyncio.to_thread(self.ledger.catch_up, self._read_at, upto)
        except OSError as error:
            raise disk_error(error, self.target or self.folder) from None

    def save_record(self, record: dict[str, object], generation: int) -> None:
        """Write the resume record of the running download (a SIGKILL or a power cut leaves a
        part that the next download resumes); nothing once the part is closed or started
        afresh since `record` was made."""
        with self.record_lock:
            if self.part is not None and self.handle is not None and generation == self.generation:
                write_record(self.part, record)

    def discard(self) -> None:
        """Close and remove the part and any record of it."""
        with self.record_lock:
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
        with self.record_lock:
            self.close()
            try:
                write_record(part, record)
            except OSError:
                with contextlib.suppress(OSError):
                    part.unlink()
                with contextlib.suppress(OSError):
                    record_path(part).unlink()
        release(part)

    def settle(self) -> None:
        """Flush the verified part's bytes to disk and check that the file at its path is still
        the one written (not a link put in its place): the step before the rename."""
        assert self.handle is not None
        with self.write_lock:
            os.fsync(self.handle.fileno())
        self._check_identity()

    def place_and_tidy(self, name: str, policy: Conflict) -> Path:
        """Close the settled part, rename it into place, flush the folder's entry (the rename
        survives a power cut), and remove its record."""
        assert self.part is not None
        with self.record_lock:
            self.close()
            final = self.place(name, policy)
            sync_folder(self.folder)
            release(self.part)
            with contextlib.suppress(OSError):
                record_path(self.part).unlink(missing_ok=True)
        return final

    def _check_identity(self) -> None:
        """The part at its path must still be the file written (not a link put in its place)."""
        assert self.part is not None and self.target is not None
        try:
            info = os.lstat(self.part)
        except OSError:
            info = None
        if info is None or _is_link(info) or (info.st_dev, info.st_ino) != self.identity:
            raise LocalFileError(
                f"The partial file of {self.target.name} in {self.folder} was replaced by "
                "something else while it was written; nothing was saved."
            )

    def place(self, name: str, policy: Conflict) -> Path:
        """Rename the verified `.part` into place; under "rename", never over a file that
        appeared meanwhile. A link at the final name is replaced itself, never its target."""
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
                if os.path.lexists(target):
                    break
                self.part.replace(target)
                return target
            self.part.unlink()
            return target
        raise LocalFileError(f"{self.target.name} could not be saved in {self.folder}.")


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable, as far as the file system allows (POSIX; Windows has
    no folder handle to flush). Best effort: the file is in place whatever this says."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):  # some network file systems refuse a folder's fsync
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
