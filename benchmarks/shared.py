"""What the benchmarks share: messages, the child's resource figures, redaction of child output,
timer-gap statistics, profiles, table rows, and the offscreen window a child process runs.

Imported by the benchmark scripts as a sibling module (`python benchmarks/x.py` puts this folder
first on sys.path, for the children too).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

PROFILE_TOP = 10  # lines of each profile listing (by cumulative time, then by own time)


class BenchError(Exception):
    """A run that could not be measured (a child or a tool failed, or a result is wrong)."""


def say(text: str) -> None:
    """Progress for the person waiting, on stderr (stdout carries the table or the JSON)."""
    print(text, file=sys.stderr, flush=True)


def status_bytes(field_name: str) -> int:
    """One `Vm*` line of /proc/self/status, in bytes."""
    text = Path("/proc/self/status").read_text()
    match = re.search(rf"^{field_name}:\s+(\d+) kB", text, re.MULTILINE)
    if match is None:
        raise BenchError(f"/proc/self/status has no {field_name} line (Linux only).")
    return int(match[1]) * 1024


def redact(text: str) -> str:
    """Child or tool output without URL queries (signed) or bearer tokens, for error messages."""
    text = re.sub(r"\?\S*", "?…", text)
    return re.sub(r"(?i)bearer\s+\S+", "Bearer …", text)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: a figure that some tick really had)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def gap_figures(gaps: list[float], during: str) -> dict[str, float]:
    """p50, p99, max and counts over 16 / 50 ms of a timer's gaps; `during` names what ran
    ("the grid scrolled") for the error when the timer never ticked."""
    if not gaps:
        raise BenchError(f"The timer never ticked while {during}.")
    return {
        "ticks": len(gaps),
        "p50": percentile(gaps, 0.50),
        "p99": percentile(gaps, 0.99),
        "max": max(gaps),
        "over_16ms": sum(1 for g in gaps if g > 16),
        "over_50ms": sum(1 for g in gaps if g > 50),
    }


def profile_text(profiler: Any) -> str:
    """A cProfile run as text: the top functions by cumulative time, then by own time."""
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(PROFILE_TOP)
    stats.sort_stats("tottime").print_stats(PROFILE_TOP)
    return out.getvalue()


def table_row(
    label: str, figure: str, target: str = "", ok: bool | None = None, *, label_width: int
) -> str:
    """One line of a figures table: label, figure, target and its verdict."""
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    figure_width = 86 - label_width
    return f"{label:<{label_width}}{figure:<{figure_width}}{target:<18}{verdict}".rstrip()


def offscreen_platform(screen: tuple[int, int] | None) -> str:
    """QT_QPA_PLATFORM for Qt's offscreen platform, with one screen of `screen` (width, height)
    pixels when given (a config file beside the temporary files), else its default 800 x 800."""
    if screen is None:
        return "offscreen"
    width, height = screen
    config = Path(tempfile.gettempdir()) / f"assetdesk-bench-screen-{width}x{height}.json"
    shape = {"name": "bench", "x": 0, "y": 0, "width": width, "height": height}
    shape |= {"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [shape]}))
    return f"offscreen:configfile={config}"


def run_window(
    app_name: str,
    session: Callable[[], Coroutine[Any, Any, dict[str, Any]]],
    *,
    screen: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """In a child process: an offscreen QApplication with qasync, Qt's messages logged and the
    cycle collector on the GUI thread as the app has them; `session()` runs to its result.
    `screen` (width, height) sizes the offscreen screen, so the window's first-start size."""
    os.environ["QT_QPA_PLATFORM"] = offscreen_platform(screen)  # before Qt is imported
    from PySide6.QtWidgets import QApplication

    from assetdesk.ui.event_loop import AppEventLoop
    from assetdesk.ui.lock_share import window_first
    from assetdesk.ui.main_thread_gc import MainThreadGarbageCollector
    from assetdesk.ui.qt_log import install_qt_message_handler

    install_qt_message_handler()
    app = QApplication([app_name])
    app.setQuitOnLastWindowClosed(False)
    collector = MainThreadGarbageCollector()  # as the app runs: the cycle collector on a timer
    loop = AppEventLoop(app)
    asyncio.set_event_loop(loop)
    with window_first():  # and the window's thread first for Python's lock, as the app has it
        try:
            return loop.run_until_complete(session())
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            collector.stop()
