"""core/media.py: the supported types, their limits, and the size check's sentences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetdesk.core.errors import EmptyFile, TooLarge
from assetdesk.core.media import (
    MIB,
    MP4,
    PNG,
    SUPPORTED_MEDIA_TYPES,
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
    assert str(caught.value) == "video is 131.2 MB; the limit is 100 MiB"
    assert caught.value.size == 131_200_000
    assert caught.value.limit == 100 * MIB


def test_image_over_the_limit_says_how_big_and_the_limit() -> None:
    with pytest.raises(TooLarge) as caught:
        check_size(25_165_824, PNG)  # the service's own example, 24 MiB
    assert str(caught.value) == "image is 25.2 MB; the limit is 20 MiB"


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
