"""providers/http.py: numbers read however a service wrote them."""

from __future__ import annotations

import pytest

from assetdesk.providers.http import whole_number


@pytest.mark.parametrize(
    ("value", "read"),
    [
        *[(12, 12), (0, 0), (12.0, 12), ("12", 12), (" 42 ", 42)],
        *[(12.5, None), ("12.5", None), (True, None), (False, None), ("", None), ("-3", None)],
        *[(None, None), ([1], None)],
    ],
)
def test_whole_numbers_however_written(value: object, read: int | None) -> None:
    assert whole_number(value) == read
