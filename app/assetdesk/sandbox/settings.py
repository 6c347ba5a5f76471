"""The sandbox's adjustable behaviour, changed through `/_sandbox/configure` and reset with it.

The defaults follow the most common real answers; the other values exist so that clients are
tested against every answer the contract notes allow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

#: `x-goog-hash` variants: both hashes on one line (GCS's usual `crc32c=..., md5=...`), one of
#: them, none, or one header line per hash (as the XML API can send).
HASH_HEADER_MODES = ("both", "crc32c", "md5", "none", "separate")
#: Google Flow's listings are served in one of these shapes (their field names are not public).
FLOW_LISTING_SHAPES = ("a", "b")
WORDBEE_EXPIRED_STATUSES = (400, 401)


@dataclass
class Settings:
    signed_url_ttl: float = 6 * 3600  # seconds a signed storage URL stays valid
    wordbee_token_idle: float = 30 * 60  # seconds a Wordbee token survives without use
    wordbee_expired_status: int = 400  # status of a missing, unknown or expired Wordbee token
    ignore_range: bool = False  # storage answers 200 with the whole object despite `Range`
    hash_header: str = "both"  # one of HASH_HEADER_MODES
    stored_length: bool = True  # storage sends `x-goog-stored-content-length`
    flow_listing_shape: str = "a"  # one of FLOW_LISTING_SHAPES
    flow_media_page_size: int = 50  # entries per page of a Google Flow project's media

    def update(self, changes: dict[str, Any]) -> None:
        """Apply `changes` after checking all of them (ValueError: nothing is changed)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(known)}")
        checked = {name: _check(name, value) for name, value in changes.items()}
        for name, value in checked.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check(name: str, value: Any) -> Any:
    if name in ("signed_url_ttl", "wordbee_token_idle"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number of seconds, not {value!r}")
        return float(value)
    if name in ("ignore_range", "stored_length"):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false, not {value!r}")
        return value
    if name == "hash_header":
        if value not in HASH_HEADER_MODES:
            raise ValueError(f"hash_header must be one of {HASH_HEADER_MODES}, not {value!r}")
        return value
    if name == "flow_listing_shape":
        if value not in FLOW_LISTING_SHAPES:
            raise ValueError(f"{name} must be one of {FLOW_LISTING_SHAPES}, not {value!r}")
        return value
    if name == "flow_media_page_size":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 500:
            raise ValueError(f"{name} must be a whole number from 1 to 500, not {value!r}")
        return value
    if name == "wordbee_expired_status":
        if isinstance(value, bool) or value not in WORDBEE_EXPIRED_STATUSES:
            raise ValueError(f"{name} must be one of {WORDBEE_EXPIRED_STATUSES}, not {value!r}")
        return int(value)
    raise ValueError(f"unknown setting {name!r}")
