"""core/sniff.py: real files are recognised by their bytes, whatever their names say."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetdesk.core.errors import BadType, EmptyFile, TooLarge
from assetdesk.core.media import (
    AVI,
    FLAC,
    FLV,
    GIF,
    JPEG,
    MIB,
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
    THREE_GP,
    WAV,
    WEBM,
    WEBM_AUDIO,
    WEBP,
    MediaType,
)
from assetdesk.core.sniff import (
    HEAD_SIZE,
    Sniffed,
    classify_sniffed,
    classify_upload,
    extension_note,
    sniff,
)

UNSUPPORTED = "files are not supported — use PNG, JPEG, WEBP or MP4"
UNKNOWN = "this file is not an image or video that can be uploaded — use PNG, JPEG, WEBP or MP4"


def head_of(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(HEAD_SIZE)


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A complete, valid PNG written by hand (8-bit greyscale)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(width) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def psd_bytes(width: int = 2, height: int = 2) -> bytes:
    """A complete, valid Photoshop file (version 1, one 8-bit greyscale channel, raw data)."""
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 1, height, width, 8, 1)
    sections = struct.pack(">III", 0, 0, 0)  # colour mode data, image resources, layers
    return header + sections + struct.pack(">H", 0) + bytes(width * height)


def iso_bmff_head(major: bytes, *compatible: bytes) -> bytes:
    """An ftyp box as HEIC/AVIF/MP4 files start with (ffmpeg cannot write HEIC: built here)."""
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    ftyp = struct.pack(">I", 8 + len(body)) + b"ftyp" + body
    return ftyp + struct.pack(">I", 8) + b"free"


# ---- real files encoded by ffmpeg -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "label", "media_type"),
    [
        ("picture.png", "PNG", PNG),
        ("picture.jpg", "JPEG", JPEG),
        ("picture.webp", "WEBP", WEBP),
        ("clip.mp4", "MP4", MP4),
        ("picture.gif", "GIF", None),
        ("picture.bmp", "BMP", None),
        ("picture.tiff", "TIFF", None),
        ("picture.avif", "AVIF", None),
        ("clip.mov", "MOV", None),
        ("clip.3gp", "3GP", None),
        ("clip.webm", "WebM/Matroska", None),
        ("clip.mkv", "WebM/Matroska", None),
        ("sound.m4a", "M4A", None),
    ],
)
def test_real_files_are_recognised(
    made_media: dict[str, Path], name: str, label: str, media_type: object
) -> None:
    found = sniff(head_of(made_media[name]))
    assert found.label == label
    assert found.media_type is media_type
    assert found.supported is (media_type is not None)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("picture.gif", "GIF"),
        ("clip.mov", "MOV"),
        ("picture.avif", "AVIF"),
        ("clip.webm", "WebM/Matroska"),
    ],
)
def test_unsupported_real_files_are_refused_by_name_of_format(
    made_media: dict[str, Path], name: str, label: str
) -> None:
    path = made_media[name]
    with pytest.raises(BadType) as caught:
        classify_upload(head_of(path), path.stat().st_size, "upload.png")
    assert str(caught.value) == f"{label} {UNSUPPORTED}"


def test_a_renamed_file_is_judged_by_its_bytes(made_media: dict[str, Path], tmp_path: Path) -> None:
    renamed = tmp_path / "holiday.jpg"
    renamed.write_bytes(made_media["picture.png"].read_bytes())
    found = classify_upload(head_of(renamed), renamed.stat().st_size, renamed.name)
    assert found is PNG
    assert extension_note(renamed.name, found) == "named .jpg but is really PNG; it is sent as PNG"


def test_demo_media_is_uploadable(demo_media: list[Path]) -> None:
    """Every image or video the sandbox ships as demo media must pass the same checks as uploads."""
    suffixes = {".png", ".jpg", ".jpeg", ".webp", ".mp4"}
    media = [p for p in demo_media if p.suffix.lower() in suffixes]
    if not media:
        pytest.skip("no demo media under resources/demo/ yet")
    for path in media:
        found = classify_upload(head_of(path), path.stat().st_size, path.name)
        assert extension_note(path.name, found) is None, path.name


# ---- hand-built files --------------------------------------------------------------------------


def test_handmade_png_is_png() -> None:
    data = png_bytes()
    assert classify_upload(data[:HEAD_SIZE], len(data), "a.png") is PNG


def test_psd_is_refused_with_the_exact_sentence() -> None:
    data = psd_bytes()
    assert sniff(data).label == "PSD"
    with pytest.raises(BadType) as caught:
        classify_upload(data[:HEAD_SIZE], len(data), "layers.png")
    assert str(caught.value) == "PSD files are not supported — use PNG, JPEG, WEBP or MP4"


@pytest.mark.parametrize(
    ("head", "label"),
    [
        (iso_bmff_head(b"heic", b"mif1", b"heic"), "HEIC"),
        (iso_bmff_head(b"mif1", b"mif1", b"heic"), "HEIC"),
        (iso_bmff_head(b"msf1", b"msf1", b"hevc"), "HEIC"),
        (iso_bmff_head(b"mif1", b"avif", b"mif1", b"miaf"), "AVIF"),
        (iso_bmff_head(b"avis", b"avis", b"msf1"), "AVIF"),
        (iso_bmff_head(b"qt  ", b"qt  "), "MOV"),
        (iso_bmff_head(b"3gp5", b"3gp5", b"isom"), "3GP"),
        (iso_bmff_head(b"M4A ", b"M4A ", b"mp42", b"isom"), "M4A"),
        (iso_bmff_head(b"mp42", b"mp42", b"isom"), "MP4"),
        (iso_bmff_head(b"M4V ", b"M4V ", b"M4A ", b"mp42"), "MP4"),
        (iso_bmff_head(b"dash", b"iso6", b"mp41"), "MP4"),
        (iso_bmff_head(b"abcd", b"abcd", b"isom"), "MP4"),  # unknown major, mp4-compatible
        (iso_bmff_head(b"abcd", b"abcd"), None),
    ],
)
def test_iso_media_brands(head: bytes, label: str | None) -> None:
    found = sniff(head)
    assert found.label == label
    assert (found.media_type is MP4) == (label == "MP4")


@pytest.mark.parametrize(
    ("head", "label"),
    [
        (b"GIF87a\x01\x00\x01\x00", "GIF"),
        (b"%PDF-1.7\n", "PDF"),
        (b"PK\x03\x04\x14\x00", "ZIP"),
        (b"RIFF\x10\x00\x00\x00AVI LIST", "AVI"),
        (b"MM\x00*\x00\x00\x00\x08", "TIFF"),
        (b"<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG"),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x10mdat", "MOV"),
    ],
)
def test_other_recognised_formats(head: bytes, label: str) -> None:
    assert sniff(head).label == label
    assert sniff(head).media_type is None


def test_text_is_unknown_with_the_exact_sentence() -> None:
    data = b"just some notes, not a picture\n"
    assert sniff(data).label is None
    with pytest.raises(BadType) as caught:
        classify_upload(data, len(data), "notes.png")
    assert str(caught.value) == UNKNOWN


def test_empty_file_is_empty_not_unknown() -> None:
    with pytest.raises(EmptyFile):
        classify_upload(b"", 0, "empty.png")


def test_size_limits_apply_after_sniffing() -> None:
    head = png_bytes()[:HEAD_SIZE]
    assert classify_upload(head, 20 * MIB, "big.png") is PNG
    with pytest.raises(TooLarge) as caught:
        classify_upload(head, 25_165_824, "big.png")
    assert str(caught.value) == "image is 24 MiB; the limit is 20 MiB"


def test_a_short_truncated_signature_is_unknown() -> None:
    assert sniff(b"\x89PN").label is None
    assert sniff(b"RIFF").label is None
    assert sniff(b"").label is None


@pytest.mark.parametrize(
    ("name", "note"),
    [
        ("photo.png", None),
        ("photo.PNG", None),
        ("photo", None),
        ("photo.jpg", "named .jpg but is really PNG; it is sent as PNG"),
        ("photo.dat", "named .dat but is really PNG; it is sent as PNG"),
        ("archive.tar.webp", "named .webp but is really PNG; it is sent as PNG"),
    ],
)
def test_extension_note(name: str, note: str | None) -> None:
    assert extension_note(name, PNG) == note


def test_extension_note_accepts_every_usual_jpeg_extension() -> None:
    for name in ("a.jpg", "a.jpeg", "a.JPE", "a.jfif"):
        assert extension_note(name, JPEG) is None
    assert extension_note("clip.m4v", MP4) is None


@given(st.binary(max_size=HEAD_SIZE * 2))
def test_sniff_never_raises(head: bytes) -> None:
    found = sniff(head)
    assert found.media_type is None or found.label == found.media_type.label


@given(st.binary(max_size=HEAD_SIZE), st.integers(min_value=0, max_value=10**12), st.text())
def test_classify_upload_only_raises_typed_errors(head: bytes, size: int, name: str) -> None:
    try:
        media_type = classify_upload(head, size, name)
    except (BadType, EmptyFile, TooLarge):
        return
    assert 0 < size <= media_type.limit
    assert sniff(head).media_type is media_type


@given(st.binary(min_size=0, max_size=40))
def test_a_png_signature_decides_whatever_follows(rest: bytes) -> None:
    assert sniff(b"\x89PNG\r\n\x1a\n" + rest).media_type is PNG


# ---- every type a target takes (issue 14) -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "label", "media"),
    [
        ("picture.png", "PNG", PNG),
        ("picture.jpg", "JPEG", JPEG),
        ("picture.webp", "WEBP", WEBP),
        ("picture-lossless.webp", "WEBP", WEBP),
        ("picture-alpha.webp", "WEBP", WEBP),
        ("picture.gif", "GIF", GIF),
        ("clip.mp4", "MP4", MP4),
        ("moov-at-end.mp4", "MP4", MP4),
        ("clip.mov", "MOV", MOV),
        ("clip.3gp", "3GP", THREE_GP),
        ("clip.webm", "WebM/Matroska", WEBM),
        ("clip.mkv", "WebM/Matroska", MKV),
        ("clip.flv", "FLV", FLV),
        ("clip.mpg", "MPEG", MPEG),
        ("clip.ts", "MPEG-TS", MPEG_TS),
        ("clip.avi", "AVI", AVI),
        ("clip.ogv", "OGG", OGV),
        ("sound.wav", "WAV", WAV),
        ("sound.mp3", "MP3", MP3),
        ("sound-frames.mp3", "MP3", MP3),
        ("sound.flac", "FLAC", FLAC),
        ("sound.ogg", "OGG", OGG),
        ("sound.opus", "OGG", OGG),
        ("sound.weba", "WebM/Matroska", WEBM_AUDIO),
        ("picture.bmp", "BMP", None),
        ("picture.tiff", "TIFF", None),
        ("picture.avif", "AVIF", None),
        ("sound.m4a", "M4A", None),
    ],
)
def test_real_files_of_every_known_type(
    made_media: dict[str, Path], name: str, label: str, media: MediaType | None
) -> None:
    found = sniff(head_of(made_media[name]))
    assert (found.label, found.media) == (label, media)
    # Google Flow's view is unchanged: only its four types count as supported.
    assert found.media_type is (media if media in (PNG, JPEG, WEBP, MP4) else None)


def test_head_size_is_enough_for_every_fixture_and_no_bigger_than_a_page() -> None:
    """Each real file above is told from its first HEAD_SIZE bytes (head_of reads no more)."""
    assert 3 * 188 < HEAD_SIZE <= 4096


def ebml_head(doc_type: bytes, tracks: bytes = b"") -> bytes:
    """An EBML header naming `doc_type`, then (loosely) track codec ids as Matroska writes them."""
    body = b"\x42\x86\x81\x01" + b"\x42\x82" + bytes([0x80 | len(doc_type)]) + doc_type
    return b"\x1aE\xdf\xa3" + bytes([0x80 | len(body)]) + body + tracks


def codec(name: bytes) -> bytes:
    return b"\x86" + bytes([0x80 | len(name)]) + name


@pytest.mark.parametrize(
    ("head", "media"),
    [
        (ebml_head(b"webm", codec(b"V_VP9") + codec(b"A_OPUS")), WEBM),
        (ebml_head(b"webm", codec(b"A_VORBIS")), WEBM_AUDIO),
        (ebml_head(b"webm"), WEBM),  # no track list in the head: a WebM is taken as video
        (ebml_head(b"matroska", codec(b"A_FLAC")), MKV),
        (ebml_head(b"other"), None),
        (b"\x1aE\xdf\xa3\x9f\x42", None),  # cut inside the header
        (b"\x1aE\xdf\xa3\x00", None),  # an invalid size
    ],
)
def test_matroska_by_doc_type_and_tracks(head: bytes, media: MediaType | None) -> None:
    found = sniff(head)
    assert found.label == "WebM/Matroska"
    assert found.media is media


def ogg_page(packet: bytes) -> bytes:
    return b"OggS\x00\x02" + bytes(20) + b"\x01" + bytes([len(packet)]) + packet


@pytest.mark.parametrize(
    ("packet", "media"),
    [
        (b"\x80theora\x03\x02\x01", OGV),
        (b"\x01vorbis\x00\x00\x00\x00", OGG),
        (b"OpusHead\x01\x02", OGG),
        (b"\x7fFLAC\x01\x00", OGG),
    ],
)
def test_ogg_video_or_audio_by_its_first_stream(packet: bytes, media: MediaType) -> None:
    assert sniff(ogg_page(packet)).media is media


def test_mpeg_ts_needs_the_sync_byte_at_every_packet() -> None:
    packet = b"\x47" + bytes(187)
    assert sniff(packet * 3).media is MPEG_TS
    assert sniff(packet * 2).media is MPEG_TS  # a short file: two packets will do
    assert sniff(packet).media is None
    assert sniff(packet * 2 + b"\x00" + bytes(187)).media is None  # the third is off


def mp3_frame(header: bytes) -> bytes:
    """One MPEG-1 layer III frame of 128 kbit/s at 44.1 kHz: 417 bytes."""
    return header + bytes(417 - len(header))


def test_mpeg_audio_without_id3_needs_two_frame_headers_when_the_head_holds_both() -> None:
    header = b"\xff\xfb\x90\x00"  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz
    assert sniff(mp3_frame(header) * 2).media is MP3
    assert sniff(mp3_frame(header) + b"\x00" * 420).media is None  # no second frame
    assert sniff(header).media is MP3  # the whole file is shorter than one frame
    assert sniff(b"\xff\xfb\xf0\x00" + bytes(900)).media is None  # bitrate index 15: invalid
    assert sniff(b"\xff\xf1\x50\x80" + bytes(900)).media is None  # AAC ADTS: layer 0


def test_mpeg_program_stream_and_elementary_video() -> None:
    assert sniff(b"\x00\x00\x01\xba\x21\x00\x01").media is MPEG
    assert sniff(b"\x00\x00\x01\xb3\x04\x00\x30").media is MPEG


def test_riff_forms() -> None:
    assert sniff(b"RIFF\x10\x00\x00\x00WAVEfmt ").media is WAV
    assert sniff(b"RIFF\x10\x00\x00\x00AVI LIST").media is AVI
    assert sniff(b"RIFF\x10\x00\x00\x00CDXAfmt ") == Sniffed("RIFF")


@pytest.mark.parametrize(
    ("name", "media", "note"),
    [
        ("voice.webm", WEBM_AUDIO, None),  # audio WebM is usually named .webm
        ("voice.weba", WEBM_AUDIO, None),
        ("clip.ogg", OGV, None),
        ("clip.mp4", MOV, "named .mp4 but is really MOV; it is sent as MOV"),
        ("song.wav", MP3, "named .wav but is really MP3; it is sent as MP3"),
        ("anything.bin", OCTET_STREAM, None),  # no type known: the name is all there is
    ],
)
def test_extension_note_over_every_known_type(
    name: str, media: MediaType, note: str | None
) -> None:
    assert extension_note(name, media) == note


def test_classify_sniffed_is_classify_upload_for_bytes_already_sniffed(
    made_media: dict[str, Path],
) -> None:
    path = made_media["clip.mov"]
    with pytest.raises(BadType) as caught:
        classify_sniffed(sniff(head_of(path)), path.stat().st_size)
    assert str(caught.value) == f"MOV {UNSUPPORTED}"
    assert classify_sniffed(sniff(png_bytes()), 100) is PNG
