"""The media AssetDesk knows: their MIME types, kinds, extensions, and Google Flow's size limits.

This is the one place for these facts; the providers, the upload queue and the UI import them.
`SUPPORTED_MEDIA_TYPES` are Google Flow's four (PNG, JPEG, WEBP, MP4), the first target; their
`limit` is Google Flow's own: 20 MiB for images and 100 MiB for MP4 video (the service writes
"20 MB" but means 20 × 1024 × 1024 bytes). `KNOWN_MEDIA_TYPES` adds the image, video and audio
types Runway documents for its asset upload, and `OCTET_STREAM` for a file of no known type (a
Wordbee segment takes any file). What each target accepts, and up to what size, is in
core/upload_rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assetdesk.core.errors import EmptyFile, TooLarge
from assetdesk.core.units import MIB, format_mib, format_size_beside

__all__ = [
    "ACCEPTED_LABELS",
    "AVI",
    "FLAC",
    "FLV",
    "GIF",
    "IMAGE_LIMIT",
    "JPEG",
    "KNOWN_MEDIA_TYPES",
    "MIB",
    "MKV",
    "MOV",
    "MP3",
    "MP4",
    "MPEG",
    "MPEG_TS",
    "MPO",
    "OCTET_STREAM",
    "OGG",
    "OGV",
    "PNG",
    "SUPPORTED_MEDIA_TYPES",
    "THREE_GP",
    "VIDEO_LIMIT",
    "WAV",
    "WEBM",
    "WEBM_AUDIO",
    "WEBP",
    "MediaKind",
    "MediaType",
    "check_size",
    "media_type_for_extension",
    "media_type_for_mime",
]

IMAGE_LIMIT = 20 * MIB
VIDEO_LIMIT = 100 * MIB


class MediaKind(StrEnum):
    """A still image, a video, a sound, or any other file (which only Wordbee takes)."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class MediaType:
    """One type AssetDesk knows. `label` is what users see ("PNG"); `extensions` start with a dot.

    `limit` is Google Flow's cap for the four types it takes, None for the types it does not
    take (each target's caps per kind are in core/upload_rules.py).
    """

    mime: str
    kind: MediaKind
    label: str
    extensions: tuple[str, ...]
    limit: int | None = None

    @property
    def extension(self) -> str:
        """The usual extension, used when AssetDesk names a saved file: '.png' ('' for none)."""
        return self.extensions[0] if self.extensions else ""


_IMAGE, _VIDEO, _AUDIO = MediaKind.IMAGE, MediaKind.VIDEO, MediaKind.AUDIO

PNG = MediaType("image/png", _IMAGE, "PNG", (".png",), IMAGE_LIMIT)
JPEG = MediaType("image/jpeg", _IMAGE, "JPEG", (".jpg", ".jpeg", ".jpe", ".jfif"), IMAGE_LIMIT)
WEBP = MediaType("image/webp", _IMAGE, "WEBP", (".webp",), IMAGE_LIMIT)
MP4 = MediaType("video/mp4", _VIDEO, "MP4", (".mp4", ".m4v"), VIDEO_LIMIT)

# Runway's documented Content-Types besides those four (video/x-motion-jpeg, a bare stream of
# JPEG frames, has no container to tell it from a JPEG, so it is not listed).
GIF = MediaType("image/gif", _IMAGE, "GIF", (".gif",))
MPO = MediaType("image/mpo", _IMAGE, "MPO", (".mpo",))
MOV = MediaType("video/quicktime", _VIDEO, "MOV", (".mov", ".qt"))
THREE_GP = MediaType("video/3gpp", _VIDEO, "3GP", (".3gp",))
MKV = MediaType("video/x-matroska", _VIDEO, "MKV", (".mkv",))
FLV = MediaType("video/x-flv", _VIDEO, "FLV", (".flv",))
MPEG = MediaType("video/mpeg", _VIDEO, "MPEG", (".mpg", ".mpeg", ".m2p", ".vob"))
MPEG_TS = MediaType("video/MP2T", _VIDEO, "MPEG-TS", (".ts", ".mts", ".m2ts"))
AVI = MediaType("video/x-msvideo", _VIDEO, "AVI", (".avi",))
WEBM = MediaType("video/webm", _VIDEO, "WebM", (".webm",))
OGV = MediaType("video/ogg", _VIDEO, "Ogg video", (".ogv", ".ogg"))
WAV = MediaType("audio/wav", _AUDIO, "WAV", (".wav", ".wave"))
MP3 = MediaType("audio/mpeg", _AUDIO, "MP3", (".mp3", ".mp2", ".mpga"))
FLAC = MediaType("audio/flac", _AUDIO, "FLAC", (".flac",))
OGG = MediaType("audio/ogg", _AUDIO, "Ogg audio", (".ogg", ".oga", ".opus"))
WEBM_AUDIO = MediaType("audio/webm", _AUDIO, "WebM audio", (".weba", ".webm"))

