"""providers/wordbee_errors.py: which refusals mean a new session, and which a new staging."""

from __future__ import annotations

import pytest

from assetdesk.providers.wordbee_errors import is_expired_token


@pytest.mark.parametrize(
    ("status", "text", "expired"),
    [
        (401, "", True),
        (401, "Invalid or expired file token", True),  # a 401 is the session's, whatever it says
        (400, "Token expired", True),
        (403, "Invalid or expired token", True),
        (400, "Invalid or expired file token", False),
        (400, "File token expired", False),
        (403, "Unknown or expired filetoken. Upload the file again.", False),
        (400, "The segment does not exist", False),
    ],
)
def test_a_file_tokens_refusal_is_never_a_session_expiry(
    status: int, text: str, expired: bool
) -> None:
    assert is_expired_token(status, text) is expired
