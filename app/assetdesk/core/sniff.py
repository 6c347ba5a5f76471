"""Tell a file's real format from its first bytes; never trust the name.

`sniff(head)` names the format (known or not) and the MediaType it is, when AssetDesk knows it;
`classify_upload` turns that into the MediaType to upload to Google Flow or a BadType / EmptyFile /
TooLarge error with a sentence for the user (core/upload_rules.py does the same for any target).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import PurePath

from assetdesk.core.errors import BadType, EmptyFile
from assetdesk.core.media import (
    ACCEPTED_LABELS,
    AVI,
    FLAC,
    FLV,
    GIF,
    JPEG,
    KNOWN_MEDIA_TYPES,
    MKV,
    MOV,
    MP3,
    MP4,
    MPEG,
    MPEG_TS,
    OCTET_STREAM,
    OGG,
    OGV,
    PNG,
    SUPPORTED_MEDIA_TYPES,
    THREE_GP,
    WAV,
    WEBM,
    WEBM_AUDIO,
    WEBP,
    MediaType,
    check_size,
    media_type_for_extension,
)

__all__ = [
    "HEAD_SIZE",
    "UNKNOWN",
    "Sniffed",
    "classify_sniffed",
    "classify_upload",
    "extension_note",
    "sniff",
]

#: How many leading bytes `sniff` needs; fewer work for short files. 1 KiB holds three MPEG-TS
#: packets (sync bytes at 0, 188 and 376), the Matroska track list where muxers write it (its codec
#: ids tell audio-only WebM from video: ~300 bytes in ffmpeg's files) and an MPEG audio frame of
#: 128 kbit/s with the next frame's header. One read of a page either way.
HEAD_SIZE = 1024


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What the bytes are: `label` ("PNG", "PSD", "WebM/Matroska", ...) or None when unknown, and
    `media` when AssetDesk knows the type (one of KNOWN_MEDIA_TYPES, whichever target takes it).

    `media_type` and `supported` speak for Google Flow, the first target (`classify_upload`):
    the type when it is one of Google Flow's four, else None.
    """

    label: str | None
    media: MediaType | None = None

    @property
    def media_type(self) -> MediaType | None:
        return self.media if self.media in SUPPORTED_MEDIA_TYPES else None

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
    return Sniffed(label, _ISO_TYPES.get(label))


_ISO_TYPES = {"MP4": MP4, "MOV": MOV, "3GP": THREE_GP}


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
        if riff == b"AVI ":
            return Sniffed("AVI", AVI)
        if riff == b"WAVE":
            return Sniffed("WAV", WAV)
        return Sniffed("RIFF")
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _sniff_iso_bmff(head)
    if len(head) >= 8 and head[4:8] in _QUICKTIME_BOXES:
        return Sniffed("MOV", MOV)
    if head.startswith(b"\x1aE\xdf\xa3"):
        return _sniff_matroska(head)
    if head.startswith(b"OggS"):
        return _sniff_ogg(head)
    if _is_mpeg_ts(head):
        return Sniffed("MPEG-TS", MPEG_TS)
    simple = _sniff_simple(head)
    if simple:
        return Sniffed(simple, _SIMPLE_TYPES.get(simple))
    if _is_mpeg_audio(head):
        return Sniffed("MP3", MP3)
    return UNKNOWN


