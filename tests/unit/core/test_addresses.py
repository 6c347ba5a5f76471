"""core/addresses.py: https:// for every service, plain http:// only for this computer."""

from __future__ import annotations

import pytest

from assetdesk.core.addresses import (
    is_loopback_host,
    media_link_problem,
    normalise_base_url,
    plain_http_problem,
)
from assetdesk.core.errors import InvalidInput


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8123",
        "http://127.8.9.10",
        "http://localhost:5000/",
        "http://LOCALHOST",
        "http://[::1]:8080",
        "http://[::ffff:127.0.0.1]:8080",
        "https://api.useapi.net",
        "https://example.wordbee-translator.com/",
        "HTTPS://Example.com",
    ],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert normalise_base_url(url) == url.strip().rstrip("/")
    assert plain_http_problem(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://api.useapi.net",
        "http://example.wordbee-translator.com/",
        "HTTP://example.com",
        "http://192.168.1.10:8080",
        "http://[::2]",
        "http://128.0.0.1",
        "http://localhost.example.com",  # a name: not this computer, whatever it resolves to
        "http://127.0.0.1.nip.io",
        "http://127.1",  # a shorthand the resolver may expand: refused rather than guessed
        "http://0x7f000001",
        "http://[::ffff:10.0.0.1]",
    ],
)
def test_plain_http_to_another_host_is_refused_with_a_sentence(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_base_url(url)
    assert "https:// address is needed" in caught.value.message
    assert caught.value.message.lower().startswith("the address http://")
    assert plain_http_problem(url) is not None


def test_other_refusals_are_unchanged() -> None:
    with pytest.raises(InvalidInput, match="starting with https://"):
        normalise_base_url("ftp://example.com")
    with pytest.raises(InvalidInput, match="starting with https://"):
        normalise_base_url("http://[::1")  # not a ValueError from urlsplit
    with pytest.raises(InvalidInput, match="user name"):
        normalise_base_url("https://me:pw@example.com")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("", False),
        (None, False),
        ("localhost.", False),
        ("10.0.0.1", False),
        ("example.com", False),
    ],
)
def test_is_loopback_host(host: str | None, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    "url",
    [
        "https://storage.googleapis.com/b/o.mp4?X-Goog-Signature=s",
        "http://127.0.0.1:8123/files/o.mp4",  # the sandbox
        "http://localhost/o.png",
    ],
)
def test_a_file_link_over_https_or_to_this_computer_may_be_opened(url: str) -> None:
    assert media_link_problem(url) is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://files.example/o.mp4", "(http://files.example)"),
        ("file:///etc/passwd", "(file scheme)"),
        ("rtsp://cam.example/live", "(rtsp://cam.example)"),
        ("javascript:alert(1)", "(javascript scheme)"),
        ("//files.example/o.mp4", "(no scheme)"),
    ],
)
def test_any_other_file_link_is_refused_with_what_it_was(url: str, shown: str) -> None:
    problem = media_link_problem(url)
    assert problem is not None and shown in problem and "not https" in problem
