"""Objects of the storage origin: files on disk with their hashes, never held in memory."""

from __future__ import annotations

import base64
import hashlib
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import google_crc32c

CHUNK = 256 * 1024
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
    def goog_hash(self) -> str:
        crc = base64.b64encode(self.crc32c).decode()
        return f"crc32c={crc}, md5={base64.b64encode(self.md5).decode()}"

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
