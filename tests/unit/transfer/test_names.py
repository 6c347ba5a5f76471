"""transfer/names.py: server names become one safe component, and targets never clobber or
leave the folder. Real files in a temp folder stand for "taken" names."""

from __future__ import annotations

import contextlib
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assetdesk.core.errors import InvalidInput
from assetdesk.transfer.names import (
    MIN_BYTES,
    Conflict,
    filename_from_content_disposition,
    name_for_type,
    name_from_url,
    name_key,
    part_path,
    resolve_target,
    sanitise_filename,
    split_extension,
    with_tag,
)
from assetdesk.transfer.part_lock import hold

# ---- Content-Disposition ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('attachment; filename="clip.mp4"', "clip.mp4"),
        ("attachment; filename=clip.mp4", "clip.mp4"),
        ('inline; filename="clip.mp4"', "clip.mp4"),
        ('filename="bare.png"', "bare.png"),
        ('ATTACHMENT; FILENAME="upper.png"', "upper.png"),
        ('attachment;filename="tight.png"', "tight.png"),
        ('  attachment ;   filename  =  "spaced.png"  ', "spaced.png"),
        ("attachment; filename=  token.png  ", "token.png"),
        ('attachment; filename="a;b, c.png"', "a;b, c.png"),
        (r'attachment; filename="say \"hi\".png"', 'say "hi".png'),
        (r'attachment; filename="back\\slash.png"', "back\\slash.png"),
        ("attachment; filename*=UTF-8''%e2%82%ac%20rates.txt", "€ rates.txt"),
        ("attachment; filename*=utf-8''%E2%82%AC%20rates.txt", "€ rates.txt"),
        ("attachment; filename*=UTF-8'en'%e2%82%ac.txt", "€.txt"),
        ("attachment; filename*=iso-8859-1''%A3%20rates.txt", "£ rates.txt"),
        ("attachment; filename*=ISO-8859-1'de'caf%E9.txt", "café.txt"),
        ("attachment; filename*=\"UTF-8''quoted%20ext.txt\"", "quoted ext.txt"),
        # filename* wins whatever the order.
        ("attachment; filename=\"plain.txt\"; filename*=UTF-8''%e2%82%ac.txt", "€.txt"),
        ("attachment; filename*=UTF-8''%e2%82%ac.txt; filename=\"plain.txt\"", "€.txt"),
        ("attachment; FileName*=UTF-8''caps.txt", "caps.txt"),
        # Undecodable or unknown filename* falls back to filename.
        ("attachment; filename*=UTF-8''%ff%fe.txt; filename=\"fallback.txt\"", "fallback.txt"),
        ("attachment; filename*=klingon''x.txt; filename=\"fallback.txt\"", "fallback.txt"),
        ('attachment; filename*=no-quotes.txt; filename="fallback.txt"', "fallback.txt"),
        ("attachment; filename*=shift_jis''%82%a0.txt; filename=\"sj.txt\"", "sj.txt"),
        # Other parameters and garbage around them.
        ('attachment; size=12; filename="p.png"; creation-date="x"', "p.png"),
        ('attachment; ;; filename="gaps.png";;', "gaps.png"),
        ('attachment; filename="closed.png" trailing junk; x=1', "closed.png"),
        ('attachment; filename="first.png"; filename="second.png"', "first.png"),
        ("attachment; filename=\"  \"; filename*=UTF-8''", None),
    ],
)
def test_content_disposition(header: str, expected: str | None) -> None:
    assert filename_from_content_disposition(header) == expected


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "attachment",
        "inline",
        ";;;",
        "attachment; filename",
        "attachment; filename=",
        'attachment; filename="unterminated.png',
        "attachment; filename*=UTF-8''%ff",
        "=====",
        '"',
        'attachment; name="field"',
    ],
)
def test_content_disposition_without_a_name(header: str | None) -> None:
    assert filename_from_content_disposition(header) is None


@given(st.text(max_size=80))
def test_content_disposition_never_raises(header: str) -> None:
    result = filename_from_content_disposition(header)
    assert result is None or (isinstance(result, str) and result.strip())


# ---- name_from_url ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://storage.example/bucket/clip.mp4", "clip.mp4"),
        ("https://storage.example/bucket/my%20clip.mp4?X-Goog-Signature=abc&x=1", "my clip.mp4"),
        ("https://storage.example/bucket/dir%2Fclip.mp4", "dir/clip.mp4"),
        ("https://storage.example/bucket/%E2%82%AC.png#frag", "€.png"),
        ("https://storage.example/bucket/", None),
        ("https://storage.example", None),
        ("https://storage.example/?name=x.png", None),
        ("", None),
        ("http://[::1", None),
    ],
)
def test_name_from_url(url: str, expected: str | None) -> None:
    assert name_from_url(url) == expected


