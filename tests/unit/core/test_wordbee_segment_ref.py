"""core/ids.py's WordbeeSegmentRef: `scope/segment` as users paste it, or InvalidInput."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetdesk.core.errors import InvalidInput
from assetdesk.core.ids import (
    ScopeKind,
    WordbeeScope,
    WordbeeSegmentRef,
    parse_wordbee_segment_ref,
)


@pytest.mark.parametrize(
    ("text", "scope", "segment"),
    [
        ("pr7214/27665601", WordbeeScope(ScopeKind.PROJECT, 7214), 27665601),
        ("  JBS12 / 5 \n", WordbeeScope(ScopeKind.STANDARD_JOB, 12), 5),
        ("jbc3:44", WordbeeScope(ScopeKind.CODYT_JOB, 3), 44),
        ("pr7214%2F27665601", WordbeeScope(ScopeKind.PROJECT, 7214), 27665601),  # URL-encoded
    ],
)
def test_a_reference_parses_into_scope_and_segment(
    text: str, scope: WordbeeScope, segment: int
) -> None:
    ref = WordbeeSegmentRef.parse(text)
    assert (ref.scope, ref.segment_id) == (scope, segment)
    assert str(ref) == f"{scope}/{segment}"
    assert parse_wordbee_segment_ref(text) == ref


def test_its_short_label_names_segment_and_scope() -> None:
    assert WordbeeSegmentRef.parse("pr12/345").short == "Wordbee segment 345 (pr12)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the Wordbee segment reference is empty"),
        ("   ", "the Wordbee segment reference is empty"),
        (
            "pr12",
            "a Wordbee segment reference is the scope, '/' and the segment id, like pr1234/5678",
        ),
        (
            "project12/3",
            "a Wordbee scope is 'pr' and a project number, or 'jbs' or 'jbc' and a job number, "
            "like pr1234",
        ),
        ("/3", "the Wordbee scope is empty"),
        ("pr12/", "the segment id after '/' in the Wordbee segment reference is empty"),
        ("pr12/3a", "the segment id after '/' in the Wordbee segment reference must be digits"),
        ("pr12/-3", "the segment id after '/' in the Wordbee segment reference must be digits"),
        ("pr12/3/4", "the segment id after '/' in the Wordbee segment reference must be digits"),
        ("pr12/" + "9" * 20, "the segment id in the Wordbee segment reference is too long"),
    ],
)
def test_a_malformed_reference_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        WordbeeSegmentRef.parse(text)
    assert caught.value.message == message


@given(
    st.sampled_from(list(ScopeKind)),
    st.integers(min_value=0, max_value=10**18),
    st.integers(min_value=0, max_value=10**18),
)
def test_formatting_and_parsing_round_trip(kind: ScopeKind, number: int, segment: int) -> None:
    ref = WordbeeSegmentRef(WordbeeScope(kind, number), segment)
    assert WordbeeSegmentRef.parse(str(ref)) == ref
