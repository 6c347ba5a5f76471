"""Google's content-policy codes in words (providers/useapi.py), over the answers it maps."""

from __future__ import annotations

import httpx
import pytest

from assetdesk.core.errors import ContentPolicy, Throttled
from assetdesk.providers.useapi import policy_sentence, useapi_error

KNOWN = {
    "PUBLIC_ERROR_TRUMP_FACE_DETECTED": "the face of a public figure",
    "PUBLIC_ERROR_PROMINENT_PEOPLE_UPLOAD": "a prominent person",
    "PUBLIC_ERROR_MINOR_UPLOAD": "a minor",
    "PUBLIC_ERROR_UNSAFE_GENERATION": "unsafe",
}


def refusal(reason: str, status: int = 400) -> httpx.Response:
    detail = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason}
    body = {"error": {"code": status, "message": "Request contains an invalid argument."}}
    body["error"]["details"] = [detail]
    return httpx.Response(status, json=body)


@pytest.mark.parametrize(("reason", "words"), KNOWN.items())
def test_each_known_code_is_said_in_words(reason: str, words: str) -> None:
    sentence = policy_sentence(reason)
    assert words in sentence and sentence.endswith(".")
    assert "PUBLIC_ERROR" not in sentence and "_" not in sentence
    error = useapi_error(refusal(reason))
    assert isinstance(error, ContentPolicy)
    assert error.message == sentence and error.reason == reason
    assert error.service_text == f"Request contains an invalid argument. (reason: {reason})"


def test_codes_without_words_share_one_sentence() -> None:
    first = policy_sentence("PUBLIC_ERROR_NEW_KIND")
    assert first == policy_sentence("SOMETHING_ELSE")
    assert "content policy" in first and "NEW" not in first and "new kind" not in first


def test_a_throttle_reason_on_a_429_stays_a_throttle() -> None:
    answer = refusal("PUBLIC_ERROR_USER_REQUESTS_THROTTLED", status=429)
    assert isinstance(useapi_error(answer), Throttled)
