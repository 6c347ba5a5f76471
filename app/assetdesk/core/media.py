"""The media AssetDesk can upload: their MIME types, kinds, extensions and size limits.

This is the one place for these facts; the providers, the upload queue and the UI import them.
The limits are the services' own: 20 MiB for images and 100 MiB for MP4 video (the services
write "20 MB" but mean 20 × 1024 × 1024 bytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assetdesk.core.errors import EmptyFile, TooLarge
from assetdesk.core.units import MIB, format_mib, format_size

__all__ = [
    "ACCEPTED_LABELS",
    "IMAGE_LIMIT",
    "JPEG",
    "MIB",
    "MP4",
    "PNG",
    "SUPPORTED_MEDIA_TYPES",
    "VIDEO_LIMIT",
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
    """Whether a file is a still image or a video."""

    IMAGE = "image"
    VIDEO = "video"


@dataclass(frozen=True, slots=True)
class MediaType:
    """One uploadable type. `label` is what users see ("PNG"); `extensions` start with a dot."""

    mime: str
    kind: MediaKind
    label: str
    extensions: tuple[str, ...]
    limit: int

    @property
    def extension(self) -> str:
        """The usual extension, used when AssetDesk names a saved file: '.png'."""
        return self.extensions[0]


PNG = MediaType("image/png", MediaKind.IMAGE, "PNG", (".png",), IMAGE_LIMIT)
JPEG = MediaType(
    "image/jpeg", MediaKind.IMAGE, "JPEG", (".jpg", ".jpeg", ".jpe", ".jfif"), IMAGE_LIMIT
)
WEBP = MediaType("image/webp", MediaKind.IMAGE, "WEBP", (".webp",), IMAGE_LIMIT)
MP4 = MediaType("video/mp4", MediaKind.VIDEO, "MP4", (".mp4", ".m4v"), VIDEO_LIMIT)

SUPPORTED_MEDIA_TYPES: tuple[MediaType, ...] = (PNG, JPEG, WEBP, MP4)

#: How the supported types are named in sentences: "use PNG, JPEG, WEBP or MP4".
ACCEPTED_LABELS = "PNG, JPEG, WEBP or MP4"

_BY_MIME = {media_type.mime: media_type for media_type in SUPPORTED_MEDIA_TYPES}
_BY_EXTENSION = {
    ext: media_type for media_type in SUPPORTED_MEDIA_TYPES for ext in media_type.extensions
}


def media_type_for_mime(mime: str | None) -> MediaType | None:
    """The supported type for a MIME type ('image/png; charset=x' works too), or None."""
    if not mime:
        return None
    base = mime.split(";", 1)[0].strip().lower()
    if base == "image/jpg":  # seen in the wild
        base = "image/jpeg"
    return _BY_MIME.get(base)


def media_type_for_extension(extension: str) -> MediaType | None:
    """The supported type an extension ('.JPG' or 'jpg') usually means, or None.

    Only for naming and for noting misleading names: the real type always comes from the bytes.
    """
    ext = extension.strip().lower()
    if ext and not ext.startswith("."):
        ext = "." + ext
    return _BY_EXTENSION.get(ext)


def check_size(size: int, media_type: MediaType) -> None:
    """Raise EmptyFile for 0 bytes and TooLarge when `size` is over the type's limit."""
    if size < 0:
        raise ValueError(f"a file size cannot be negative: {size}")
    if size == 0:
        raise EmptyFile("the file is empty (0 bytes)", status=None)
    if size > media_type.limit:
        raise TooLarge(
            f"{media_type.kind.value} is {format_size(size)}; "
            f"the limit is {format_mib(media_type.limit)}",
            size=size,
            limit=media_type.limit,
        )
