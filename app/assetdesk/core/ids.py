"""Parse and format the ids users paste: Google Flow mediaGenerationIds, Runway asset ids,
Wordbee scopes, useapi.net tokens and email addresses.

Every parser strips surrounding whitespace, raises `InvalidInput` with a sentence saying what is
wrong, and returns a frozen value whose `str()` is the canonical text the services expect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from urllib.parse import unquote

from assetdesk.core.errors import InvalidInput

__all__ = [
    "ASSET_KINDS",
    "JOB_SUFFIX",
    "MEDIA_GENERATION_KINDS",
    "FlowJobId",
    "MediaGenerationId",
    "RunwayAssetId",
    "ScopeKind",
    "WordbeeScope",
    "check_email",
    "check_useapi_token",
    "parse_asset_ref",
    "parse_reference",
    "wordbee_key",
]

MEDIA_GENERATION_KINDS: Final = ("image", "video", "character", "voice")
ASSET_KINDS: Final = ("image", "video")

_EMAIL = re.compile(r"[^@\s:/\\]+@[^@\s:/\\]+\.[^@\s:/\\.][^@\s:/\\]*", re.ASCII)
_TOKEN = re.compile(r"user:[0-9]+-[A-Za-z0-9]+", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_HEX = re.compile(r"[0-9a-fA-F]*", re.ASCII)
_PLAIN_ID = re.compile(r"[^\s\x00-\x1f\x7f]+")
_MAX_DIGITS = 19  # fits a signed 64-bit SQLite integer
_WORDBEE_LIKE = re.compile(r"\s*(pr|jbs|jbc)[0-9]", re.IGNORECASE | re.ASCII)
#: How every useapi.net Google Flow job id ends.
JOB_SUFFIX: Final = "-bot:google-flow"
_FLOW_JOB = re.compile(r"j[0-9A-Za-z]+-u([0-9]{1,19})-email:[^\s]+" + re.escape(JOB_SUFFIX))


def _clean(text: str, what: str) -> str:
    """Strip whitespace and undo a URL-encoded paste ('user%3A...')."""
    if not isinstance(text, str):
        raise InvalidInput(f"the {what} must be text")
    cleaned = text.strip()
    # A URL-encoded paste has no ':' left; an id that merely contains '%' is kept as it is.
    if "%" in cleaned and ":" not in cleaned and _decodable(cleaned):
        cleaned = unquote(cleaned, errors="strict").strip()
    if not cleaned:
        raise InvalidInput(f"the {what} is empty")
    return cleaned


def _decodable(text: str) -> bool:
    try:
        unquote(text, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def _user_number(text: str, what: str) -> tuple[int, str]:
    """Split 'user:123-rest' into (123, 'rest')."""
    if not text.startswith("user:"):
        raise InvalidInput(f"a {what} starts with 'user:' followed by the useapi.net user number")
    number, dash, rest = text[5:].partition("-")
    if not _DIGITS.fullmatch(number):
        raise InvalidInput(f"the user number after 'user:' in the {what} must be digits")
    if len(number) > _MAX_DIGITS:
        raise InvalidInput(f"the user number in the {what} is too long")
    if not dash:
        raise InvalidInput(f"the {what} ends after the user number")
    return int(number), rest


def _check_plain_id(value: str, what: str) -> None:
    if not value:
        raise InvalidInput(f"the {what} is empty")
    if not _PLAIN_ID.fullmatch(value):
        raise InvalidInput(f"the {what} contains spaces or control characters")


def _abbreviate(value: str, keep: int = 8) -> str:
    return value if len(value) <= keep + 1 else value[:keep] + "…"


def check_email(text: str) -> str:
    """The stripped email address, or InvalidInput."""
    if not isinstance(text, str):
        raise InvalidInput("the email address must be text")
    email = text.strip()
    if not email:
        raise InvalidInput("the email address is empty")
    if "@" not in email:
        raise InvalidInput("the email address has no '@'")
    if not _EMAIL.fullmatch(email):
        raise InvalidInput(f"'{email}' is not an email address like name@example.com")
    return email


def check_useapi_token(text: str) -> str:
    """The stripped useapi.net token (`user:<digits>-<letters and digits>`), or InvalidInput.

    The error sentences never repeat the token.
    """
    if not isinstance(text, str):
        raise InvalidInput("the useapi.net token must be text")
    token = text.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise InvalidInput("the useapi.net token is empty")
    if not _TOKEN.fullmatch(token):
        if not token.startswith("user:"):
            raise InvalidInput("a useapi.net token starts with 'user:' — copy it whole")
        raise InvalidInput(
            "this does not look like a useapi.net token: it should be 'user:', digits, '-', "
            "then letters and digits only — copy it whole, without spaces"
        )
    return token


@dataclass(frozen=True, slots=True)
class MediaGenerationId:
    """A Google Flow media reference:
    `user:{user_id}-email:{hex of email}-{kind}:{internal_id}`."""

    user_id: int
    email: str
    kind: str
    internal_id: str

    @classmethod
    def parse(cls, text: str, *, asset_only: bool = False) -> MediaGenerationId:
        """Parse a pasted mediaGenerationId; with `asset_only`, refuse character/voice refs."""
        what = "mediaGenerationId"
        cleaned = _clean(text, what)
        user_id, rest = _user_number(cleaned, what)
        if not rest.startswith("email:"):
            raise InvalidInput("missing the '-email:' part after the user number")
        hex_part, dash, tail = rest[6:].partition("-")
        email = _decode_email(hex_part)
        kind, colon, internal_id = tail.partition(":")
        if not dash or not colon:
            raise InvalidInput("missing the '-image:' or '-video:' part after the email")
        if kind not in MEDIA_GENERATION_KINDS:
            raise InvalidInput(
                f"the kind '{kind[:20]}' is not one of image, video, character or voice"
            )
        _check_plain_id(internal_id, f"internal id after '-{kind}:'")
        value = cls(user_id, email, kind, internal_id)
        return value.require_asset() if asset_only else value

    def require_asset(self) -> MediaGenerationId:
        """Self when this is an image or video; InvalidInput for character and voice refs."""
        if self.kind not in ASSET_KINDS:
            raise InvalidInput(
                f"this is a {self.kind} reference, not an image or video asset — "
                f"open it from Google Flow's {self.kind}s instead"
            )
        return self

    @property
    def email_hex(self) -> str:
        return self.email.encode("utf-8").hex()

    @property
    def short(self) -> str:
        """A compact label for lists and logs: 'image ff9aa5cc…'."""
        return f"{self.kind} {_abbreviate(self.internal_id)}"

    def __str__(self) -> str:
        return f"user:{self.user_id}-email:{self.email_hex}-{self.kind}:{self.internal_id}"


def _decode_email(hex_part: str) -> str:
    if not hex_part:
        raise InvalidInput("the email part after '-email:' is empty")
    if not _HEX.fullmatch(hex_part):
        raise InvalidInput("the email part is not valid hex")
    if len(hex_part) % 2:
        raise InvalidInput("the email part is not valid hex (it has an odd number of digits)")
    try:
        decoded = bytes.fromhex(hex_part).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the email part does not decode to text") from None
    try:
        return check_email(decoded) if decoded == decoded.strip() else check_email("")
    except InvalidInput:
        raise InvalidInput("the email part does not decode to an email address") from None


@dataclass(frozen=True, slots=True)
class FlowJobId:
    """A Google Flow generation started through useapi.net: its job id,
    `j…-u{user_id}-email:{masked email}-bot:google-flow` (MORE-ENDPOINTS.md 1.4)."""

    text: str
    user_id: int

    @classmethod
    def parse(cls, text: str) -> FlowJobId:
        cleaned = _clean(text, "Google Flow job id")
        found = _FLOW_JOB.fullmatch(cleaned)
        if found is None:
            raise InvalidInput(
                "this is not a Google Flow job id like j1234v-u56-email:jo***@gmail.com"
                f"{JOB_SUFFIX}"
            )
        return cls(cleaned, int(found.group(1)))

    @property
    def short(self) -> str:
        """'job j1234v…'."""
        return f"job {_abbreviate(self.text.partition('-')[0])}"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class RunwayAssetId:
    """A Runway asset id as useapi.net names it:
    `user:{user_id}-runwayml:{email}-asset:{asset_id}`."""

    user_id: int
    email: str
    asset_id: str

    @classmethod
    def parse(cls, text: str) -> RunwayAssetId:
        what = "Runway asset id"
        cleaned = _clean(text, what)
        user_id, rest = _user_number(cleaned, what)
        if not rest.startswith("runwayml:"):
            raise InvalidInput("missing the '-runwayml:' part after the user number")
        email_part, marker, asset_id = rest[9:].partition("-asset:")
        if not marker:
            raise InvalidInput("missing the '-asset:' part after the Runway account email")
        try:
            email = check_email(email_part)
        except InvalidInput:
            raise InvalidInput("the part after '-runwayml:' is not an email address") from None
        if email != email_part:
            raise InvalidInput("the part after '-runwayml:' is not an email address")
        _check_plain_id(asset_id, "asset id after '-asset:'")
        return cls(user_id, email, asset_id)

    @property
    def short(self) -> str:
        """A compact label for lists and logs: 'Runway asset 3f2a9c1d…'."""
        return f"Runway asset {_abbreviate(self.asset_id)}"

    def __str__(self) -> str:
        return f"user:{self.user_id}-runwayml:{self.email}-asset:{self.asset_id}"


class ScopeKind(StrEnum):
    """What a Wordbee scope points at; the value is its prefix."""

    PROJECT = "pr"
    STANDARD_JOB = "jbs"
    CODYT_JOB = "jbc"


_SCOPE = re.compile(r"(pr|jbs|jbc)([0-9]+)", re.ASCII | re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class WordbeeScope:
    """A Wordbee scope: `pr{project}`, `jbs{standard job}` or `jbc{Codyt job}`."""

    kind: ScopeKind
    number: int

    @classmethod
    def parse(cls, text: str) -> WordbeeScope:
        cleaned = _clean(text, "Wordbee scope")
        match = _SCOPE.fullmatch(cleaned)
        if match is None:
            raise InvalidInput(
                "a Wordbee scope is 'pr' and a project number, or 'jbs' or 'jbc' and a job "
                "number, like pr1234"
            )
        digits = match.group(2)
        if len(digits) > _MAX_DIGITS:
            raise InvalidInput("the number in the Wordbee scope is too long")
        return cls(ScopeKind(match.group(1).lower()), int(digits))

    def __str__(self) -> str:
        return f"{self.kind.value}{self.number}"


def parse_asset_ref(text: str) -> MediaGenerationId | RunwayAssetId:
    """A Google Flow image/video mediaGenerationId or a Runway asset id, chosen by shape."""
    cleaned = _clean(text, "asset id")
    if "-runwayml:" in cleaned:
        return RunwayAssetId.parse(cleaned)
    if "-email:" in cleaned:
        return MediaGenerationId.parse(cleaned, asset_only=True)
    raise InvalidInput(
        "this is neither a Google Flow mediaGenerationId (user:…-email:…-image:…) nor a "
        "Runway asset id (user:…-runwayml:…-asset:…)"
    )


_SEGMENT_SEPARATORS = ("/", ":")


@dataclass(frozen=True, slots=True)
class WordbeeSegmentRef:
    """A Wordbee segment as users paste it: `{scope}/{segment id}`, like `pr7214/27665601`.

    Names every file attached to that segment in that scope (a project or a job).
    """

    scope: WordbeeScope
    segment_id: int

    @classmethod
    def parse(cls, text: str) -> WordbeeSegmentRef:
        cleaned = _clean(text, "Wordbee segment reference")
        separator = next((s for s in _SEGMENT_SEPARATORS if s in cleaned), None)
        if separator is None:
            raise InvalidInput(
                "a Wordbee segment reference is the scope, '/' and the segment id, like pr1234/5678"
            )
        scope_text, _, segment_text = cleaned.partition(separator)
        scope = WordbeeScope.parse(scope_text)
        segment_text = segment_text.strip()
        if not segment_text:
            raise InvalidInput("the segment id after '/' in the Wordbee segment reference is empty")
        if not _DIGITS.fullmatch(segment_text):
            raise InvalidInput(
                "the segment id after '/' in the Wordbee segment reference must be digits"
            )
        if len(segment_text) > _MAX_DIGITS:
            raise InvalidInput("the segment id in the Wordbee segment reference is too long")
        return cls(scope, int(segment_text))

    @property
    def short(self) -> str:
        """A compact label for lists and logs: 'Wordbee segment 5678 (pr1234)'."""
        return f"Wordbee segment {self.segment_id} ({self.scope})"

    def __str__(self) -> str:
        return f"{self.scope}/{self.segment_id}"


def parse_wordbee_segment_ref(text: str) -> WordbeeSegmentRef:
    """`WordbeeSegmentRef.parse`, as a function beside `parse_asset_ref`."""
    return WordbeeSegmentRef.parse(text)


def parse_reference(
    text: str,
) -> MediaGenerationId | RunwayAssetId | WordbeeSegmentRef | WordbeeScope | FlowJobId:
    """A pasted Google Flow mediaGenerationId or job id, Runway assetId, Wordbee segment
    reference (`pr1234/5678`) or Wordbee project (`pr1234`), chosen by its shape; InvalidInput
    with the parser's words otherwise."""
    if not isinstance(text, str):
        raise InvalidInput("the reference must be text")
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(
            "nothing was pasted: paste a mediaGenerationId, a Runway assetId, a Wordbee "
            "segment reference like pr1234/5678 or a Wordbee project like pr1234"
        )
    if cleaned.endswith(JOB_SUFFIX):
        return FlowJobId.parse(cleaned)
    if cleaned.lower().startswith("user") or "-email:" in cleaned or "-runwayml:" in cleaned:
        return parse_asset_ref(cleaned)
    if _WORDBEE_LIKE.match(cleaned) or "/" in cleaned:
        if "/" not in cleaned and ":" not in cleaned:  # a whole project (or job) to follow
            return WordbeeScope.parse(cleaned)
        return WordbeeSegmentRef.parse(cleaned)
    raise InvalidInput(
        "this is neither a Google Flow mediaGenerationId (user:…-email:…-image:…), a Runway "
        "asset id (user:…-runwayml:…-asset:…) nor a Wordbee segment reference (pr1234/5678)"
    )


def wordbee_key(
    scope: str, segment_id: int, locale: str | None, relative_path: str | None, name: str
) -> str:
    """The catalog's id for a Wordbee file: "scope/segment/locale/relative path/name"."""
    folder = (relative_path or "").replace("\\", "/").strip("/")
    return "/".join((scope, str(segment_id), locale or "", folder, name))
