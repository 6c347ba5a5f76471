"""Objects of the storage origin: files on disk with their hashes, never held in memory."""

from __future__ import annotations

import base64
import functools
import hashlib
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import anyio.to_thread
import google_crc32c

CHUNK = 256 * 1024
#: Uploads are written to disk in pieces of at least this many bytes.
WRITE_CHUNK = 1024 * 1024
#: Bodies that contain this marker are refused by the "content policy" of the Google Flow upload.
POLICY_MARKER = b"ASSETDESK-SANDBOX-POLICY"


@dataclass(frozen=True)
class StoredObject:
    """One object: `key` is `bucket/object` as it appears in the storage URL path."""

    key: str
    path: Path
    size: int
    content_type: str
    md5: bytes
    crc32c: bytes  # 4 bytes, big-endian
    created: float
    owned: bool  # the file lives in the sandbox's data dir and is deleted on reset

    @property
    def etag(self) -> str:
        return f'"{self.md5.hex()}"'

    @property
    def crc32c_hash(self) -> str:
        """`crc32c=<base64>`, one part of `x-goog-hash`."""
        return f"crc32c={base64.b64encode(self.crc32c).decode()}"

    @property
    def md5_hash(self) -> str:
        """`md5=<base64>`, one part of `x-goog-hash`."""
        return f"md5={base64.b64encode(self.md5).decode()}"

    @property
    def goog_hash(self) -> str:
        return f"{self.crc32c_hash}, {self.md5_hash}"

    def describe(self) -> dict[str, object]:
        return {
            "key": self.key,
            "file": str(self.path),
            "size": self.size,
            "content_type": self.content_type,
            "md5": self.md5.hex(),
            "crc32c": self.crc32c.hex(),
        }


class Digest:
    """Size, md5, crc32c and the policy marker, updated chunk by chunk."""

    def __init__(self) -> None:
        self.size = 0
        self._md5 = hashlib.md5()
        self._crc = google_crc32c.Checksum()  # type: ignore[no-untyped-call]
        self._tail = b""
        self.has_marker = False

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self._md5.update(chunk)
        self._crc.update(chunk)  # type: ignore[no-untyped-call]
        if not self.has_marker:
            window = self._tail + chunk
            self.has_marker = POLICY_MARKER in window
            self._tail = window[-(len(POLICY_MARKER) - 1) :]

    @property
    def md5(self) -> bytes:
        return self._md5.digest()

    @property
    def crc32c(self) -> bytes:
        return bytes(self._crc.digest())  # type: ignore[no-untyped-call]


class UploadWriter:
    """Streams an upload to a file: hashing and writing happen on a worker thread, in pieces of
    at least WRITE_CHUNK bytes, so neither holds up the event loop nor costs a thread hop per
    small network read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest = Digest()
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._stream: BinaryIO | None = None

    async def write(self, chunk: bytes) -> None:
        self._pending.append(chunk)
        self._pending_size += len(chunk)
        if self._pending_size >= WRITE_CHUNK:
            await self._flush()

    async def finish(self) -> Digest:
        """Write what is left and close the file; the digest of everything written."""
        await self._flush()
        await self.close()
        return self.digest

    async def close(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            await anyio.to_thread.run_sync(stream.close)

    async def discard(self) -> None:
        """Close and delete the file."""
        await self.close()
        await anyio.to_thread.run_sync(functools.partial(self.path.unlink, missing_ok=True))

    def abandon(self) -> None:
        """`discard` without awaiting, for a cancelled upload."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        self.path.unlink(missing_ok=True)

    async def _flush(self) -> None:
        piece = b"".join(self._pending)
        self._pending, self._pending_size = [], 0
        await anyio.to_thread.run_sync(self._store, piece)

    def _store(self, piece: bytes) -> None:  # on a worker thread
        if self._stream is None:
            self._stream = self.path.open("wb")
        if piece:
            self.digest.update(piece)
            self._stream.write(piece)


def digest_file(path: Path) -> Digest:
    digest = Digest()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest


class BlobStore:
    """Objects by key. Uploads go to files under `root`; seeded and registered files are served
    where they are."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._objects: dict[str, StoredObject] = {}

    def new_upload_path(self) -> Path:
        return self.root / f"upload-{uuid.uuid4().hex}"

    def add(
        self, key: str, path: Path, content_type: str, digest: Digest, *, owned: bool
    ) -> StoredObject:
        obj = StoredObject(
            key=key,
            path=path,
            size=digest.size,
            content_type=content_type,
            md5=digest.md5,
            crc32c=digest.crc32c,
            created=time.time(),
            owned=owned,
        )
        self._objects[key] = obj
        return obj

    def add_file(self, key: str, path: Path, content_type: str) -> StoredObject:
        """Register an existing file (hashes it once; call from a thread for big files)."""
        return self.add(key, path, content_type, digest_file(path), owned=False)

    def get(self, key: str) -> StoredObject | None:
        return self._objects.get(key)

    def all(self) -> list[StoredObject]:
        return list(self._objects.values())

    def clear(self) -> None:
        """Forget every object and delete the uploaded files."""
        for obj in self._objects.values():
            if obj.owned:
                obj.path.unlink(missing_ok=True)
        self._objects.clear()
        for stray in self.root.glob("upload-*"):
            stray.unlink(missing_ok=True)

    def close(self) -> None:
        self.clear()
        shutil.rmtree(self.root, ignore_errors=True)
