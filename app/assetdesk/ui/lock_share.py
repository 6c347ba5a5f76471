"""The window's thread's share of Python's lock (the GIL) while worker threads run.

A thread that wants the lock waits until its holder gives it up: at the latest after the switch
interval, 5 ms by default. The window's thread gives the lock up at each call into Qt that may
block and takes it back on return, so while a worker thread holds it (SQLite writing a refresh's
rows, an answer's ids read from JSON, a thumbnail decoded) every such return can wait a whole
interval, and a paint that crosses into Qt a few dozen times waits for dozens of them (the
convoy effect). benchmarks/library_scale.py measured the loop stalled 140-250 ms as a refresh's
10,000 rows were written and 80-130 ms while scrolling 100,000 assets; with a 1 ms interval,
16 ms and 44 ms (10,000 assets). The workers lose little: they wait on SQLite, the disk or the
network most of the time, without the lock.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

#: Seconds a thread may hold Python's lock while another waits for it.
SWITCH_INTERVAL_S = 0.001


@contextlib.contextmanager
def window_first() -> Iterator[None]:
    """While the window runs: a short switch interval; the previous one again afterwards."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)
