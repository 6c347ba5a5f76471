"""The signed-URL origin (a fake Google Cloud Storage / flow-content host): GET and HEAD, Range."""

from __future__ import annotations

import re
from email.utils import formatdate

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assetdesk.sandbox.blobs import StoredObject
from assetdesk.sandbox.http_bits import FileStream
from assetdesk.sandbox.settings import Settings
from assetdesk.sandbox.state import SandboxState, iso

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def xml_error(status: int, code: str, message: str, details: str = "") -> Response:
    body = (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        + (f"<Details>{details}</Details>" if details else "")
        + "</Error>"
    )
    return Response(body, status_code=status, media_type="application/xml; charset=UTF-8")


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(first, last) inclusive; None to ignore the header (send everything); "unsatisfiable"."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None  # several ranges or bad syntax: GCS may ignore Range, and so do we
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None
    if first >= size:
        return "unsatisfiable"
    return first, min(last, size - 1)


def _headers(obj: StoredObject, settings: Settings) -> list[tuple[str, str]]:
    """The object's headers; `x-goog-hash` and `x-goog-stored-content-length` as configured."""
    headers = [
        ("Content-Type", obj.content_type),
        ("Accept-Ranges", "bytes"),
        ("ETag", obj.etag),
        ("Last-Modified", formatdate(obj.created, usegmt=True)),
        ("Cache-Control", "private, max-age=0"),
    ]
    hashes = {
        "both": [obj.goog_hash],
        "crc32c": [obj.crc32c_hash],
        "md5": [obj.md5_hash],
        "none": [],
        "separate": [obj.crc32c_hash, obj.md5_hash],  # one header line each
    }[settings.hash_header]
    headers += [("x-goog-hash", value) for value in hashes]
    if settings.stored_length:
        headers.append(("x-goog-stored-content-length", str(obj.size)))
    headers.append(("x-goog-storage-class", "STANDARD"))
    return headers


def storage_app(state: SandboxState) -> Starlette:
    async def serve(request: Request) -> Response:
        key: str = request.path_params["key"]
        expires_text = request.query_params.get("Expires")
        signature = request.query_params.get("Signature")
        if not expires_text or not signature:
            return xml_error(
                403,
                "AccessDenied",
                "Access denied.",
                "Anonymous caller does not have storage.objects.get access to the object.",
            )
        try:
            expires = int(expires_text)
        except ValueError:
            return xml_error(400, "InvalidArgument", "Invalid argument.", "Expires is not a number")
        if state.now() > expires:
            return xml_error(
                400,
                "ExpiredToken",
                "The provided token has expired.",
                f"Request signature expired at: {iso(expires)}",
            )
        if not state.check_signature(key, expires, signature):
            return xml_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your Google secret key and signing method.",
            )
        obj = state.blobs.get(key)
        if obj is None:
            return xml_error(404, "NoSuchKey", "The specified key does not exist.")
        headers = _headers(obj, state.settings)
        wanted = None
        if not state.settings.ignore_range:  # else: 200 and the whole object, like GCS at times
            wanted = parse_range(request.headers.get("range"), obj.size)
        if wanted == "unsatisfiable":
            return _unsatisfiable(obj)
        status, first, length = 200, 0, obj.size
        if isinstance(wanted, tuple):
            first, last = wanted
            status, length = 206, last - first + 1
            headers.append(("Content-Range", f"bytes {first}-{last}/{obj.size}"))
        headers.append(("Content-Length", str(length)))
        if request.method == "HEAD":
            return _with_headers(Response(b"", status_code=status), headers)
        return _with_headers(FileStream(obj.path, first, length, status_code=status), headers)

    return Starlette(routes=[Route("/{key:path}", serve, methods=["GET", "HEAD"])])


def _with_headers(response: Response, headers: list[tuple[str, str]]) -> Response:
    """Set `headers` on `response`, keeping repeated names as separate lines."""
    for name in {name.lower() for name, _ in headers}:
        del response.headers[name]
    for name, value in headers:
        response.headers.append(name, value)
    return response


def _unsatisfiable(obj: StoredObject) -> Response:
    response = xml_error(416, "InvalidRange", "The requested range cannot be satisfied.")
    response.headers["Content-Range"] = f"bytes */{obj.size}"
    return response
