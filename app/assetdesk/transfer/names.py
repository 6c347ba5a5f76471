"""Names for downloaded files: what the server calls the file, a name that is safe on every OS,
the name a download is saved under, and where it goes in the folder under the user's conflict
policy.

A server's name is never trusted: `sanitise_filename` makes it one harmless path component, and
`resolve_target` refuses anything that would leave the folder.
"""

from __future__ import annotations

import codecs
import enum
import os
import re
import unicodedata
from pathlib import Path
from typing import Final
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import httpx

from assetdesk.core.errors import InvalidInput, LocalFileError
from assetdesk.core.media import KNOWN_MEDIA_TYPES, media_type_for_extension, media_type_for_mime
from assetdesk.transfer.part_lock import is_orphan
from assetdesk.transfer.sources import Source

__all__ = [
    "Conflict",
    "choose_name",
    "filename_from_content_disposition",
    "name_for_type",
    "name_from_url",
    "name_key",
    "part_path",
    "resolve_target",
    "sanitise_filename",
    "split_extension",
    "with_tag",
]


class Conflict(enum.StrEnum):
    """What to do when the target name is already taken in the folder."""

    RENAME = "rename"
    OVERWRITE = "overwrite"
    SKIP = "skip"


# ---- Content-Disposition (RFC 6266, RFC 8187) ---------------------------------------------------

_WS = " \t"
#: Charsets accepted in `filename*`; RFC 8187 requires UTF-8 and allows ISO-8859-1.
_EXT_CHARSETS: Final = frozenset({"utf-8", "iso8859-1", "ascii"})


def filename_from_content_disposition(header: str | None) -> str | None:
    """The file name a `Content-Disposition` header announces, or None.

    `filename*` wins over `filename`; anything malformed is skipped, never raised, because the
    header comes from a server and a bad one must not fail the download.
    """
    if not header or not isinstance(header, str):
        return None
    plain: str | None = None
    extended: str | None = None
    for key, value in _parameters(header):
        if key == "filename*" and extended is None:
            extended = _decode_ext_value(value)
        elif key == "filename" and plain is None:
            plain = value
    for candidate in (extended, plain):
        if candidate is not None and candidate.strip():
            return candidate
    return None


def _parameters(header: str) -> list[tuple[str, str]]:
    """(lower-case name, value) for every `name=value` parameter; the disposition type (the
    first item, when it has no '=') and malformed items are skipped."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(header)
    while i < n:
        # Parameter name: up to '=' or ';'.
        start = i
        while i < n and header[i] not in "=;":
            i += 1
        key = header[start:i].strip(_WS).lower()
        if i >= n or header[i] == ";":
            i += 1  # a bare token ('attachment') or garbage: skip it
            continue
        i += 1  # past '='
        while i < n and header[i] in _WS:
            i += 1
        if i < n and header[i] == '"':
            value, i = _quoted_string(header, i)
            # Anything after the closing quote up to ';' is garbage; drop it.
            while i < n and header[i] != ";":
                i += 1
        else:
            start = i
            while i < n and header[i] != ";":
                i += 1
            value = header[start:i].strip(_WS)
        i += 1  # past ';'
        if key and value is not None:
            out.append((key, value))
    return out


def _quoted_string(text: str, i: int) -> tuple[str | None, int]:
    """Parse a quoted-string starting at the '"' at `i`: (value, index after it).

    The value is None when the closing quote is missing.
    """
    chars: list[str] = []
    i += 1
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            chars.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(chars), i + 1
        chars.append(ch)
        i += 1
    return None, i


def _decode_ext_value(value: str) -> str | None:
    """Decode `charset'language'percent-encoded` (RFC 8187); None when it cannot be decoded."""
    value = value.strip(_WS)
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]  # some servers quote it although the RFC does not allow that
    parts = value.split("'", 2)
    if len(parts) != 3:
        return None
    charset, _language, encoded = parts
    try:
        codec = codecs.lookup(charset.strip()).name
    except (LookupError, ValueError):
        return None
    if codec not in _EXT_CHARSETS:
        return None
    try:
        return unquote_to_bytes(encoded).decode(codec, errors="strict")
    except UnicodeDecodeError:
        return None


def name_from_url(url: str) -> str | None:
    """The last path segment of `url`, percent-decoded and without the query; None if empty."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    segment = path.rsplit("/", 1)[-1]
    name = unquote(segment, errors="replace")
    return name if name.strip() else None


