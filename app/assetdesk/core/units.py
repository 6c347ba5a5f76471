"""Human-readable sizes, speeds and times, worded the way GNOME Files and macOS Finder word them.

Sizes use decimal units (1 KB = 1000 bytes), as file managers show them; service limits, which
are binary, use `format_mib`. One unit system per sentence: a size set beside a limit is given in
the limit's unit (`format_size_beside`: "this PNG is 24 MiB; … images up to 20 MiB").
Anything unknown (None, NaN, infinite, negative speed or ETA) is shown as an em dash.
"""

from __future__ import annotations

import math

UNKNOWN = "—"

_DECIMAL_UNITS: tuple[tuple[str, int], ...] = (
    ("KB", 1),
    ("MB", 1),
    ("GB", 2),
    ("TB", 2),
    ("PB", 2),
)
MIB = 1_048_576


def _trim(number: str) -> str:
    """'1.50' -> '1.5', '2.0' -> '2'."""
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number


def format_size(n: int | float) -> str:
    """'0 bytes', '1 byte', '512 bytes', '1.5 KB', '131.2 MB', '1.07 GB'."""
    if isinstance(n, float) and not math.isfinite(n):
        return UNKNOWN
    if n < 0:
        return "-" + format_size(-n)
    if n < 1000:
        count = int(n)
        return "1 byte" if count == 1 else f"{count} bytes"
    value = float(n)
    for index, (unit, digits) in enumerate(_DECIMAL_UNITS):
        value /= 1000
        rounded = round(value, digits)
        last = index == len(_DECIMAL_UNITS) - 1
        if rounded < 1000 or last:
            return f"{_trim(f'{rounded:.{digits}f}')} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def format_mib(n: int) -> str:
    """A binary size as services state their limits: '100 MiB', '20 MiB', '1.5 MiB'."""
    return f"{_trim(f'{n / MIB:.1f}')} MiB"


def format_size_beside(size: int, limit: int) -> str:
    """`size` in MiB, to set beside `format_mib(limit)`: '24 MiB', '20.03 MiB'. A size over the
    limit never reads as the limit: one decimal, two if one rounds it down to the limit, and
    'just over 20 MiB' if two do too."""
    shown_limit = round(limit / MIB, 1)
    for digits in (1, 2):
        value = round(size / MIB, digits)
        if size <= limit or value > shown_limit:
            return f"{_trim(f'{value:.{digits}f}')} MiB"
    return f"just over {format_mib(limit)}"


def format_speed(bytes_per_s: float | None) -> str:
    """'1.5 MB/s'; '—' when the speed is not known yet."""
    if bytes_per_s is None or not math.isfinite(bytes_per_s) or bytes_per_s < 0:
        return UNKNOWN
    return f"{format_size(bytes_per_s)}/s"


def format_eta(seconds: float | None) -> str:
    """Time left: '3 s', '2 min 5 s', '1 h 4 min'; '—' for unknown. Rounds up, so 0.2 s is '1 s'."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return UNKNOWN
    total = math.ceil(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def format_duration(seconds: float | None) -> str:
    """A media length like a player shows it: '0:02', '12:05', '1:02:03'; '—' for unknown."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return UNKNOWN
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