# ---- sanitise_filename --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("clip.mp4", "clip.mp4"),
        ("../../evil.png", "evil.png"),
        ("..\\..\\evil-win.jpg", "evil-win.jpg"),
        ("/etc/passwd", "passwd"),
        ("C:\\x\\y.txt", "y.txt"),
        ("C:y.txt", "C_y.txt"),
        ("dir/", "download"),
        ("a\x00b\x1f\x7f\x85c.png", "abc.png"),
        ("line\nbreak.txt", "linebreak.txt"),
        ('a<b>c:d"e|f?g*h.txt', "a_b_c_d_e_f_g_h.txt"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ("  spaced.png  ", "spaced.png"),
        ("trailing.png...", "trailing.png"),
        ("trailing. . .", "trailing"),
        ("e\u0301t\u0301e\u0301.txt", "ét́é.txt"),
        (".", "download"),
        ("..", "download"),
        ("...", "download"),
        ("", "download"),
        ("   ", "download"),
        ("\x00\x01", "download"),
        (".png", "download.png"),
        ("...png", "download.png"),
        (" . .png", "download.png"),
        (".bashrc", "download.bashrc"),
        ("..hidden.txt", "hidden.txt"),
        (".a-b", "a-b"),
        ("con", "con_"),
        ("CON", "CON_"),
        ("con.txt", "con_.txt"),
        ("Nul", "Nul_"),
        ("COM1.tar.gz", "COM1_.tar.gz"),
        ("lpt9.png", "lpt9_.png"),
        ("COM¹.txt", "COM¹_.txt"),
        ("lpt³", "lpt³_"),
        ("CON .txt", "CON_ .txt"),
        ("aux.", "aux_"),
        ("conin$", "conin$_"),
        ("CONSOLE.txt", "CONSOLE.txt"),
        ("COM10.txt", "COM10.txt"),
        ("xcon.txt", "xcon.txt"),
        ("../CON", "CON_"),
    ],
)
def test_sanitise_table(raw: str, expected: str) -> None:
    assert sanitise_filename(raw) == expected


def test_sanitise_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "café.png")
    assert sanitise_filename(decomposed) == "caf\u00e9.png"
    assert sanitise_filename(decomposed).encode() == b"caf\xc3\xa9.png"


def test_sanitise_fallback_is_used_and_made_safe() -> None:
    assert sanitise_filename("..", fallback="asset-123") == "asset-123"
    assert sanitise_filename(".mp4", fallback="asset-123") == "asset-123.mp4"
    assert sanitise_filename("", fallback="a/b:c") == "b_c"
    assert sanitise_filename("", fallback="") == "download"


def test_sanitise_bounds_bytes_and_keeps_the_extension() -> None:
    long_name = "a" * 300 + ".png"
    out = sanitise_filename(long_name)
    assert out == "a" * 196 + ".png"
    assert len(out.encode()) == 200


def test_sanitise_never_cuts_inside_a_character() -> None:
    # '€' is 3 bytes: 70 of them (210 bytes) + '.txt' must lose whole characters only.
    out = sanitise_filename("€" * 70 + ".txt", max_bytes=100)
    assert out == "€" * 32 + ".txt"
    assert len(out.encode()) == 100


def test_sanitise_long_odd_suffix_is_not_an_extension() -> None:
    name = "b" * 250 + ".this-is-not-an-extension"
    out = sanitise_filename(name, max_bytes=100)
    assert out == "b" * 100
    too_long_ext = "c" * 250 + "." + "x" * 17
    assert sanitise_filename(too_long_ext, max_bytes=50) == "c" * 50


def test_sanitise_cut_that_ends_in_dots_and_spaces_is_stripped() -> None:
    out = sanitise_filename("x" * 30 + " . " * 20 + "tail", max_bytes=40)
    assert out == "x" * 30


def test_sanitise_cut_that_leaves_a_device_name() -> None:
    out = sanitise_filename("CON" + " " * 60 + "tail.png", max_bytes=40)
    assert out == "CON_" + " " * 32 + ".png"
    assert len(out.encode()) <= 40


def test_sanitise_refuses_a_tiny_limit() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        sanitise_filename("x", max_bytes=MIN_BYTES - 1)


_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{d}" for p in ("COM", "LPT") for d in "0123456789¹²³"
}
_pieces = st.sampled_from(
    ["/", "\\", ".", "..", " ", ":", "\x00", "\u202e", "\u0301", "CON", "com¹", ".png", "e", "€"]
)
names_text = st.lists(st.text(st.characters(codec="utf-8"), max_size=8) | _pieces, max_size=30).map(
    "".join
)