# ---- safe names ---------------------------------------------------------------------------------

#: Characters Windows forbids in names (the separators are dealt with before).
_FORBIDDEN = frozenset('<>:"|?*')
#: Bidirectional controls: they make 'evil\u202egnp.exe' look like 'evilexe.png'.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DEVICE_NAMES: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{digit}" for port in ("COM", "LPT") for digit in "0123456789¹²³"}
)
_DOUBLE_SUFFIXES: Final = (".tar.gz", ".tar.bz2", ".tar.xz")
_MAX_EXTENSION = 16
#: Smallest `max_bytes` that always leaves room for a stem and an extension.
MIN_BYTES: Final = 32


def split_extension(name: str) -> tuple[str, str]:
    """(stem, extension with its dot); the extension is the last suffix when it is short and
    alphanumeric ('.tar.gz' and friends count as one), else ''."""
    lower = name.lower()
    for double in _DOUBLE_SUFFIXES:
        if lower.endswith(double) and len(name) > len(double):
            return name[: -len(double)], name[-len(double) :]
    stem, dot, ext = name.rpartition(".")
    if dot and stem and _is_extension(ext):
        return stem, dot + ext
    return name, ""


def _is_extension(text: str) -> bool:
    return 0 < len(text) <= _MAX_EXTENSION and text.isascii() and text.isalnum()


def _clean_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Cc" or ch in _BIDI:
        return ""
    if category == "Cs" or ch in _FORBIDDEN:
        return "_"
    return ch


def _strip_end(text: str) -> str:
    """Drop trailing whitespace and dots (Windows silently drops them, so names would clash)."""
    end = len(text)
    while end and (text[end - 1].isspace() or text[end - 1] == "."):
        end -= 1
    return text[:end]


def _strip_start(text: str) -> str:
    """Drop leading whitespace and dots (no '.', '..' or hidden names)."""
    start = 0
    while start < len(text) and (text[start].isspace() or text[start] == "."):
        start += 1
    return text[start:]


def _unreserve(name: str) -> str:
    """'CON.txt' -> 'CON_.txt': Windows opens a device for these, whatever the extension."""
    first = name.split(".", 1)[0]
    device = _strip_end(first)
    if device.upper() not in _DEVICE_NAMES:
        return name
    return device + "_" + name[len(device) :]


