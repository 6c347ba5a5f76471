"""Tell a file's real format from its first bytes; never trust the name.

`sniff(head)` names the format (supported or not); `classify_upload` turns that into the
MediaType to upload or a BadType / EmptyFile / TooLarge error with a sentence for the user.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import PurePath

from assetdesk.core.errors import BadType, EmptyFile
from assetdesk.core.media import (
    ACCEPTED_LABELS,
    JPEG,
    MP4,
    PNG,
    WEBP,
    MediaType,
    check_size,
    media_type_for_extension,
)

__all__ = ["HEAD_SIZE", "Sniffed", "classify_upload", "extension_note", "sniff"]

#: How many leading bytes `sniff` needs; fewer work for short files.
HEAD_SIZE = 64


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What the bytes are: `label` ("PNG", "PSD", ...) or None when unknown; `media_type` when
    AssetDesk can upload it."""

    label: str | None
    media_type: MediaType | None = None

    @property
    def supported(self) -> bool:
        return self.media_type is not None


UNKNOWN = Sniffed(None)

# ISO base media file format (ftyp) brands.
_MP4_BRANDS = frozenset(
    {"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso7", "iso8", "iso9", "mp41", "mp42"}
    | {"avc1", "dash", "mmp4", "M4V ", "M4VH", "M4VP", "msnv", "MSNV", "f4v ", "XAVC", "NDAS"}
)
_HEIC_BRANDS = frozenset({"heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs"})
_HEIF_GENERIC = frozenset({"mif1", "msf1", "mif2", "miaf"})
_AVIF_BRANDS = frozenset({"avif", "avis"})
_M4A_BRANDS = frozenset({"M4A ", "M4B ", "M4P "})
_OTHER_BRANDS = {"qt  ": "MOV", "crx ": "CR3", "jxl ": "JPEG XL"}
# Old QuickTime files start with one of these boxes instead of ftyp.
_QUICKTIME_BOXES = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
_BMP_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})


def _brand_label(brand: str) -> str | None:
    if brand in _HEIC_BRANDS:
        return "HEIC"
    if brand in _AVIF_BRANDS:
        return "AVIF"
    if brand in _M4A_BRANDS:
        return "M4A"
    if brand.startswith(("3gp", "3g2", "3ge", "3gg", "3gs")):
        return "3GP"
    if brand in _MP4_BRANDS:
        return "MP4"
    return _OTHER_BRANDS.get(brand)


def _sniff_iso_bmff(head: bytes) -> Sniffed:
    """An ISO-BMFF file: its major brand decides, then its compatible brands."""
    box_size = struct.unpack(">I", head[:4])[0]
    if box_size < 16 and box_size not in (0, 1):  # 0 = to end of file, 1 = 64-bit size
        return UNKNOWN
    major = head[8:12].decode("latin-1")
    end = min(len(head), box_size) if box_size >= 16 else len(head)
    compatible = [head[i : i + 4].decode("latin-1") for i in range(16, end - 3, 4)]
    label = _brand_label(major)
    if label is None or major in _HEIF_GENERIC:
        # A generic or unknown major brand: the first telling compatible brand decides;
        # image formats win over a generic "isom" that HEIC/AVIF files also list.
        labels = [_brand_label(brand) for brand in compatible]
        for preferred in ("AVIF", "HEIC", "MOV", "3GP", "M4A", "MP4"):
            if preferred in labels:
                label = preferred
                break
        else:
            label = "HEIC" if major in _HEIF_GENERIC else None
    if label is None:
        return UNKNOWN
    return Sniffed(label, MP4 if label == "MP4" else None)


def sniff(head: bytes) -> Sniffed:
    """Name the format of a file from its first bytes (at least HEAD_SIZE, or the whole file)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("PNG", PNG)
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("JPEG", JPEG)
    if head[:4] == b"RIFF" and len(head) >= 12:
        riff = head[8:12]
        if riff == b"WEBP":
            return Sniffed("WEBP", WEBP)
        return Sniffed({b"AVI ": "AVI", b"WAVE": "WAV"}.get(riff, "RIFF"))
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _sniff_iso_bmff(head)
    if len(head) >= 8 and head[4:8] in _QUICKTIME_BOXES:
        return Sniffed("MOV")
    simple = _sniff_simple(head)
    return Sniffed(simple) if simple else UNKNOWN


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"8BPS", "PSD"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),
    (b"MM\x00+", "TIFF"),
    (b"\x1aE\xdf\xa3", "WebM/Matroska"),
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"PK\x07\x08", "ZIP"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JPEG XL"),
    (b"\xff\x0a", "JPEG XL"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7Z"),
    (b"\x1f\x8b", "GZIP"),
    (b"OggS", "OGG"),
    (b"fLaC", "FLAC"),
    (b"ID3", "MP3"),
    (b"FLV\x01", "FLV"),
    (b"0&\xb2u\x8ef\xcf\x11", "WMV"),
)


def _sniff_simple(head: bytes) -> str | None:
    for magic, label in _MAGIC:
        if head.startswith(magic):
            return label
    if head[:2] == b"BM" and len(head) >= 18:
        header_size = struct.unpack("<I", head[14:18])[0]
        if header_size in _BMP_HEADER_SIZES:
            return "BMP"
    if head[:4] == b"\x00\x00\x01\x00" and len(head) >= 6 and head[4:6] != b"\x00\x00":
        return "ICO"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "SVG"
    return None


def classify_upload(head: bytes, size: int, name: str) -> MediaType:
    """The MediaType to upload a file as, judged by its bytes and size alone.

    `head` is the file's first HEAD_SIZE bytes (or all of it); `name` is the file's name, which
    never decides the type (see `extension_note` for telling the user about a misleading one).
    Raises EmptyFile, BadType or TooLarge with a sentence for the user.
    """
    if size == 0:
        raise EmptyFile("the file is empty (0 bytes)")
    found = sniff(head)
    if found.media_type is None:
        if found.label is None:
            raise BadType(
                f"this file is not an image or video that can be uploaded — use {ACCEPTED_LABELS}"
            )
        raise BadType(f"{found.label} files are not supported — use {ACCEPTED_LABELS}")
    check_size(size, found.media_type)
    return found.media_type


def extension_note(name: str, media_type: MediaType) -> str | None:
    """A note when the name's extension disagrees with the real type, else None.

    "named .jpg but is really PNG; it is sent as PNG".
    """
    suffix = PurePath(name.strip()).suffix.lower() if name.strip() else ""
    if not suffix or suffix in media_type.extensions:
        return None
    claimed = media_type_for_extension(suffix)
    if claimed is not None and claimed.mime == media_type.mime:
        return None
    return f"named {suffix} but is really {media_type.label}; it is sent as {media_type.label}"
