"""services/library_errors.py: a sentence continued after a colon keeps names capitalised."""

from __future__ import annotations

from assetdesk.services.library_errors import after_colon


def test_an_ordinary_first_word_is_lowered_and_a_name_kept() -> None:
    assert after_colon("The link expired.") == "the link expired."
    assert after_colon("Not found.") == "not found."
    assert after_colon("Google Flow refused it.") == "Google Flow refused it."
    assert after_colon("Runway is busy.") == "Runway is busy."
