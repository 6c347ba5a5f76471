"""core/media.py: the supported types, their limits, and the size check's sentences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetdesk.core.errors import EmptyFile, TooLarge
from assetdesk.core.media import (
    GIF,
    KNOWN_MEDIA_TYPES,
    MIB,
    MOV,
    MP4,
    OCTET_STREAM,
    OGG,
    OGV,
    PNG,
    SUPPORTED_MEDIA_TYPES,
    WAV,
    WEBM,
    WEBM_AUDIO,
    MediaKind,
    MediaType,
    check_size,
    media_type_for_extension,
    media_type_for_mime,
)


def test_the_four_supported_types_and_their_limits() -> None:
    found = {(t.mime, t.kind, t.limit) for t in SUPPORTED_MEDIA_TYPES}
    assert found == {
        ("image/png", MediaKind.IMAGE, 20 * 1_048_576),
        ("image/jpeg", MediaKind.IMAGE, 20 * 1_048_576),
        ("image/webp", MediaKind.IMAGE, 20 * 1_048_576),
        ("video/mp4", MediaKind.VIDEO, 100 * 1_048_576),
    }
    assert MIB == 1_048_576


@pytest.mark.parametrize("media_type", SUPPORTED_MEDIA_TYPES, ids=lambda t: t.label)
def test_lookup_by_mime_and_extension_finds_the_same_type(media_type: MediaType) -> None:
    assert media_type_for_mime(media_type.mime) is media_type
    assert media_type_for_mime(media_type.mime.upper() + "; x=1") is media_type
    for ext in media_type.extensions:
        assert media_type_for_extension(ext.upper()) is media_type
        assert media_type_for_extension(ext.lstrip(".")) is media_type


def test_unsupported_lookups_give_none() -> None:
    assert media_type_for_mime("image/gif") is None
    assert media_type_for_mime("") is None
    assert media_type_for_mime(None) is None
    assert media_type_for_extension(".psd") is None
    assert media_type_for_extension("") is None


def test_the_limit_itself_is_accepted() -> None:
    check_size(20 * MIB, PNG)
    check_size(100 * MIB, MP4)
    check_size(1, PNG)


def test_video_over_the_limit_says_how_big_and_the_limit() -> None:
    with pytest.raises(TooLarge) as caught:
        check_size(131_200_000, MP4)
    assert str(caught.value) == "video is 125.1 MiB; the limit is 100 MiB"
    assert caught.value.size == 131_200_000
    assert caught.value.limit == 100 * MIB


def test_image_over_the_limit_says_how_big_and_the_limit() -> None:
    with pytest.raises(TooLarge) as caught:
        check_size(25_165_824, PNG)  # the service's own example, 24 MiB
    assert str(caught.value) == "image is 24 MiB; the limit is 20 MiB"


def test_one_byte_over_is_refused() -> None:
    with pytest.raises(TooLarge):
        check_size(20 * MIB + 1, PNG)


def test_empty_file() -> None:
    with pytest.raises(EmptyFile) as caught:
        check_size(0, PNG)
    assert "empty" in str(caught.value)


@given(st.integers(min_value=1, max_value=200 * MIB), st.sampled_from(SUPPORTED_MEDIA_TYPES))
def test_check_size_accepts_sizes_up_to_the_limit(size: int, media_type: MediaType) -> None:
    limit = media_type.limit
    if size <= limit:
        check_size(size, media_type)
    else:
        with pytest.raises(TooLarge):
            check_size(size, media_type)


# ---- the types of the other targets (issue 14) ------------------------------------------------


@pytest.mark.parametrize("media_type", KNOWN_MEDIA_TYPES, ids=lambda t: t.label)
def test_every_known_type_is_found_by_its_mime_when_asked_for_any(media_type: MediaType) -> None:
    assert media_type_for_mime(media_type.mime, among=KNOWN_MEDIA_TYPES) is media_type
    assert media_type_for_mime(media_type.mime.lower(), among=KNOWN_MEDIA_TYPES) is media_type
    assert media_type_for_mime(media_type.mime.upper(), among=KNOWN_MEDIA_TYPES) is media_type


def test_runways_documented_content_types_are_all_known() -> None:
    """The newest list of useapi.net's Runway upload page, less video/x-motion-jpeg (a bare JPEG
    stream that no container tells apart from a JPEG)."""
    documented = [
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/mpo",
        "video/mp4",
        "video/quicktime",
        "video/3gpp",
        "video/x-matroska",
        "video/x-flv",
        "video/mpeg",
        "video/MP2T",
        "video/x-msvideo",
        "video/webm",
        "video/ogg",
        "audio/wav",
        "audio/wave",
        "audio/mpeg",
        "audio/flac",
        "audio/ogg",
        "audio/webm",
    ]
    found = {mime: media_type_for_mime(mime, among=KNOWN_MEDIA_TYPES) for mime in documented}
    assert [mime for mime, media in found.items() if media is None] == []
    assert found["audio/wave"] is WAV
    assert found["video/MP2T"].mime == "video/MP2T"  # sent back as Runway spells it
    kinds = {media.kind for media in found.values() if media is not None}
    assert kinds == {MediaKind.IMAGE, MediaKind.VIDEO, MediaKind.AUDIO}


def test_google_flow_is_what_the_lookups_speak_for_unless_told() -> None:
    assert media_type_for_mime("video/quicktime") is None
    assert media_type_for_mime("video/quicktime", among=KNOWN_MEDIA_TYPES) is MOV
    assert media_type_for_extension(".mov") is None
    assert media_type_for_extension(".mov", among=KNOWN_MEDIA_TYPES) is MOV
    assert media_type_for_mime("image/png", among=(MOV,)) is None


@pytest.mark.parametrize(
    ("extension", "media_type"),
    [(".webm", WEBM), (".weba", WEBM_AUDIO), (".ogg", OGG), (".ogv", OGV), (".wave", WAV)],
)
def test_an_extension_two_types_share_is_resolved_once(
    extension: str, media_type: MediaType
) -> None:
    assert media_type_for_extension(extension, among=KNOWN_MEDIA_TYPES) is media_type


def test_the_other_types_have_no_google_flow_limit() -> None:
    assert {t.limit for t in KNOWN_MEDIA_TYPES if t not in SUPPORTED_MEDIA_TYPES} == {None}
    with pytest.raises(ValueError, match="GIF has no limit of its own"):
        check_size(1, GIF)


def test_octet_stream_is_any_other_file() -> None:
    assert OCTET_STREAM.kind is MediaKind.OTHER
    assert OCTET_STREAM.extension == ""
    assert media_type_for_mime("application/octet-stream", among=KNOWN_MEDIA_TYPES) is OCTET_STREAM