@settings(max_examples=400)
@given(names_text, st.integers(min_value=MIN_BYTES, max_value=260))
@example("CON" + " " * 60 + "tail.png", 40)
@example("€" * 70 + ".txt", 32)
@example("a" * 40 + "." * 5 + ".tar.gz", 32)
@example("\u1100\u1161" * 40, 33)
def test_sanitise_properties(raw: str, max_bytes: int) -> None:
    out = sanitise_filename(raw, max_bytes=max_bytes)
    assert out
    assert out not in (".", "..")
    assert out.strip(".") and out[0] != "." and out[-1] not in ". "
    assert "/" not in out and "\\" not in out
    assert not any(unicodedata.category(ch) == "Cc" for ch in out)
    assert not set('<>:"|?*') & set(out)
    assert out.split(".", 1)[0].rstrip(" ").upper() not in _RESERVED
    assert len(out.encode("utf-8")) <= max_bytes
    assert os.path.basename(out) == out  # noqa: PTH119 (the os-level view is the point)
    assert Path(out).name == out
    assert unicodedata.is_normalized("NFC", out)
    assert sanitise_filename(out, max_bytes=max_bytes) == out


@given(names_text)
def test_sanitised_names_can_be_written(tmp_path_factory: pytest.TempPathFactory, raw: str) -> None:
    folder = tmp_path_factory.mktemp("written")
    out = sanitise_filename(raw)
    path = folder / out
    path.write_bytes(b"x")
    assert [p.name for p in folder.iterdir()] == [out]
    assert path.read_bytes() == b"x"


# ---- split_extension / part_path ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.png", ("a", ".png")),
        ("a.tar.gz", ("a", ".tar.gz")),
        ("A.TAR.XZ", ("A", ".TAR.XZ")),
        ("a.tar.bz2", ("a", ".tar.bz2")),
        ("a.b.c", ("a.b", ".c")),
        ("noext", ("noext", "")),
        ("a.not-ext", ("a.not-ext", "")),
        (".tar.gz", (".tar", ".gz")),
        ("a." + "x" * 17, ("a." + "x" * 17, "")),
    ],
)
def test_split_extension(name: str, expected: tuple[str, str]) -> None:
    assert split_extension(name) == expected


def test_part_path(tmp_path: Path) -> None:
    assert part_path(tmp_path / "clip.mp4") == tmp_path / "clip.mp4.part"


# ---- resolve_target -----------------------------------------------------------------------------


def test_free_name_is_used_under_every_policy(tmp_path: Path) -> None:
    for policy in Conflict:
        assert resolve_target(tmp_path, "clip.mp4", policy) == tmp_path / "clip.mp4"


def test_overwrite_returns_the_existing_path(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"old")
    assert resolve_target(tmp_path, "clip.mp4", Conflict.OVERWRITE) == tmp_path / "clip.mp4"
    assert (tmp_path / "clip.mp4").read_bytes() == b"old"


def test_skip_when_the_file_exists(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"old")
    assert resolve_target(tmp_path, "clip.mp4", Conflict.SKIP) is None
    assert resolve_target(tmp_path, "other.mp4", Conflict.SKIP) == tmp_path / "other.mp4"


@contextlib.contextmanager
def being_written(part: Path) -> Iterator[None]:
    """`part` open and held as a download writing it holds it (transfer/part_lock.py)."""
    descriptor = os.open(part, os.O_RDWR | os.O_CREAT, 0o644)
    os.write(descriptor, b"in progress")
    hold(descriptor)
    try:
        yield
    finally:
        os.close(descriptor)


def test_rename_counts_up(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"0")
    assert resolve_target(tmp_path, "clip.mp4", Conflict.RENAME) == tmp_path / "clip (1).mp4"
    (tmp_path / "clip (1).mp4").write_bytes(b"1")
    with being_written(tmp_path / "clip (2).mp4.part"):
        assert resolve_target(tmp_path, "clip.mp4", Conflict.RENAME) == tmp_path / "clip (3).mp4"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "clip (1).mp4",
        "clip (2).mp4.part",
        "clip.mp4",
    ]


def test_rename_when_only_the_part_file_exists(tmp_path: Path) -> None:
    with being_written(tmp_path / "clip.mp4.part"):
        assert resolve_target(tmp_path, "clip.mp4", Conflict.RENAME) == tmp_path / "clip (1).mp4"


@pytest.mark.skipif(os.name != "posix", reason="flock: POSIX only")
def test_an_orphan_part_does_not_take_its_name_but_a_kept_one_does(tmp_path: Path) -> None:
    """A `.part` no download holds and with no resume record (its download was killed before
    its first record) gives its name back; one with a record may be resumed: it keeps it."""
    (tmp_path / "clip.mp4.part").write_bytes(b"left by a killed download")
    assert resolve_target(tmp_path, "clip.mp4", Conflict.RENAME) == tmp_path / "clip.mp4"
    (tmp_path / "clip.mp4.part.json").write_text("{}")
    assert resolve_target(tmp_path, "clip.mp4", Conflict.RENAME) == tmp_path / "clip (1).mp4"
    (tmp_path / "link.mp4.part").symlink_to(tmp_path / "clip.mp4.part")  # never judged orphan
    assert resolve_target(tmp_path, "link.mp4", Conflict.RENAME) == tmp_path / "link (1).mp4"


