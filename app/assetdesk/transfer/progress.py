"""Transfer progress as the user sees it: bytes done of total, speed, time left.

The speed is an estimate that has settled, never the first burst:

1. The first `SETTLE` seconds after the first byte are not measured: an upload's first
   megabytes go straight into the socket's buffers, far faster than the link carries them.
2. From then on every sample (at most one per `SAMPLE_INTERVAL`) feeds an exponentially smoothed
   rate: bytes and seconds each decay with the time constant `SMOOTHING`, and the rate is their
   ratio, so it starts as the plain average since step 1 and then follows the present speed (a
   transfer that slows down, or goes on after a stall, shows its speed of the last few seconds).
3. Speed and ETA are shown once the estimate has `WARMUP` seconds behind it since the first byte,
   or once `SHARE` of the bytes are done (a short transfer is over before a few seconds pass);
   until then speed is 0.0 and the ETA unknown. A restart or resume begins again at step 1.
"""

from __future__ import annotations

import enum
import math
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
    #: Bytes per second, smoothed; 0.0 until the estimate has settled (see the module docstring).
    speed: float
    #: Seconds left at that speed; None when unknown.
    eta: float | None

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[TransferProgress], None]

REPORT_INTERVAL = 0.05
SAMPLE_INTERVAL = 0.1
#: Seconds after the first byte that are not measured (the buffers' burst).
SETTLE = 0.25
#: Seconds of measuring before speed and ETA are shown...
WARMUP = 2.0
#: ...unless this share of the bytes is done first.
SHARE = 0.2
#: The time constant of the smoothing, in seconds: older samples weigh e^(-age / SMOOTHING).
SMOOTHING = 3.0


class Meter:
    """Collects byte counts and reports `TransferProgress` at most every `interval` seconds."""

    def __init__(
        self,
        callback: ProgressCallback | None,
        *,
        interval: float = REPORT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._callback = callback
        self._interval = interval
        self._clock = clock
        self._last_report = float("-inf")
        self.phase = Phase.CONNECTING
        self._reported = False
        self.done = 0
        self.total: int | None = None
        self._reset()

    def _reset(self) -> None:
        """Begin the estimate again (step 1 of the module docstring)."""
        self._start_done = self.done
        self._first_byte: tuple[float, int] | None = None  # when counting began, and from what
        self._last_sample: tuple[float, int] | None = None  # the last sample measured
        self._bytes = 0.0  # decayed bytes since the burst
        self._seconds = 0.0  # decayed seconds since the burst
        self._settled = False

    def speed(self) -> float:
        if not self._settled or self._seconds <= 0:
            return 0.0
        return self._bytes / self._seconds

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
        """The bytes so far were thrown away (start over): the count and the estimate restart."""
        self.done = 0
        self._reset()
        self.report(force=True)

    def rebase(self, done: int) -> None:
        """Start counting from `done` bytes already there (a resumed part): no speed from them."""
        self.done = done
        self._reset()

    def add(self, count: int) -> None:
        self.done += count
        self.report()

    def _sample(self, now: float) -> None:
        if self._first_byte is None:
            if self.done != self._start_done:
                self._first_byte = (now, self._start_done)
            return
        if self._last_sample is None:
            if now - self._first_byte[0] >= SETTLE:
                self._last_sample = (now, self.done)
            return
        last_time, last_done = self._last_sample
        elapsed = now - last_time
        if elapsed < SAMPLE_INTERVAL:
            return
        decay = math.exp(-elapsed / SMOOTHING)
        self._bytes = self._bytes * decay + (self.done - last_done)
        self._seconds = self._seconds * decay + elapsed
        self._last_sample = (now, self.done)
        if not self._settled:
            first_time, first_done = self._first_byte
            shared = self.total is not None and self.done - first_done >= SHARE * self.total
            self._settled = shared or now - first_time >= WARMUP

    def report(self, *, force: bool = False) -> None:
        now = self._clock()
        self._sample(now)
        if self._callback is None:
            return
        if force or now - self._last_report >= self._interval:
            self._last_report = now
            self._callback(self.snapshot())
