"""The storage answers that the contract notes allow besides the usual one: Range ignored,
`x-goog-hash` in every shape, no `x-goog-stored-content-length`; and the setting checks."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import google_crc32c
import httpx
import pytest

from assetdesk.sandbox.launcher import SandboxProcess


def hashes(clip: bytes) -> tuple[str, str]:
    crc = base64.b64encode(google_crc32c.Checksum(clip).digest()).decode()
    return f"crc32c={crc}", f"md5={base64.b64encode(hashlib.md5(clip).digest()).decode()}"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_ignore_range_answers_200_with_the_whole_object(
    sb: SandboxProcess, http: httpx.Client, clip_url: str, clip: bytes, method: str
) -> None:
    assert sb.configure(ignore_range=True)["ignore_range"] is True
    for header in ("bytes=0-99", "bytes=1000-", "bytes=-500"):
        answer = http.request(method, clip_url, headers={"Range": header})
        assert answer.status_code == 200
        assert "content-range" not in answer.headers
        assert answer.headers["content-length"] == str(len(clip))
        assert answer.content == (clip if method == "GET" else b"")
    sb.reset()  # back to the default: Range honoured
    answer = http.request(method, clip_url, headers={"Range": "bytes=0-99"})
    assert (answer.status_code, answer.headers["content-range"]) == (206, f"bytes 0-99/{len(clip)}")


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("both", lambda crc, md5: [f"{crc}, {md5}"]),
        ("crc32c", lambda crc, md5: [crc]),
        ("md5", lambda crc, md5: [md5]),
        ("none", lambda crc, md5: []),
        ("separate", lambda crc, md5: [crc, md5]),
    ],
)
def test_hash_header_shapes(
    sb: SandboxProcess,
    http: httpx.Client,
    clip_url: str,
    clip: bytes,
    mode: str,
    expected: Callable[[str, str], list[str]],
) -> None:
    assert sb.configure(hash_header=mode)["hash_header"] == mode
    for method, headers in (("GET", {}), ("HEAD", {}), ("GET", {"Range": "bytes=0-9"})):
        answer = http.request(method, clip_url, headers=headers)
        assert answer.status_code in (200, 206)
        lines = [v for k, v in answer.headers.multi_items() if k == "x-goog-hash"]
        assert lines == expected(*hashes(clip))  # each hash describes the whole object
        assert answer.headers["x-goog-stored-content-length"] == str(len(clip))


def test_separate_hash_lines_are_two_raw_header_lines(
    sb: SandboxProcess, http: httpx.Client, clip_url: str, clip: bytes
) -> None:
    sb.configure(hash_header="separate")
    raw = [(k.lower(), v) for k, v in http.get(clip_url).headers.raw]
    crc, md5 = hashes(clip)
    assert [v for k, v in raw if k == b"x-goog-hash"] == [crc.encode(), md5.encode()]


def test_stored_length_can_be_left_out(
    sb: SandboxProcess, http: httpx.Client, clip_url: str, clip: bytes
) -> None:
    assert sb.configure(stored_length=False)["stored_length"] is False
    for method in ("GET", "HEAD"):
        answer = http.request(method, clip_url)
        assert answer.status_code == 200
        assert "x-goog-stored-content-length" not in answer.headers
        assert answer.headers["content-length"] == str(len(clip))
        assert answer.headers["x-goog-hash"] == ", ".join(hashes(clip))
    assert sb.configure(stored_length=True)["stored_length"] is True
    assert http.head(clip_url).headers["x-goog-stored-content-length"] == str(len(clip))


def test_settings_are_checked_and_reset_restores_the_defaults(sb: SandboxProcess) -> None:
    defaults = sb.configure()
    assert defaults == {
        "signed_url_ttl": 6 * 3600,
        "wordbee_token_idle": 30 * 60,
        "wordbee_expired_status": 400,
        "ignore_range": False,
        "hash_header": "both",
        "stored_length": True,
        "flow_listing_shape": "a",
        "flow_media_page_size": 50,
    }
    for bad in (
        {"hash_header": "sha256"},
        {"ignore_range": "yes"},
        {"stored_length": 1},
        {"wordbee_expired_status": 403},
        {"signed_url_ttl": "soon"},
        {"flow_listing_shape": "c"},
        {"flow_media_page_size": 0},
        {"no_such_setting": 1},
        {"hash_header": "none", "ignore_range": 2},  # nothing of a refused change is applied
    ):
        with pytest.raises(RuntimeError, match="400"):
            sb.configure(**bad)
    assert sb.configure() == defaults
    sb.configure(hash_header="md5", ignore_range=True, stored_length=False)
    sb.reset()
    assert sb.configure() == defaults
