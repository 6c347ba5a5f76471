"""What the server says a download should be (size, CRC32C, MD5) and the local hashes that
prove it: a file is only renamed into place when `check` agrees.

Header parsing never raises: a malformed header only means there is less to verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import google_crc32c
import httpx

from assetdesk.core.errors import IntegrityError
from assetdesk.core.units import MIB

__all__ = [
    "Expected",
    "Hashes",
    "check",
    "content_range",
    "expected_from_headers",
    "parse_goog_hash",
    "sha256_of_file",
]

_CRC32C_SIZE = 4
_MD5_SIZE = 16
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_CONTENT_RANGE = re.compile(r"bytes[ \t]+([0-9]+)-([0-9]+)/([0-9]+|\*)", re.ASCII | re.IGNORECASE)


@dataclass(frozen=True)
class Expected:
    """Integrity data the server announced; None where it announced nothing usable."""

    size: int | None  # total object size
    crc32c: bytes | None  # 4 raw bytes, big-endian, from x-goog-hash crc32c=<base64>
    md5: bytes | None  # 16 raw bytes, from x-goog-hash md5=<base64>
    etag: str | None


def parse_goog_hash(values: Sequence[str]) -> tuple[bytes | None, bytes | None]:
    """(crc32c, md5) from the `x-goog-hash` header lines; bad or unknown entries are ignored.

    GCS sends one line 'crc32c=..., md5=...' or one line per algorithm; the first valid value of
    each algorithm wins.
    """
    crc32c: bytes | None = None
    md5: bytes | None = None
    for value in values:
        if not isinstance(value, str):
            continue
        for item in value.split(","):
            name, eq, encoded = item.partition("=")
            if not eq:
                continue
            name = name.strip().lower()
            size = {"crc32c": _CRC32C_SIZE, "md5": _MD5_SIZE}.get(name)
            if size is None:
                continue
            raw = _b64(encoded.strip().strip('"'))
            if raw is None or len(raw) != size:
                continue
            if name == "crc32c" and crc32c is None:
                crc32c = raw
            elif name == "md5" and md5 is None:
                md5 = raw
    return crc32c, md5


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _number(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if _DIGITS.fullmatch(text) else None


def content_range(headers: httpx.Headers) -> tuple[int, int, int | None] | None:
    """(first, last, total) from a 206's `Content-Range: bytes a-b/total`; total None for '*'.

    None when the header is missing or malformed (last before first, or past the total).
    """
    value = headers.get("content-range")
    if value is None:
        return None
    match = _CONTENT_RANGE.fullmatch(value.strip())
    if match is None:
        return None
    first, last = int(match[1]), int(match[2])
    total = None if match[3] == "*" else int(match[3])
    if last < first or (total is not None and last >= total):
        return None
    return first, last, total


def expected_from_headers(headers: httpx.Headers, *, status: int) -> Expected:
    """What a 200 or 206 response announces about the whole object.

    The total size is `x-goog-stored-content-length` when numeric, else the total of a 206's
    `Content-Range`, else a 200's `Content-Length`. With a `Content-Encoding` other than
    identity, the stored length and the hashes describe the encoded object, not the bytes the
    client hands over after decoding, so size and hashes are left unknown (None) rather than
    failing a good download.
    """
    etag = headers.get("etag")
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        return Expected(size=None, crc32c=None, md5=None, etag=etag)
    crc32c, md5 = parse_goog_hash(headers.get_list("x-goog-hash"))
    size = _number(headers.get("x-goog-stored-content-length"))
    if size is None and status == 206:
        parsed = content_range(headers)
        size = parsed[2] if parsed is not None else None
    elif size is None and status == 200:
        size = _number(headers.get("content-length"))
    return Expected(size=size, crc32c=crc32c, md5=md5, etag=etag)


class Hashes:
    """Incremental SHA-256 and CRC32C (and MD5 when asked) of the bytes written.

    CPU work: the engine calls `update` on a worker thread.
    """

    def __init__(self, *, md5: bool, sha256: bool = True) -> None:
        self._sha256 = hashlib.sha256() if sha256 else None
        self._crc32c = google_crc32c.Checksum()  # type: ignore[no-untyped-call]
        self._md5 = hashlib.md5(usedforsecurity=False) if md5 else None

    def update(self, data: bytes | bytearray | memoryview) -> None:
        if self._sha256 is not None:
            self._sha256.update(data)
        if self._md5 is not None:
            self._md5.update(data)
        # google_crc32c only takes read-only bytes (not a bytearray or a memoryview).
        self._crc32c.update(data if isinstance(data, bytes) else bytes(data))  # type: ignore[no-untyped-call]

    def sha256_hex(self) -> str | None:
        """None when the SHA-256 was not asked for (it costs ~0.5 s of CPU per GiB)."""
        return self._sha256.hexdigest() if self._sha256 is not None else None

    def crc32c(self) -> bytes:
        """4 bytes, big-endian, as GCS encodes it in `x-goog-hash`."""
        return bytes(self._crc32c.digest())  # type: ignore[no-untyped-call]

    def md5(self) -> bytes | None:
        return self._md5.digest() if self._md5 is not None else None


def check(expected: Expected, size: int, hashes: Hashes, *, name: str) -> list[str]:
    """What was verified (['size', 'crc32c', 'md5'] or fewer), or IntegrityError naming `name`
    at the first mismatch: size, then CRC32C, then MD5."""
    verified: list[str] = []
    if expected.size is not None:
        if size != expected.size:
            raise IntegrityError(
                f"{name} is {size:,} bytes but the server announced {expected.size:,}; "
                "the download was discarded."
            )
        verified.append("size")
    if expected.crc32c is not None:
        got = hashes.crc32c()
        if got != expected.crc32c:
            raise IntegrityError(
                f"{name} failed its CRC32C check (the server said {expected.crc32c.hex()}, "
                f"the download has {got.hex()}); it was discarded."
            )
        verified.append("crc32c")
    md5 = hashes.md5()
    if expected.md5 is not None and md5 is not None:
        if md5 != expected.md5:
            raise IntegrityError(
                f"{name} failed its MD5 check (the server said {expected.md5.hex()[:8]}…, "
                f"the download has {md5.hex()[:8]}…); it was discarded."
            )
        verified.append("md5")
    return verified


def sha256_of_file(path: Path) -> tuple[int, str]:
    """(size, SHA-256 hex) of a file on disk, read a MiB at a time (blocking)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(MIB):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()
