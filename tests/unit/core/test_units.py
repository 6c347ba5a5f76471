"""core/units.py: sizes, speeds and times as the user reads them."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetdesk.core.units import (
    MIB,
    format_duration,
    format_eta,
    format_mib,
    format_size,
    format_size_beside,
    format_speed,
)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (512, "512 bytes"),
        (999, "999 bytes"),
        (1000, "1 KB"),
        (1500, "1.5 KB"),
        (999_949, "999.9 KB"),
        (999_950, "1 MB"),  # rounding up moves to the next unit, never "1000 KB"
        (131_200_000, "131.2 MB"),
        (1_070_000_000, "1.07 GB"),
        (2_500_000_000_000, "2.5 TB"),
    ],
)
def test_format_size(n: int, text: str) -> None:
    assert format_size(n) == text


def test_format_mib() -> None:
    assert format_mib(100 * MIB) == "100 MiB"
    assert format_mib(20 * MIB) == "20 MiB"
    assert format_mib(MIB + MIB // 2) == "1.5 MiB"


@pytest.mark.parametrize(
    ("size", "limit", "text"),
    [
        (24 * MIB, 20 * MIB, "24 MiB"),
        (131_200_000, 100 * MIB, "125.1 MiB"),
        (21_000_000, 20 * MIB, "20.03 MiB"),  # one decimal would read "20 MiB"
        (20 * MIB + 1, 20 * MIB, "just over 20 MiB"),  # two would too
        (20 * MIB, 20 * MIB, "20 MiB"),
        (MIB // 2, 20 * MIB, "0.5 MiB"),
    ],
)
def test_a_size_beside_a_limit_is_in_its_unit(size: int, limit: int, text: str) -> None:
    assert format_size_beside(size, limit) == text


@given(st.integers(1, 10**12), st.integers(1, 10**11))
def test_a_size_over_its_limit_never_reads_as_the_limit(size: int, limit: int) -> None:
    text = format_size_beside(size, limit)
    if size > limit and not text.startswith("just over "):
        assert float(text.removesuffix(" MiB")) > float(format_mib(limit).removesuffix(" MiB"))


def test_format_speed() -> None:
    assert format_speed(1_500_000) == "1.5 MB/s"
    assert format_speed(0) == "0 bytes/s"
    assert format_speed(None) == "—"
    assert format_speed(math.nan) == "—"
    assert format_speed(-5) == "—"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (0.2, "1 s"),
        (3, "3 s"),
        (59, "59 s"),
        (60, "1 min"),
        (125, "2 min 5 s"),
        (3600, "1 h"),
        (3840, "1 h 4 min"),
        (None, "—"),
        (math.inf, "—"),
        (-1, "—"),
    ],
)
def test_format_eta(seconds: float | None, text: str) -> None:
    assert format_eta(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (2, "0:02"), (2.4, "0:02"), (725, "12:05"), (3723, "1:02:03"), (None, "—")],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


@given(st.integers(min_value=0, max_value=10**18))
def test_format_size_is_always_a_number_and_a_unit(n: int) -> None:
    number, unit = format_size(n).split(" ")
    assert unit in {"byte", "bytes", "KB", "MB", "GB", "TB", "PB"}
    value = float(number)
    assert 0 <= value < 1000 or unit == "PB"
    scale = {"byte": 1, "bytes": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15}
    # The shown value is within rounding of the real size.
    assert abs(value * scale[unit] - n) <= 0.051 * scale[unit]


@given(st.integers(min_value=0, max_value=10**7))
def test_format_eta_parts_add_up(seconds: int) -> None:
    text = format_eta(seconds)
    total = 0
    parts = text.split(" ")
    for amount, unit in zip(parts[::2], parts[1::2], strict=True):
        total += int(amount) * {"s": 1, "min": 60, "h": 3600}[unit]
    if seconds < 3600:
        assert total == seconds
    else:  # hours and minutes only: within a minute
        assert 0 <= seconds - total < 60


@given(st.integers(min_value=0, max_value=10**6))
def test_format_duration_reads_back(seconds: int) -> None:
    fields = [int(part) for part in format_duration(seconds).split(":")]
    total = 0
    for field in fields:
        total = total * 60 + field
    assert total == seconds