def _truncate(text: str, max_bytes: int) -> str:
    """At most `max_bytes` UTF-8 bytes of `text`, never cutting inside a character."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", errors="ignore")


def _bound(name: str, max_bytes: int) -> str:
    if len(name.encode("utf-8")) <= max_bytes:
        return name
    stem, ext = split_extension(name)
    room = max_bytes - len(ext.encode("utf-8"))
    return _truncate(stem, room) + ext


def _pass(name: str, fallback: str, max_bytes: int) -> str:
    text = unicodedata.normalize("NFC", name)
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(_clean_char(ch) for ch in text)
    text = unicodedata.normalize("NFC", text)
    text = _strip_end(text.strip())
    if text.startswith("."):
        rest = _strip_start(text)
        # '.png' is an extension without a name: keep it on the fallback name.
        text = f"{fallback}.{rest}" if "." not in rest and _is_extension(rest) else rest
    if not text:
        text = fallback
    text = _unreserve(text)
    return _strip_end(_bound(text, max_bytes)) or fallback


def sanitise_filename(name: str, *, fallback: str = "download", max_bytes: int = 200) -> str:
    """`name` made safe as one path component on Linux, macOS and Windows.

    Only the last component is kept (so '../x' cannot climb out of the folder); control and
    bidi characters go, Windows' forbidden characters become '_', device names get a '_', and
    the result is at most `max_bytes` UTF-8 bytes with its extension kept. Idempotent.
    """
    if max_bytes < MIN_BYTES:
        raise ValueError(f"max_bytes must be at least {MIN_BYTES}")
    safe_fallback = _pass(fallback, "download", max_bytes) if fallback != "download" else fallback
    result = _pass(name, safe_fallback, max_bytes)
    # Each pass can expose something the previous one hid (a cut that ends in a dot, a device
    # name left after stripping); a few passes always reach the fixed point.
    for _ in range(8):
        again = _pass(result, safe_fallback, max_bytes)
        if again == result:
            break
        result = again
    return result


def name_for_type(name: str, mime: str | None) -> str:
    """`name` with the extension of its real type `mime`: kept when it already means that type
    ('Race car.jpeg' for image/jpeg), put in place of one that means another media type
    ('photo.jpg' holding a PNG), added when it has none; `name` as it is for an unknown type."""
    media = media_type_for_mime(mime, among=KNOWN_MEDIA_TYPES)
    if media is None or not media.extension:
        return name
    stem, ext = split_extension(name)
    if ext.lower() in media.extensions:
        return name
    if ext and media_type_for_extension(ext, among=KNOWN_MEDIA_TYPES) is not None:
        return sanitise_filename(stem + media.extension, fallback=stem)
    return sanitise_filename(name + media.extension, fallback=name)


def with_tag(name: str, tag: str, *, max_bytes: int = 200) -> str:
    """'Race car.jpg' and '3f2a9c1d' -> 'Race car 3f2a9c1d.jpg': the stem is cut, never the
    tag or the extension, to stay within `max_bytes`."""
    stem, ext = split_extension(name)
    tail = f" {tag}{ext}"
    room = max(max_bytes - len(tail.encode("utf-8")), 1)
    return sanitise_filename(_strip_end(_truncate(stem, room)) + tail, max_bytes=max_bytes)


def name_key(name: str) -> str:
    """What two names are compared by: macOS and Windows take 'Fox.png' and 'fox.png' (and the
    two Unicode forms of 'é') for the same file."""
    return unicodedata.normalize("NFC", name).casefold()


# ---- the target path ----------------------------------------------------------------------------


def part_path(target: Path) -> Path:
    """Where a download is written until it is complete and verified."""
    return target.with_name(target.name + ".part")


def _taken(path: Path) -> bool:
    """The file is there, or a `.part` of it that a download writes or may resume (an orphan
    `.part`, left by a download killed before its first record, does not take the name)."""
    part = part_path(path)
    return os.path.lexists(path) or (os.path.lexists(part) and not is_orphan(part))


#: How many ' (n)' names RENAME tries before giving up.
_MAX_RENAMES = 10_000


def resolve_target(folder: Path, name: str, policy: Conflict) -> Path | None:
    """The path to save `name` (already sanitised) in `folder` under `policy`; None to skip.

    A name is taken when the file exists or another download is writing its '.part'.
    """
    if (
        name in ("", ".", "..")
        or "/" in name
        or "\\" in name
        or "\0" in name
        or Path(name).name != name
    ):
        raise InvalidInput(f"'{name}' is not a plain file name; it cannot be saved.")
    target = folder / name
    if target.parent != folder:
        raise InvalidInput(f"'{name}' would be saved outside the folder {folder}.")
    if policy is Conflict.OVERWRITE:
        return target
    if policy is Conflict.SKIP:
        return None if os.path.lexists(target) else target
    if not _taken(target):
        return target
    stem, ext = split_extension(name)
    for number in range(1, _MAX_RENAMES + 1):
        candidate = folder / f"{stem} ({number}){ext}"
        if not _taken(candidate):
            return candidate
    raise LocalFileError(f"There is no free name for {name} in {folder}; choose another folder.")


# ---- the name a download is saved under ---------------------------------------------------------

_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/webm": ".webm",
    "audio/mpeg": ".mp3",
    "audio/wav": ".wav",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}


def _extension_for(content_type: str | None) -> str:
    if not content_type:
        return ""
    return _EXTENSIONS.get(content_type.split(";")[0].strip().lower(), "")


def choose_name(
    requested: str | None, response: httpx.Response, source: Source, *, fallback: str
) -> str:
    """The caller's name, else the server's Content-Disposition, else the source's suggestion,
    sanitised, with an extension from Content-Type when it has none of a media type."""
    raw = (
        requested
        or filename_from_content_disposition(response.headers.get("content-disposition"))
        or source.suggested_name
        or fallback
    )
    name = sanitise_filename(raw, fallback=fallback)
    content_type = response.headers.get("content-type")
    extension = split_extension(name)[1]
    if not extension:
        name = sanitise_filename(name + _extension_for(content_type), fallback=fallback)
    elif media_type_for_extension(extension, among=KNOWN_MEDIA_TYPES) is None:
        name = name_for_type(name, content_type)  # a title 'Shot 2.5' is no '.5' file
    return name