def _ebml_number(data: bytes, at: int, *, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-length number at `at`: (value, where the next field starts), or None.

    Element ids keep their length marker (0x4282 is DocType); sizes do not.
    """
    if at >= len(data) or data[at] == 0:
        return None
    first = data[at]
    length = 9 - first.bit_length()
    if at + length > len(data):
        return None
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[at + 1 : at + length]:
        value = value << 8 | byte
    return value, at + length


def _ebml_doc_type(head: bytes) -> bytes | None:
    """The DocType ("webm", "matroska") written in the EBML header at the start of `head`."""
    size = _ebml_number(head, 4, keep_marker=False)
    if size is None:
        return None
    end = min(len(head), size[1] + size[0])
    at = size[1]
    while at < end:
        element = _ebml_number(head, at, keep_marker=True)
        if element is None:
            return None
        length = _ebml_number(head, element[1], keep_marker=False)
        if length is None:
            return None
        start, stop = length[1], length[1] + length[0]
        if element[0] == 0x4282:
            return head[start:stop] if stop <= len(head) else None
        at = stop
    return None


# A Matroska track's CodecID element (0x86, a one-byte size) holding "V_..." or "A_...".
_MATROSKA_CODEC = re.compile(rb"\x86[\x81-\xbf]([AV])_")


def _sniff_matroska(head: bytes) -> Sniffed:
    """WebM or Matroska by the DocType; a WebM whose track list shows only audio is WebM audio."""
    label = "WebM/Matroska"
    doc_type = _ebml_doc_type(head)
    if doc_type == b"matroska":
        return Sniffed(label, MKV)
    if doc_type != b"webm":
        return Sniffed(label)
    tracks = {match[1] for match in _MATROSKA_CODEC.finditer(head)}
    return Sniffed(label, WEBM_AUDIO if tracks == {b"A"} else WEBM)


def _sniff_ogg(head: bytes) -> Sniffed:
    """Ogg: video when a Theora stream starts in the head, else audio (Vorbis, Opus, FLAC ...)."""
    if b"\x80theora" in head:
        return Sniffed("OGG", OGV)
    return Sniffed("OGG", OGG)


def _is_mpeg_ts(head: bytes) -> bool:
    """MPEG transport stream: the sync byte 0x47 at the start of each 188-byte packet (two at
    least, three when the head holds them)."""
    syncs = range(0, min(len(head), 3 * 188), 188)
    return len(syncs) >= 2 and all(head[at] == 0x47 for at in syncs)


# kbit/s by bitrate index for MPEG-1 layers I, II, III and MPEG-2/2.5 layers I and II/III.
_BITRATES = {
    (1, 3): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (1, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (1, 1): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 3): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mpeg_audio_frame(head: bytes, at: int) -> int | None:
    """The length of the MPEG audio frame whose header is at `at`, or None if there is none."""
    if at + 4 > len(head) or head[at] != 0xFF or head[at + 1] & 0xE0 != 0xE0:
        return None
    version, layer = (head[at + 1] >> 3) & 3, (head[at + 1] >> 1) & 3  # layer: 3 = I, 1 = III
    bitrate_index, rate_index = head[at + 2] >> 4, (head[at + 2] >> 2) & 3
    if version == 1 or layer == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    table = (1, layer) if version == 3 else (2, 3 if layer == 3 else 2)
    bitrate = _BITRATES[table][bitrate_index] * 1000
    rate = _SAMPLE_RATES[version][rate_index]
    padding = (head[at + 2] >> 1) & 1
    if layer == 3:
        return (12 * bitrate // rate + padding) * 4
    per_frame = 72 if version != 3 and layer == 1 else 144
    return per_frame * bitrate // rate + padding


def _is_mpeg_audio(head: bytes) -> bool:
    """MPEG audio (MP3, MP2) with no ID3 tag: a frame header, and the next one when the head
    reaches it."""
    length = _mpeg_audio_frame(head, 0)
    if length is None:
        return False
    return length + 4 > len(head) or _mpeg_audio_frame(head, length) is not None


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"8BPS", "PSD"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),
    (b"MM\x00+", "TIFF"),
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"PK\x07\x08", "ZIP"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JPEG XL"),
    (b"\xff\x0a", "JPEG XL"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7Z"),
    (b"\x1f\x8b", "GZIP"),
    (b"fLaC", "FLAC"),
    (b"ID3", "MP3"),
    (b"FLV\x01", "FLV"),
    (b"0&\xb2u\x8ef\xcf\x11", "WMV"),
    (b"\x00\x00\x01\xba", "MPEG"),  # a program stream's pack header
    (b"\x00\x00\x01\xb3", "MPEG"),  # a bare MPEG-1/2 video stream's sequence header
)
_SIMPLE_TYPES = {"GIF": GIF, "FLAC": FLAC, "MP3": MP3, "FLV": FLV, "MPEG": MPEG}


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
    """The MediaType to upload a file to Google Flow as, judged by its bytes and size alone.

    `head` is the file's first HEAD_SIZE bytes (or all of it); `name` is the file's name, which
    never decides the type (see `extension_note` for telling the user about a misleading one).
    Raises EmptyFile, BadType or TooLarge with a sentence for the user.
    """
    return classify_sniffed(sniff(head), size)


def classify_sniffed(found: Sniffed, size: int) -> MediaType:
    """`classify_upload` for bytes already sniffed: Google Flow's check and its sentences."""
    if size == 0:
        raise EmptyFile("the file is empty (0 bytes)")
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
    if not suffix or suffix in media_type.extensions or media_type is OCTET_STREAM:
        return None
    claimed = media_type_for_extension(suffix, among=KNOWN_MEDIA_TYPES)
    if claimed is not None and claimed.mime == media_type.mime:
        return None
    return f"named {suffix} but is really {media_type.label}; it is sent as {media_type.label}"
