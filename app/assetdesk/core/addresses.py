"""Service addresses: what a useapi.net or Wordbee base URL may be, checked before any connection.

A service address is `https://host[:port][/path]`. Plain `http://` is accepted only for this
computer (`localhost`, 127.0.0.0/8, ::1), where the sandbox runs: to any other host it would carry
a useapi.net token or a Wordbee key in clear text. Host names are not resolved: only the name
`localhost` counts as this computer, since where another name points can change under us.
"""

from __future__ import annotations

import ipaddress
from typing import Final
from urllib.parse import SplitResult, urlsplit

from assetdesk.core.errors import InvalidInput

__all__ = ["is_loopback_host", "media_link_problem", "normalise_base_url", "plain_http_problem"]

_LOOPBACK_NAMES: Final = frozenset({"localhost"})


def is_loopback_host(host: str | None) -> bool:
    """Whether `host` (as `urlsplit(...).hostname` gives it) is this computer: 'localhost',
    127.0.0.0/8 or ::1 (also written as an IPv4-mapped ::ffff:127.x.x.x)."""
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a name other than localhost, or a shorthand such as 127.1
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _split(text: str) -> SplitResult:
    try:
        return urlsplit(text)
    except ValueError:  # an unclosed '[' and the like
        raise InvalidInput(f"'{text}' is not a web address starting with https://") from None


def _plain_http_fragment(text: str) -> str:
    return (
        f"the address {text} is plain http, which would send the token or key unencrypted: an "
        "https:// address is needed (http:// is accepted only for this computer, such as the "
        "sandbox)"
    )


def plain_http_problem(url: str) -> str | None:
    """Why `url` must not carry a secret, as a sentence fragment: it is plain http to a host
    other than this computer. None for https:// and for http:// to this computer."""
    text = url.strip().rstrip("/")
    parts = _split(text)
    if parts.scheme.lower() != "http" or is_loopback_host(parts.hostname):
        return None
    return _plain_http_fragment(text)


def normalise_base_url(url: str) -> str:
    """'https://x.wordbee.com/' -> 'https://x.wordbee.com'; InvalidInput unless https://host,
    or http:// to this computer (the sandbox)."""
    text = url.strip().rstrip("/")
    parts = _split(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(f"'{text}' is not a web address starting with https://")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidInput("the service address must not contain '?', '#' or a user name")
    if scheme == "http" and not is_loopback_host(parts.hostname):
        raise InvalidInput(_plain_http_fragment(text))
    return text


def media_link_problem(url: str) -> str | None:
    """Why a link a service sent for a file must not be opened (by the player, the preview or
    a download), as a sentence fragment: anything but https://, or http:// to this computer
    (the sandbox). None when it may be opened."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "its link is not a web address"
    scheme = parts.scheme.lower()
    if scheme == "https" and parts.hostname:
        return None
    if scheme == "http" and is_loopback_host(parts.hostname):
        return None
    if not scheme:
        shown = "no scheme"
    elif parts.hostname:
        shown = f"{scheme}://{parts.hostname}"
    else:
        shown = f"{scheme} scheme"
    return f"its link ({shown}) is not https, so it was not opened"
