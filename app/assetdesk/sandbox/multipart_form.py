"""Reading a `multipart/form-data` request body as it arrives: the first file part is handed on
in pieces (to a file on disk), the other parts are skipped, nothing is held whole in memory.

The sandbox's own parser (it imports nothing of the app, and starlette's needs python-multipart):
RFC 7578 as browsers and httpx write it, a filename in quotes (`%22` for a quote) or `filename*`.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

#: A part's header block may not grow past this (a body that is not multipart at all).
HEADER_LIMIT = 16 * 1024
_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))')


class FormError(ValueError):
    """The body is not the multipart form its Content-Type announced."""


@dataclass(frozen=True)
class FilePart:
    field: str
    filename: str
    content_type: str | None
    size: int


def boundary_of(content_type: str) -> str | None:
    """The boundary of a `multipart/form-data` Content-Type, else None."""
    kind, _, rest = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    params = _params(";" + rest)
    return params.get("boundary") or None


def _params(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _PARAM.finditer(text):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        found[match.group(1).lower()] = value.replace('\\"', '"').replace("\\\\", "\\")
    return found


def _filename(params: dict[str, str]) -> str | None:
    extended = params.get("filename*")
    if extended and "''" in extended:
        charset, _, quoted = extended.partition("''")
        return urllib.parse.unquote(quoted, encoding=charset or "utf-8", errors="replace")
    plain = params.get("filename")
    if plain is None:
        return None
    return plain.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


def _headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in block.decode("utf-8", errors="replace").split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers


async def receive_file(
    chunks: AsyncIterator[bytes], boundary: str, write: Callable[[bytes], Awaitable[None]]
) -> FilePart:
    """Parse the whole body; the first part with a filename goes to `write` piece by piece."""
    opening = b"--" + boundary.encode("latin-1")
    delimiter = b"\r\n" + opening
    buffer = bytearray()
    stream = chunks.__aiter__()
    ended = False

    async def more() -> bool:
        nonlocal ended
        if ended:
            return False
        try:
            buffer.extend(await stream.__anext__())
        except StopAsyncIteration:
            ended = True
            return False
        return True

    # the preamble, up to the first boundary line (searched in each read before the limit
    # applies: one read may hold the boundary and much of the file after it)
    while (at := buffer.find(opening)) < 0:
        if len(buffer) > HEADER_LIMIT:
            raise FormError("the body does not start with a multipart boundary")
        if not await more():
            raise FormError("the body holds no multipart boundary")
    del buffer[: at + len(opening)]
    found: FilePart | None = None
    while True:
        while len(buffer) < 2 and await more():
            pass
        if buffer[:2] == b"--":
            break  # the closing delimiter
        if buffer[:2] != b"\r\n":
            raise FormError("a multipart boundary is not followed by a line break")
        del buffer[:2]
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            if len(buffer) > HEADER_LIMIT or not await more():
                raise FormError("a multipart part has no complete header block")
        headers = _headers(bytes(buffer[:end]))
        del buffer[: end + 4]
        disposition = _params(";" + headers.get("content-disposition", "").partition(";")[2])
        filename = _filename(disposition)
        keep = found is None and filename is not None
        size = 0
        while True:
            at = buffer.find(delimiter)
            if at >= 0:
                piece, rest = bytes(buffer[:at]), buffer[at + len(delimiter) :]
            else:
                cut = max(0, len(buffer) - len(delimiter) + 1)
                piece, rest = bytes(buffer[:cut]), buffer[cut:]
            if keep and piece:
                await write(piece)
            size += len(piece)
            buffer[:] = rest
            if at >= 0:
                break
            if not await more():
                raise FormError("the body ends inside a multipart part")
        if keep and filename is not None:
            found = FilePart(
                disposition.get("name", ""), filename, headers.get("content-type"), size
            )
    while await more():  # the epilogue, if any
        buffer.clear()
    if found is None:
        raise FormError("the form holds no file")
    return found