#: A file whose bytes match no known type: sent as raw bytes (a Wordbee segment takes it).
OCTET_STREAM = MediaType("application/octet-stream", MediaKind.OTHER, "file", ())

#: Google Flow's types: what `classify_upload` and the lookups accept unless told otherwise.
SUPPORTED_MEDIA_TYPES: tuple[MediaType, ...] = (PNG, JPEG, WEBP, MP4)

#: Every type AssetDesk knows, in the order an extension shared by two is resolved (".webm" is
#: WebM video, ".ogg" Ogg audio).
KNOWN_MEDIA_TYPES: tuple[MediaType, ...] = (
    *SUPPORTED_MEDIA_TYPES,
    GIF, MPO, MOV, THREE_GP, MKV, FLV, MPEG, MPEG_TS, AVI, WEBM,
    WAV, MP3, FLAC, OGG, OGV, WEBM_AUDIO, OCTET_STREAM,
)  # fmt: skip

#: How the supported types are named in sentences: "use PNG, JPEG, WEBP or MP4".
ACCEPTED_LABELS = "PNG, JPEG, WEBP or MP4"

_BY_MIME = {media_type.mime.lower(): media_type for media_type in KNOWN_MEDIA_TYPES}
# Other spellings seen in the wild (Runway itself lists audio/wave beside audio/wav).
_BY_MIME |= {
    "image/jpg": JPEG,
    "audio/wave": WAV,
    "audio/x-wav": WAV,
    "audio/vnd.wave": WAV,
    "audio/mp3": MP3,
    "audio/x-flac": FLAC,
    "video/avi": AVI,
    "video/msvideo": AVI,
}
_BY_EXTENSION: dict[str, MediaType] = {}
for _type in KNOWN_MEDIA_TYPES:
    for _ext in _type.extensions:
        _BY_EXTENSION.setdefault(_ext, _type)


def media_type_for_mime(
    mime: str | None, *, among: tuple[MediaType, ...] = SUPPORTED_MEDIA_TYPES
) -> MediaType | None:
    """The type of a MIME type ('image/png; charset=x' works too) if it is one of `among`
    (Google Flow's four unless told; `among=KNOWN_MEDIA_TYPES` for any), else None."""
    if not mime:
        return None
    found = _BY_MIME.get(mime.split(";", 1)[0].strip().lower())
    return found if found in among else None


def media_type_for_extension(
    extension: str, *, among: tuple[MediaType, ...] = SUPPORTED_MEDIA_TYPES
) -> MediaType | None:
    """The type an extension ('.JPG' or 'jpg') usually means if it is one of `among` (Google
    Flow's four unless told), or None.

    Only for naming and for noting misleading names: the real type always comes from the bytes.
    """
    ext = extension.strip().lower()
    if ext and not ext.startswith("."):
        ext = "." + ext
    found = _BY_EXTENSION.get(ext)
    return found if found in among else None


def check_size(size: int, media_type: MediaType) -> None:
    """Raise EmptyFile for 0 bytes and TooLarge when `size` is over Google Flow's limit for the
    type (a type Google Flow does not take has none: check it with core/upload_rules.py)."""
    if size < 0:
        raise ValueError(f"a file size cannot be negative: {size}")
    if media_type.limit is None:
        raise ValueError(f"{media_type.label} has no limit of its own; see core/upload_rules.py")
    if size == 0:
        raise EmptyFile("the file is empty (0 bytes)", status=None)
    if size > media_type.limit:
        raise TooLarge(
            f"{media_type.kind.value} is {format_size_beside(size, media_type.limit)}; "
            f"the limit is {format_mib(media_type.limit)}",
            size=size,
            limit=media_type.limit,
        )
