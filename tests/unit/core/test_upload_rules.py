"""core/upload_rules.py: what each target takes, judged on real files, and the sentences of a
refusal (which target, why, and which other target would take the file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetdesk.core.errors import BadType, EmptyFile, TooLarge
from assetdesk.core.media import (
    KNOWN_MEDIA_TYPES,
    MIB,
    MOV,
    MP4,
    OCTET_STREAM,
    PNG,
    WAV,
    MediaKind,
    MediaType,
    media_type_for_mime,
)
from assetdesk.core.provider import Provider
from assetdesk.core.sniff import HEAD_SIZE, Sniffed, sniff
from assetdesk.core.upload_rules import (
    RUNWAY_AUDIO_LIMIT,
    RUNWAY_IMAGE_LIMIT,
    RUNWAY_VIDEO_LIMIT,
    WORDBEE_LIMIT,
    _elsewhere,
    check_for_target,
    rules_for,
)

GOOGLE_FLOW, RUNWAY, WORDBEE = Provider.GOOGLE_FLOW, Provider.RUNWAY, Provider.WORDBEE
ANY_FILE = "; Wordbee takes any file"

# Every real file, what it is sent as to Google Flow / Runway / Wordbee (a MIME type), or the
# error that refuses it there.
TABLE: dict[str, tuple[str | type[Exception], str | type[Exception], str]] = {
    "picture.png": ("image/png", "image/png", "image/png"),
    "picture.jpg": ("image/jpeg", "image/jpeg", "image/jpeg"),
    "picture.webp": ("image/webp", "image/webp", "image/webp"),
    "picture-lossless.webp": ("image/webp", "image/webp", "image/webp"),
    "picture-alpha.webp": ("image/webp", "image/webp", "image/webp"),
    "picture.gif": (BadType, "image/gif", "image/gif"),
    "picture.bmp": (BadType, BadType, "application/octet-stream"),
    "picture.tiff": (BadType, BadType, "application/octet-stream"),
    "picture.avif": (BadType, BadType, "application/octet-stream"),
    "clip.mp4": ("video/mp4", "video/mp4", "video/mp4"),
    "moov-at-end.mp4": ("video/mp4", "video/mp4", "video/mp4"),
    "clip.mov": (BadType, "video/quicktime", "video/quicktime"),
    "clip.3gp": (BadType, "video/3gpp", "video/3gpp"),
    "clip.mkv": (BadType, "video/x-matroska", "video/x-matroska"),
    "clip.webm": (BadType, "video/webm", "video/webm"),
    "clip.flv": (BadType, "video/x-flv", "video/x-flv"),
    "clip.mpg": (BadType, "video/mpeg", "video/mpeg"),
    "clip.ts": (BadType, "video/MP2T", "video/MP2T"),
    "clip.avi": (BadType, "video/x-msvideo", "video/x-msvideo"),
    "clip.ogv": (BadType, "video/ogg", "video/ogg"),
    "sound.wav": (BadType, "audio/wav", "audio/wav"),
    "sound.mp3": (BadType, "audio/mpeg", "audio/mpeg"),
    "sound-frames.mp3": (BadType, "audio/mpeg", "audio/mpeg"),
    "sound.flac": (BadType, "audio/flac", "audio/flac"),
    "sound.ogg": (BadType, "audio/ogg", "audio/ogg"),
    "sound.opus": (BadType, "audio/ogg", "audio/ogg"),
    "sound.weba": (BadType, "audio/webm", "audio/webm"),
    "sound.m4a": (BadType, BadType, "application/octet-stream"),
}


def sniffed(path: Path) -> Sniffed:
    with path.open("rb") as handle:
        return sniff(handle.read(HEAD_SIZE))


@pytest.mark.parametrize("provider", [GOOGLE_FLOW, RUNWAY, WORDBEE], ids=str)
@pytest.mark.parametrize("name", sorted(TABLE))
def test_the_accept_and_refuse_table_over_real_files(
    made_media: dict[str, Path], name: str, provider: Provider
) -> None:
    path = made_media[name]
    expected = TABLE[name][list(Provider).index(provider)]
    if isinstance(expected, str):
        media = check_for_target(provider, sniffed(path), path.stat().st_size, path.name)
        assert media.mime == expected
        assert rules_for(provider).accepts(media)
    else:
        with pytest.raises(expected):
            check_for_target(provider, sniffed(path), path.stat().st_size, path.name)


def test_the_table_covers_every_type_a_target_lists() -> None:
    listed = {media.mime for provider in Provider for media in rules_for(provider).accepted}
    sent = {mime for row in TABLE.values() for mime in row if isinstance(mime, str)}
    assert listed - sent == {"image/mpo"}  # ffmpeg cannot write MPO; it sniffs as JPEG anyway


def test_google_flow_says_what_it_takes_and_where_the_file_would_go(
    made_media: dict[str, Path],
) -> None:
    path = made_media["clip.mov"]
    with pytest.raises(BadType) as caught:
        check_for_target(GOOGLE_FLOW, sniffed(path), path.stat().st_size, path.name)
    assert (
        str(caught.value)
        == "Google Flow does not take MOV videos — use PNG, JPEG, WEBP or MP4; Runway takes .mov"
    )
    with pytest.raises(TooLarge) as too_large:
        check_for_target(GOOGLE_FLOW, Sniffed("PNG", PNG), 25_165_824, "big.png")
    assert (
        str(too_large.value)
        == "this PNG is 24 MiB; Google Flow takes images up to 20 MiB; Wordbee takes any file"
    )


@pytest.mark.parametrize(
    ("provider", "found", "name", "sentence"),
    [
        (RUNWAY, Sniffed("PSD"), "layers.psd", "Runway does not take PSD files" + ANY_FILE),
        (RUNWAY, Sniffed("M4A"), "voice.m4a", "Runway does not take M4A files" + ANY_FILE),
        (
            RUNWAY,
            Sniffed(None),
            "notes.txt",
            "this file is not an image, video or audio file Runway takes" + ANY_FILE,
        ),
    ],
)
def test_a_refusal_names_the_target_and_who_would_take_it(
    provider: Provider, found: Sniffed, name: str, sentence: str
) -> None:
    with pytest.raises(BadType) as caught:
        check_for_target(provider, found, 1000, name)
    assert str(caught.value) == sentence


def test_too_large_says_the_cap_and_the_target_that_would_take_it() -> None:
    with pytest.raises(TooLarge) as caught:
        check_for_target(RUNWAY, Sniffed("WAV", WAV), 140 * MIB, "take.wav")
    assert str(caught.value) == (
        "this WAV is 140 MiB; Runway takes audio up to 100 MiB; Wordbee takes any file"
    )
    assert (caught.value.size, caught.value.limit) == (140 * MIB, 100 * MIB)
    with pytest.raises(TooLarge) as nowhere:
        check_for_target(RUNWAY, Sniffed("MOV", MOV), 600 * MIB, "long.mov")
    assert str(nowhere.value) == "this MOV is 600 MiB; Runway takes videos up to 500 MiB"
    with pytest.raises(TooLarge) as wordbee:
        check_for_target(WORDBEE, Sniffed(None), 600 * MIB, "dump.bin")
    assert str(wordbee.value) == "this file is 600 MiB; Wordbee takes files up to 500 MiB"


def test_a_suggestion_uses_the_files_own_extension_when_it_is_right() -> None:
    """ "Runway takes .mov" (or the name's .qt); Google Flow is never suggested for a type it
    refuses, and a too-large MP4 for Google Flow is Runway's."""
    assert _elsewhere(GOOGLE_FLOW, MOV, 1000, "clip.mov") == "; Runway takes .mov"
    assert _elsewhere(GOOGLE_FLOW, MOV, 1000, "clip.QT") == "; Runway takes .qt"
    assert _elsewhere(GOOGLE_FLOW, MOV, 1000, "clip.mp4") == "; Runway takes .mov"
    assert _elsewhere(GOOGLE_FLOW, MP4, 200 * MIB, "long.mp4") == "; Runway takes .mp4"
    assert _elsewhere(RUNWAY, None, 1000, "notes.txt") == "; Wordbee takes any file"
    assert _elsewhere(RUNWAY, None, 501 * MIB, "notes.txt") == ""


@pytest.mark.parametrize("provider", [GOOGLE_FLOW, RUNWAY, WORDBEE], ids=str)
def test_an_empty_file_is_empty_everywhere(provider: Provider) -> None:
    with pytest.raises(EmptyFile) as caught:
        check_for_target(provider, Sniffed(None), 0, "empty.png")
    assert str(caught.value) == "the file is empty (0 bytes)"


@pytest.mark.parametrize(
    ("provider", "media", "cap"),
    [
        (GOOGLE_FLOW, PNG, 20 * MIB),
        (GOOGLE_FLOW, MP4, 100 * MIB),
        (RUNWAY, PNG, RUNWAY_IMAGE_LIMIT),
        (RUNWAY, MOV, RUNWAY_VIDEO_LIMIT),
        (RUNWAY, WAV, RUNWAY_AUDIO_LIMIT),
        (WORDBEE, MOV, WORDBEE_LIMIT),
        (WORDBEE, OCTET_STREAM, WORDBEE_LIMIT),
    ],
)
def test_the_cap_itself_is_taken_and_one_byte_more_is_not(
    provider: Provider, media: MediaType, cap: int
) -> None:
    found = Sniffed(None) if media is OCTET_STREAM else Sniffed(media.label, media)
    assert check_for_target(provider, found, cap, "f") is media
    with pytest.raises(TooLarge):
        check_for_target(provider, found, cap + 1, "f")


def test_the_caps_are_what_the_pane_says() -> None:
    assert RUNWAY_IMAGE_LIMIT == 20 * MIB
    assert RUNWAY_VIDEO_LIMIT == 500 * MIB
    assert RUNWAY_AUDIO_LIMIT == 100 * MIB
    assert WORDBEE_LIMIT == 500 * MIB
    assert rules_for(RUNWAY).limit_text() == (
        "Runway: images up to 20 MiB, videos up to 500 MiB, audio up to 100 MiB "
        "(AssetDesk's defaults: the service states no limit)"
    )
    assert rules_for(GOOGLE_FLOW).limit_text() == (
        "Google Flow: PNG, JPEG or WEBP images up to 20 MiB, MP4 videos up to 100 MiB"
    )
    assert rules_for(WORDBEE).limit_text() == (
        "Wordbee: any file up to 500 MiB (AssetDesk's default: the service states no limit)"
    )


def test_the_rules_of_each_target() -> None:
    for provider in Provider:
        assert rules_for(provider).provider is provider
    assert rules_for(WORDBEE).accepted == ()
    assert set(rules_for(WORDBEE).limits) == set(MediaKind)
    assert set(rules_for(RUNWAY).limits) == {MediaKind.IMAGE, MediaKind.VIDEO, MediaKind.AUDIO}
    assert not rules_for(RUNWAY).accepts(OCTET_STREAM)
    assert rules_for(WORDBEE).accepts(OCTET_STREAM)
    # Runway is sent the Content-Type it documents: each accepted type's MIME maps back to it.
    for media in rules_for(RUNWAY).accepted:
        assert media_type_for_mime(media.mime, among=KNOWN_MEDIA_TYPES) is media


@given(
    st.sampled_from(list(Provider)),
    st.sampled_from([None, *KNOWN_MEDIA_TYPES]),
    st.integers(min_value=0, max_value=2**40),
)
def test_check_for_target_only_raises_typed_errors_and_keeps_to_the_caps(
    provider: Provider, media: MediaType | None, size: int
) -> None:
    found = Sniffed(None if media is None else media.label, media)
    try:
        sent = check_for_target(provider, found, size, "f")
    except (BadType, EmptyFile, TooLarge):
        return
    rules = rules_for(provider)
    assert rules.accepts(sent)
    assert 0 < size <= rules.limits[sent.kind]
