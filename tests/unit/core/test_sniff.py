"""core/sniff.py: real files are recognised by their bytes, whatever their names say."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetdesk.core.errors import BadType, EmptyFile, TooLarge
from assetdesk.core.media import JPEG, MIB, MP4, PNG, WEBP
from assetdesk.core.sniff import HEAD_SIZE, classify_upload, extension_note, sniff

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
    assert str(caught.value) == "image is 25.2 MB; the limit is 20 MiB"


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
