"""Transfer progress as the user sees it: bytes done of total, speed over a sliding window, ETA.

Speed is measured over the last few seconds rather than since the start, so that a transfer that
slows down (or resumes after a stall) shows its present speed and an honest ETA.
"""

from __future__ import annotations

import collections
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass


class Phase(enum.StrEnum):
    CONNECTING = "connecting"
    DOWNLOADING = "downloading"
    RETRYING = "retrying"  # waiting before a resume
    VERIFYING = "verifying"  # hashing and checking what is on disk
    DONE = "done"


@dataclass(frozen=True)
class TransferProgress:
    phase: Phase
    done: int
    total: int | None
    #: Bytes per second over the sliding window; 0.0 until there are two samples.
    speed: float
    #: Seconds left at the present speed; None when unknown.
    eta: float | None

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[TransferProgress], None]

WINDOW = 5.0
REPORT_INTERVAL = 0.05
SAMPLE_INTERVAL = 0.1


class Meter:
    """Collects byte counts and reports `TransferProgress` at most every `interval` seconds."""

    def __init__(
        self,
        callback: ProgressCallback | None,
        *,
        window: float = WINDOW,
        interval: float = REPORT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._callback = callback
        self._window = window
        self._interval = interval
        self._clock = clock
        self._samples: collections.deque[tuple[float, int]] = collections.deque()
        self._last_report = float("-inf")
        self.phase = Phase.CONNECTING
        self._reported = False
        self.done = 0
        self.total: int | None = None

    def speed(self) -> float:
        if len(self._samples) < 2:
            return 0.0
        (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0

    def snapshot(self) -> TransferProgress:
        speed = self.speed()
        eta: float | None = None
        if self.phase is Phase.DONE:
            eta = 0.0
        elif self.total is not None and speed > 0:
            eta = max(0.0, (self.total - self.done) / speed)
        return TransferProgress(self.phase, self.done, self.total, speed, eta)

    def set_phase(self, phase: Phase) -> None:
        if phase is not self.phase or not self._reported:
            self.phase = phase
            self._reported = True
            self.report(force=True)

    def restart(self) -> None:
        """The bytes so far were thrown away (start over): the count and the window restart."""
        self.done = 0
        self._samples.clear()
        self.report(force=True)

    def rebase(self, done: int) -> None:
        """Start counting from `done` bytes already there (a resumed part): no speed from them."""
        self.done = done
        self._samples.clear()

    def add(self, count: int) -> None:
        self.done += count
        self.report()

    def report(self, *, force: bool = False) -> None:
        now = self._clock()
        if force or not self._samples or now - self._samples[-1][0] >= SAMPLE_INTERVAL:
            self._samples.append((now, self.done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self._window:
            self._samples.popleft()
        if self._callback is None:
            return
        if force or now - self._last_report >= self._interval:
            self._last_report = now
            self._callback(self.snapshot())
