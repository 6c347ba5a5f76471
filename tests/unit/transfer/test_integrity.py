"""transfer/integrity.py: what the server announces is parsed leniently, and `check` refuses a
download whose size or hashes differ, with a sentence naming the file.

The sandbox's own `blobs.Digest` (which fills the emulator's x-goog-hash headers) is the
independent reference for the encodings.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetdesk.core.errors import IntegrityError
from assetdesk.sandbox.blobs import Digest, StoredObject
from assetdesk.transfer.integrity import (
    Expected,
    Hashes,
    check,
    content_range,
    expected_from_headers,
    parse_goog_hash,
)

DATA = b"123456789"
CRC = bytes.fromhex("e3069283")  # the CRC32C check value of b"123456789"
MD5 = hashlib.md5(DATA).digest()
CRC_B64 = base64.b64encode(CRC).decode()
MD5_B64 = base64.b64encode(MD5).decode()


def _hashes(data: bytes, *, md5: bool = True) -> Hashes:
    hashes = Hashes(md5=md5)
    hashes.update(data)
    return hashes


# ---- parse_goog_hash ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([f"crc32c={CRC_B64},md5={MD5_B64}"], (CRC, MD5)),
        ([f"crc32c={CRC_B64}, md5={MD5_B64}"], (CRC, MD5)),
        ([f"  md5={MD5_B64} ,  crc32c={CRC_B64}  "], (CRC, MD5)),
        ([f"crc32c={CRC_B64}", f"md5={MD5_B64}"], (CRC, MD5)),
        ([f"CRC32C={CRC_B64}", f"MD5={MD5_B64}"], (CRC, MD5)),
        ([f"crc32c={CRC_B64}"], (CRC, None)),
        ([f"md5={MD5_B64}"], (None, MD5)),
        ([], (None, None)),
        ([""], (None, None)),
        (["sha256=abcd, crc32c=" + CRC_B64], (CRC, None)),
        (["crc32c=not base64!, md5=???"], (None, None)),
        ([f"crc32c={MD5_B64}, md5={CRC_B64}"], (None, None)),  # wrong decoded lengths
        (["crc32c=AAAA"], (None, None)),  # 3 bytes
        (["crc32c", "=", ",,,", "md5="], (None, None)),
        ([f'crc32c="{CRC_B64}"'], (CRC, None)),
        # The first valid value of each algorithm wins; a bad one does not hide a good one.
        (["crc32c=AAAAAA==", f"crc32c={CRC_B64}"], (b"\0\0\0\0", None)),
        ([f"crc32c=@@@, crc32c={CRC_B64}"], (CRC, None)),
    ],
)
def test_parse_goog_hash(values: list[str], expected: tuple[bytes | None, bytes | None]) -> None:
    assert parse_goog_hash(values) == expected


@given(st.lists(st.text(max_size=60), max_size=4))
def test_parse_goog_hash_never_raises(values: list[str]) -> None:
    crc32c, md5 = parse_goog_hash(values)
    assert crc32c is None or len(crc32c) == 4
    assert md5 is None or len(md5) == 16


# ---- content_range / expected_from_headers ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bytes 0-99/1000", (0, 99, 1000)),
        ("bytes 900-999/1000", (900, 999, 1000)),
        ("BYTES 5-5/6", (5, 5, 6)),
        ("  bytes 0-9/*  ", (0, 9, None)),
        ("bytes 0-999/1000", (0, 999, 1000)),
        ("bytes 0-1000/1000", None),
        ("bytes 10-9/100", None),
        ("bytes */1000", None),
        ("bytes 0-9", None),
        ("items 0-9/10", None),
        ("bytes -1-9/10", None),
        ("bytes 0-9/ten", None),
        ("", None),
    ],
)
def test_content_range(value: str, expected: tuple[int, int, int | None] | None) -> None:
    assert content_range(httpx.Headers({"Content-Range": value})) == expected


def test_content_range_missing() -> None:
    assert content_range(httpx.Headers()) is None


def test_expected_from_a_200_with_one_hash_line() -> None:
    headers = httpx.Headers(
        [
            ("Content-Length", "9"),
            ("x-goog-hash", f"crc32c={CRC_B64}, md5={MD5_B64}"),
            ("ETag", '"abc"'),
        ]
    )
    assert expected_from_headers(headers, status=200) == Expected(9, CRC, MD5, '"abc"')


def test_expected_from_a_200_with_two_hash_lines() -> None:
    headers = httpx.Headers(
        [
            ("content-length", "9"),
            ("x-goog-hash", f"crc32c={CRC_B64}"),
            ("X-Goog-Hash", f"md5={MD5_B64}"),
        ]
    )
    assert expected_from_headers(headers, status=200) == Expected(9, CRC, MD5, None)


def test_expected_from_a_206_takes_the_total_from_content_range() -> None:
    headers = httpx.Headers(
        {"Content-Length": "4", "Content-Range": "bytes 5-8/9", "x-goog-hash": f"crc32c={CRC_B64}"}
    )
    assert expected_from_headers(headers, status=206) == Expected(9, CRC, None, None)


def test_expected_from_a_206_with_an_unknown_total() -> None:
    headers = httpx.Headers({"Content-Length": "4", "Content-Range": "bytes 5-8/*"})
    assert expected_from_headers(headers, status=206).size is None


def test_a_206_content_length_is_not_the_total() -> None:
    headers = httpx.Headers({"Content-Length": "4"})
    assert expected_from_headers(headers, status=206).size is None


def test_stored_content_length_takes_precedence() -> None:
    headers = httpx.Headers(
        {
            "Content-Length": "4",
            "Content-Range": "bytes 0-3/8",
            "x-goog-stored-content-length": "9",
        }
    )
    assert expected_from_headers(headers, status=206).size == 9
    assert expected_from_headers(headers, status=200).size == 9


@pytest.mark.parametrize("stored", ["", "nine", "-1", "9.0", "1e3"])
def test_a_non_numeric_stored_length_is_ignored(stored: str) -> None:
    headers = httpx.Headers({"Content-Length": "9", "x-goog-stored-content-length": stored})
    assert expected_from_headers(headers, status=200).size == 9


@pytest.mark.parametrize("length", ["", "abc", "-5", "+5", "5, 5"])
def test_a_bad_content_length_means_unknown_size(length: str) -> None:
    headers = httpx.Headers({"Content-Length": length})
    assert expected_from_headers(headers, status=200).size is None


def test_other_statuses_announce_no_size() -> None:
    headers = httpx.Headers({"Content-Length": "9"})
    assert expected_from_headers(headers, status=304).size is None


@pytest.mark.parametrize("encoding", ["gzip", "GZIP", "br", " deflate "])
def test_an_encoded_body_has_no_usable_size_or_hashes(encoding: str) -> None:
    headers = httpx.Headers(
        {
            "Content-Encoding": encoding,
            "Content-Length": "20",
            "x-goog-stored-content-length": "20",
            "x-goog-hash": f"crc32c={CRC_B64}, md5={MD5_B64}",
            "ETag": '"e"',
        }
    )
    assert expected_from_headers(headers, status=200) == Expected(None, None, None, '"e"')


def test_identity_encoding_is_plain() -> None:
    headers = httpx.Headers(
        {"Content-Encoding": "identity", "Content-Length": "9", "x-goog-hash": f"md5={MD5_B64}"}
    )
    assert expected_from_headers(headers, status=200) == Expected(9, None, MD5, None)


# ---- Hashes -------------------------------------------------------------------------------------


def test_known_vectors() -> None:
    hashes = _hashes(DATA)
    assert hashes.crc32c() == CRC
    assert hashes.md5() == bytes.fromhex("25f9e794323b453885f5181f1b624d0b")
    assert hashes.sha256_hex() == (
        "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"
    )


def test_empty_input() -> None:
    hashes = Hashes(md5=True)
    assert hashes.crc32c() == b"\0\0\0\0"
    assert hashes.md5() == hashlib.md5(b"").digest()
    assert hashes.sha256_hex() == hashlib.sha256(b"").hexdigest()


def test_md5_only_when_asked() -> None:
    assert _hashes(DATA, md5=False).md5() is None


def test_memoryview_and_bytes_agree() -> None:
    whole = _hashes(DATA)
    pieces = Hashes(md5=True)
    view = memoryview(bytearray(DATA))
    pieces.update(view[:4])
    pieces.update(memoryview(DATA)[4:])
    assert (pieces.crc32c(), pieces.md5(), pieces.sha256_hex()) == (
        whole.crc32c(),
        whole.md5(),
        whole.sha256_hex(),
    )


@given(st.binary(max_size=4096), st.lists(st.integers(min_value=0, max_value=4096), max_size=6))
def test_chunked_equals_whole(data: bytes, cuts: list[int]) -> None:
    whole = _hashes(data)
    chunked = Hashes(md5=True)
    start = 0
    for cut in sorted(min(c, len(data)) for c in cuts):
        chunked.update(data[start:cut])
        start = cut
    chunked.update(data[start:])
    assert chunked.crc32c() == whole.crc32c()
    assert chunked.md5() == whole.md5() == hashlib.md5(data).digest()
    assert chunked.sha256_hex() == hashlib.sha256(data).hexdigest()


def test_crc32c_is_not_plain_crc32() -> None:
    assert _hashes(DATA).crc32c() != zlib.crc32(DATA).to_bytes(4, "big")


def test_agrees_with_the_sandbox_headers(tmp_path: Path) -> None:
    """A file hashed here matches what the sandbox puts in x-goog-hash for the same bytes."""
    data = bytes(range(256)) * 1000 + b"tail"
    path = tmp_path / "clip.bin"
    path.write_bytes(data)
    digest = Digest()
    digest.update(path.read_bytes())
    stored = StoredObject(
        key="bucket/clip.bin",
        path=path,
        size=digest.size,
        content_type="application/octet-stream",
        md5=digest.md5,
        crc32c=digest.crc32c,
        created=0.0,
        owned=False,
    )
    headers = httpx.Headers(
        {
            "Content-Length": str(stored.size),
            "x-goog-hash": stored.goog_hash,
            "ETag": stored.etag,
        }
    )
    expected = expected_from_headers(headers, status=200)
    ours = Hashes(md5=True)
    with path.open("rb") as stream:
        while chunk := stream.read(7919):
            ours.update(chunk)
    assert check(expected, path.stat().st_size, ours, name="clip.bin") == ["size", "crc32c", "md5"]
    assert f"crc32c={base64.b64encode(ours.crc32c()).decode()}" == stored.crc32c_hash
    md5 = ours.md5()
    assert md5 is not None
    assert f"md5={base64.b64encode(md5).decode()}" == stored.md5_hash


# ---- check --------------------------------------------------------------------------------------


def test_check_all_match() -> None:
    expected = Expected(size=9, crc32c=CRC, md5=MD5, etag=None)
    assert check(expected, 9, _hashes(DATA), name="clip.mp4") == ["size", "crc32c", "md5"]


def test_check_reports_only_what_was_announced() -> None:
    assert check(Expected(None, None, None, None), 9, _hashes(DATA), name="a") == []
    assert check(Expected(9, None, None, None), 9, _hashes(DATA), name="a") == ["size"]
    assert check(Expected(None, CRC, None, None), 9, _hashes(DATA), name="a") == ["crc32c"]
    assert check(Expected(None, None, MD5, None), 9, _hashes(DATA), name="a") == ["md5"]


def test_check_skips_md5_when_it_was_not_computed() -> None:
    expected = Expected(size=9, crc32c=CRC, md5=b"\x01" * 16, etag=None)
    assert check(expected, 9, _hashes(DATA, md5=False), name="a") == ["size", "crc32c"]


def test_size_mismatch() -> None:
    expected = Expected(size=2000, crc32c=b"\0\0\0\0", md5=b"\0" * 16, etag=None)
    with pytest.raises(IntegrityError) as caught:
        check(expected, 1234, _hashes(DATA), name="clip.mp4")
    assert str(caught.value) == (
        "clip.mp4 is 1,234 bytes but the server announced 2,000; the download was discarded."
    )
    assert caught.value.kind == "integrity"


def test_crc32c_mismatch_is_checked_before_md5() -> None:
    expected = Expected(size=9, crc32c=bytes.fromhex("3f2a0011"), md5=b"\0" * 16, etag=None)
    with pytest.raises(IntegrityError) as caught:
        check(expected, 9, _hashes(DATA), name="clip.mp4")
    assert str(caught.value) == (
        "clip.mp4 failed its CRC32C check (the server said 3f2a0011, the download has e3069283);"
        " it was discarded."
    )


def test_md5_mismatch() -> None:
    expected = Expected(size=9, crc32c=CRC, md5=bytes.fromhex("9b01" + "00" * 14), etag=None)
    with pytest.raises(IntegrityError) as caught:
        check(expected, 9, _hashes(DATA), name="photo 1.png")
    assert str(caught.value) == (
        "photo 1.png failed its MD5 check (the server said 9b010000…, the download has 25f9e794…);"
        " it was discarded."
    )