def test_rename_keeps_double_suffixes_and_no_suffix(tmp_path: Path) -> None:
    for name in ("a.tar.gz", "README", "a.b.png"):
        (tmp_path / name).write_bytes(b"x")
    assert resolve_target(tmp_path, "a.tar.gz", Conflict.RENAME) == tmp_path / "a (1).tar.gz"
    assert resolve_target(tmp_path, "README", Conflict.RENAME) == tmp_path / "README (1)"
    assert resolve_target(tmp_path, "a.b.png", Conflict.RENAME) == tmp_path / "a.b (1).png"


def test_a_broken_symlink_counts_as_taken(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").symlink_to(tmp_path / "missing")
    assert resolve_target(tmp_path, "clip.mp4", Conflict.RENAME) == tmp_path / "clip (1).mp4"
    assert resolve_target(tmp_path, "clip.mp4", Conflict.SKIP) is None


def test_a_directory_counts_as_taken(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").mkdir()
    assert resolve_target(tmp_path, "clip.mp4", Conflict.RENAME) == tmp_path / "clip (1).mp4"


@pytest.mark.parametrize("name", ["", ".", "..", "../x.png", "a/b.png", "a\\b.png", "a\0b"])
def test_resolve_refuses_names_that_are_not_one_component(tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_target(tmp_path, name, Conflict.OVERWRITE)
    assert str(caught.value) == f"'{name}' is not a plain file name; it cannot be saved."


def test_conflict_values() -> None:
    assert [c.value for c in Conflict] == ["rename", "overwrite", "skip"]
    assert Conflict("skip") is Conflict.SKIP


# ---- the asset's name and its real type ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mime", "expected"),
    [
        ("Race car.jpg", "image/jpeg", "Race car.jpg"),  # already that type
        ("Race car.JPEG", "image/jpeg", "Race car.JPEG"),
        ("photo.jpg", "image/png", "photo.png"),  # a name that says another media type
        ("clip.mov", "video/mp4", "clip.mp4"),
        ("a red fox in snow", "image/png", "a red fox in snow.png"),  # a title without one
        ("Gen-3 Alpha 42, v1.final", "video/mp4", "Gen-3 Alpha 42, v1.final.mp4"),
        ("notes.pdf", "application/pdf", "notes.pdf"),  # a type AssetDesk does not know
        ("notes", None, "notes"),
        ("blob", "application/octet-stream", "blob"),
        ("voice.ogg", "video/ogg", "voice.ogg"),  # .ogg is also Ogg video's
        ("take.png", "image/jpeg; charset=binary", "take.jpg"),
    ],
)
def test_name_for_type(name: str, mime: str | None, expected: str) -> None:
    assert name_for_type(name, mime) == expected


def test_name_for_type_keeps_a_long_name_within_the_bound() -> None:
    long = "é" * 150  # 300 bytes
    named = name_for_type(long, "image/png")
    assert named.endswith(".png") and len(named.encode("utf-8")) <= 200


@pytest.mark.parametrize(
    ("name", "tag", "expected"),
    [
        ("Race car.jpg", "3f2a9c1d", "Race car 3f2a9c1d.jpg"),
        ("archive.tar.gz", "27665601-de", "archive 27665601-de.tar.gz"),
        ("no extension", "ab12cd34", "no extension ab12cd34"),
    ],
)
def test_with_tag(name: str, tag: str, expected: str) -> None:
    assert with_tag(name, tag) == expected


def test_with_tag_cuts_the_stem_never_the_tag_or_the_extension() -> None:
    name = "x" * 195 + ".png"
    tagged = with_tag(name, "3f2a9c1d")
    assert tagged.endswith(" 3f2a9c1d.png") and len(tagged.encode("utf-8")) == 200
    cut = with_tag("é" * 99 + ".png", "3f2a9c1d", max_bytes=64)  # never half an 'é'
    assert cut == "é" * 25 + " 3f2a9c1d.png" and len(cut.encode("utf-8")) == 63


def test_name_key_takes_case_and_unicode_forms_as_one_name() -> None:
    nfd = unicodedata.normalize("NFD", "Café.png")
    assert name_key("CAFÉ.PNG") == name_key(nfd) == name_key("café.png")
    assert name_key("fox.png") != name_key("fox.jpg")
