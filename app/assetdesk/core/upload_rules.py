"""What each upload target takes (its types, its size cap per kind), and the check of one file
against a target, whose refusal says which target refuses it, why, and which would take it.

- Google Flow: PNG, JPEG, WEBP up to 20 MiB and MP4 up to 100 MiB, the service's own limits
  (core/media.py); a refusal lists them ("— use PNG, JPEG, WEBP or MP4").
- Runway: the image, video and audio Content-Types useapi.net documents for its asset upload.
  The page states no size limit, so AssetDesk applies its own, shown in the pane: 20 MiB for an
  image (Google Flow's cap through the same useapi.net, and more than any still a generation
  takes as input), 500 MiB for a video (minutes of 1080p footage, beyond what a reference clip
  needs) and 100 MiB for audio (about ten minutes of CD-quality WAV). A lower limit of the service
  shows up as its own 400 refusal on the item.
- Wordbee segment: any file (bytes of no known type go as application/octet-stream). The
  platform's upload limit is not documented; AssetDesk's default is 500 MiB for any file, the
  same room as a Runway video, so that no reference clip one service takes is refused by the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from types import MappingProxyType

from assetdesk.core.errors import BadType, EmptyFile, TooLarge
from assetdesk.core.media import (
    ACCEPTED_LABELS,
    AVI,
    FLAC,
    FLV,
    GIF,
    IMAGE_LIMIT,
    JPEG,
    MKV,
    MOV,
    MP3,
    MP4,
    MPEG,
    MPEG_TS,
    MPO,
    OCTET_STREAM,
    OGG,
    OGV,
    PNG,
    SUPPORTED_MEDIA_TYPES,
    THREE_GP,
    VIDEO_LIMIT,
    WAV,
    WEBM,
    WEBM_AUDIO,
    WEBP,
    MediaKind,
    MediaType,
)
from assetdesk.core.provider import Provider
from assetdesk.core.sniff import Sniffed
from assetdesk.core.units import MIB, format_mib, format_size_beside

__all__ = [
    "RUNWAY_AUDIO_LIMIT",
    "RUNWAY_IMAGE_LIMIT",
    "RUNWAY_VIDEO_LIMIT",
    "WORDBEE_LIMIT",
    "TargetRules",
    "check_for_target",
    "rules_for",
]

RUNWAY_IMAGE_LIMIT = 20 * MIB
RUNWAY_VIDEO_LIMIT = 500 * MIB
RUNWAY_AUDIO_LIMIT = 100 * MIB
WORDBEE_LIMIT = 500 * MIB

# A kind as sentences name one of them and several: "MOV video", "videos up to 500 MiB".
_ONE = {
    MediaKind.IMAGE: "image",
    MediaKind.VIDEO: "video",
    MediaKind.AUDIO: "audio",
    MediaKind.OTHER: "file",
}
_MANY = {
    MediaKind.IMAGE: "images",
    MediaKind.VIDEO: "videos",
    MediaKind.AUDIO: "audio",
    MediaKind.OTHER: "files",
}


@dataclass(frozen=True, slots=True)
class TargetRules:
    """What one target takes: `accepted` types (empty: any type) and the cap per kind.

    `stated` is False when the service documents no limit and the caps are AssetDesk's defaults.
    """

    provider: Provider
    accepted: tuple[MediaType, ...]
    limits: Mapping[MediaKind, int]
    stated: bool

    def accepts(self, media_type: MediaType) -> bool:
        """Whether the target takes this type (size aside)."""
        return not self.accepted or media_type in self.accepted

    def limit_text(self) -> str:
        """The caps as the pane shows them: "Runway: images up to 20 MiB, videos up to 500 MiB,
        audio up to 100 MiB (AssetDesk's defaults: the service states no limit)"."""
        if not self.accepted:
            caps = f"any file up to {format_mib(max(self.limits.values()))}"
        else:
            caps = ", ".join(
                f"{self._few_types(kind)}{_MANY[kind]} up to {format_mib(limit)}"
                for kind, limit in self.limits.items()
            )
        if self.stated:
            return f"{self.provider.label}: {caps}"
        which = "defaults" if len(set(self.limits.values())) > 1 else "default"
        return f"{self.provider.label}: {caps} (AssetDesk's {which}: the service states no limit)"

    def _few_types(self, kind: MediaKind) -> str:
        """'PNG, JPEG or WEBP ' when the target takes at most three types of a kind, else ""."""
        labels = [media.label for media in self.accepted if media.kind is kind]
        if not labels or len(labels) > 3:
            return ""
        if len(labels) == 1:
            return f"{labels[0]} "
        return f"{', '.join(labels[:-1])} or {labels[-1]} "


_RULES = {
    Provider.GOOGLE_FLOW: TargetRules(
        Provider.GOOGLE_FLOW,
        SUPPORTED_MEDIA_TYPES,
        MappingProxyType({MediaKind.IMAGE: IMAGE_LIMIT, MediaKind.VIDEO: VIDEO_LIMIT}),
        stated=True,
    ),
    Provider.RUNWAY: TargetRules(
        Provider.RUNWAY,
        (
            *(PNG, JPEG, GIF, WEBP, MPO),
            *(MP4, MOV, THREE_GP, MKV, FLV, MPEG, MPEG_TS, AVI, WEBM, OGV),
            *(WAV, MP3, FLAC, OGG, WEBM_AUDIO),
        ),
        MappingProxyType(
            {
                MediaKind.IMAGE: RUNWAY_IMAGE_LIMIT,
                MediaKind.VIDEO: RUNWAY_VIDEO_LIMIT,
                MediaKind.AUDIO: RUNWAY_AUDIO_LIMIT,
            }
        ),
        stated=False,
    ),
    Provider.WORDBEE: TargetRules(
        Provider.WORDBEE,
        (),
        MappingProxyType({kind: WORDBEE_LIMIT for kind in MediaKind}),
        stated=False,
    ),
}


#: What a refusal adds for a target with a short list: the list itself.
_HINTS = {Provider.GOOGLE_FLOW: f" — use {ACCEPTED_LABELS}"}
_ANY_MEDIA = "an image, video or audio file"


def rules_for(provider: Provider) -> TargetRules:
    """The accept table of one target."""
    return _RULES[provider]


def _takes(rules: TargetRules, media: MediaType | None, size: int) -> bool:
    if media is None:
        return not rules.accepted and size <= rules.limits[MediaKind.OTHER]
    limit = rules.limits.get(media.kind)
    return rules.accepts(media) and limit is not None and size <= limit


def _elsewhere(provider: Provider, media: MediaType | None, size: int, name: str) -> str:
    """The first other target that would take the file, as "; Runway takes .mov" or "; Wordbee
    takes any file"; "" when none would."""
    for other in Provider:
        rules = _RULES[other]
        if other is provider or not _takes(rules, media, size):
            continue
        if not rules.accepted:
            return f"; {other.label} takes any file"
        assert media is not None  # a target with a list takes only known types
        suffix = PurePath(name).suffix.lower()
        return f"; {other.label} takes {suffix if suffix in media.extensions else media.extension}"
    return ""


def _what(media: MediaType) -> str:
    """How a refusal names a type: "MOV videos", "GIF images", "WAV audio", "Ogg audio" (not
    "Ogg audio audio")."""
    one, many = _ONE[media.kind], _MANY[media.kind]
    if media.label.endswith(one):
        return media.label[: -len(one)] + many
    return f"{media.label} {many}"


def check_for_target(provider: Provider, sniffed: Sniffed, size: int, name: str) -> MediaType:
    """The type to send a file to `provider` as, judged by its bytes (`sniffed`) and size.

    Raises EmptyFile, BadType or TooLarge with a sentence naming the target, why it refuses the
    file and which other target would take it ("Google Flow does not take MOV files — use PNG,
    JPEG, WEBP or MP4; Runway takes .mov").
    """
    if size < 0:
        raise ValueError(f"a file size cannot be negative: {size}")
    if size == 0:
        raise EmptyFile("the file is empty (0 bytes)")
    rules = _RULES[provider]
    media = sniffed.media
    if not rules.accepted and media is None:
        media = OCTET_STREAM
    if media is None or not rules.accepts(media):
        hint = _HINTS.get(provider, "")
        if media is not None:
            what = _what(media)
        elif sniffed.label is not None:
            what = f"{sniffed.label} files"
        else:
            kinds = "an image or video" if provider is Provider.GOOGLE_FLOW else _ANY_MEDIA
            raise BadType(
                f"this file is not {kinds} {provider.label} takes{hint}"
                + _elsewhere(provider, None, size, name)
            )
        raise BadType(
            f"{provider.label} does not take {what}{hint}" + _elsewhere(provider, media, size, name)
        )
    limit = rules.limits[media.kind]
    if size > limit:
        label = "file" if media is OCTET_STREAM else media.label
        raise TooLarge(
            f"this {label} is {format_size_beside(size, limit)}; {provider.label} takes "
            f"{_MANY[media.kind if rules.accepted else MediaKind.OTHER]} up to {format_mib(limit)}"
            + _elsewhere(provider, media, size, name),
            size=size,
            limit=limit,
        )
    return media
