"""A batch of the Library's downloads to a folder and the line the downloads box shows for it:
files saved of all, bytes, the batch's speed and time left while it runs; at its end what was
saved and, when some failed, how many and which (each failure's sentence is on its own row).

A batch is every "Download to folder" started while one runs: a second
selection sent while the first is still going joins it, so one line and one "Cancel all" cover
what is on its way. The speed is the batch's own, over a sliding window of a few seconds of its
bytes done (a small file ends before its own speed settles, so summing theirs would say 0).
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from dataclasses import dataclass

from assetdesk.core.units import format_eta, format_size, format_speed
from assetdesk.ui.library.downloads import UNFINISHED, Download

#: Seconds of bytes done the batch's speed is measured over.
SPEED_WINDOW = 3.0
#: The shortest span the speed is given for (less would be the first burst).
SPEED_MIN_SPAN = 0.5
#: Failed files named in the summary; the rest are counted.
NAMED_FAILURES = 3


@dataclass(frozen=True)
class BatchSums:
    files: int
    done: int
    failed: int
    cancelled: int
    running: int
    queued: int
    bytes_done: int
    #: None while a file's size is not known yet.
    bytes_total: int | None
    paused: int = 0


class Batch:
    """The downloads of one batch, in the order they were chosen. Those that ended are counted
    and let go as the batch sums itself (a batch of 100,000 holds the files still to finish,
    not one object per file saved)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        #: The files not ended when the batch last summed itself, and those added since.
        self.downloads: list[Download] = []
        #: Files chosen that have no row yet (fed later: download_feed.py), and their bytes
        #: (None: some size unknown).
        self.coming = 0
        self.coming_bytes: int | None = 0
        self._unsized = 0  # selections counted whose bytes SQLite has not summed yet
        self._ended: collections.Counter[str] = collections.Counter()
        self._ended_bytes = 0
        self._failed_titles: list[str] = []  # the first few, for the summary
        self._clock = clock
        self._samples: collections.deque[tuple[float, int]] = collections.deque()

    def add(self, download: Download) -> None:
        self.downloads.append(download)

    def expect(self, count: int) -> None:
        """`count` files chosen whose rows come later (`arrived` as they do); their bytes in
        all follow (`sized`), and until then the batch's total is not known."""
        self.coming += count
        self._unsized += 1

    def sized(self, size: int | None) -> None:
        """The bytes of the files of an `expect` (None: some size unknown)."""
        self._unsized = max(0, self._unsized - 1)
        if self.coming_bytes is not None:
            self.coming_bytes = None if size is None else self.coming_bytes + size

    def arrived(self, downloads: list[Download], *, dropped: int = 0) -> None:
        """These rows came; `dropped` chosen files never will (gone from the catalog)."""
        self.downloads += downloads
        self.coming -= len(downloads) + dropped
        if self.coming_bytes is not None:
            self.coming_bytes -= sum(d.size or 0 for d in downloads)
        if self.coming <= 0:
            self.coming, self.coming_bytes = 0, 0

    def never_coming(self, count: int) -> None:
        """`count` files still to arrive were cancelled before they did."""
        count = min(count, self.coming)
        self.coming -= count
        self._ended["cancelled"] += count
        self.coming_bytes = 0 if not self.coming else None

    @property
    def files(self) -> int:
        """Every file of the batch: ended, on its way, and still to arrive."""
        return self._ended.total() + len(self.downloads) + self.coming

    @property
    def finished(self) -> bool:
        return not self.coming and all(d.state not in UNFINISHED for d in self.downloads)

    def unfinished(self) -> list[Download]:
        return [d for d in self.downloads if d.state in UNFINISHED]

    def _let_go_of_ended(self) -> None:
        going: list[Download] = []
        for download in self.downloads:
            if download.state in UNFINISHED:
                going.append(download)
                continue
            self._ended[download.state] += 1
            if download.state == "done":
                progress = download.progress
                size = progress.total if progress is not None and progress.total else download.size
                self._ended_bytes += (
                    size if size is not None else (progress.done if progress else 0)
                )
            elif download.state == "failed" and len(self._failed_titles) < NAMED_FAILURES:
                self._failed_titles.append(download.title)
        self.downloads = going

    def sums(self) -> BatchSums:
        self._let_go_of_ended()
        states = collections.Counter(d.state for d in self.downloads) + self._ended
        done = total = self._ended_bytes
        known = True
        for download in self.downloads:
            progress = download.progress
            size = progress.total if progress is not None and progress.total else download.size
            if progress is not None:
                done += progress.done
            if size is None:
                known = False
            else:
                total += size
        coming_known = self.coming_bytes is not None and not self._unsized
        return BatchSums(
            files=self.files,
            done=states["done"],
            failed=states["failed"],
            cancelled=states["cancelled"],
            running=states["running"],
            queued=states["queued"] + self.coming,
            paused=states["paused"],
            bytes_done=done,
            bytes_total=total + (self.coming_bytes or 0) if known and coming_known else None,
        )

    def speed(self, bytes_done: int) -> float:
        """Bytes per second over the last `SPEED_WINDOW` seconds, `bytes_done` noted now; 0.0
        until `SPEED_MIN_SPAN` seconds are behind it."""
        now = self._clock()
        self._samples.append((now, bytes_done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= SPEED_WINDOW:
            self._samples.popleft()
        first_time, first_done = self._samples[0]
        span = now - first_time
        if span < SPEED_MIN_SPAN:
            return 0.0
        return max(0.0, (bytes_done - first_done) / span)

    def line(self, *, paused: bool = False) -> str:
        """What the downloads box says of the batch now (see `batch_text`)."""
        sums = self.sums()
        speed = self.speed(sums.bytes_done) if not self.finished else 0.0
        return batch_text(sums, speed, self._failed_titles, paused=paused)


def batch_text(
    sums: BatchSums, speed: float, failed_titles: list[str], *, paused: bool = False
) -> str:
    """While it runs: '3 of 40 saved · 4 running · 12 MB of 40 MB · 2 MB/s · about 14 s left'.
    Paused: 'Paused · 3 of 40 saved · 12 MB of 40 MB'.
    At its end: '40 of 40 saved', or '3 of 40 failed: a.jpg, b.png, c.mp4 and 1 more · 37 saved'."""
    unfinished = sums.running + sums.queued + sums.paused
    if unfinished and paused:
        parts = ["Paused", f"{sums.done} of {sums.files} saved"]
        if sums.running:  # still stopping
            parts.append(f"{sums.running} stopping")
        if sums.failed:
            parts.append(f"{sums.failed} failed")
        if sums.bytes_total is not None:
            parts.append(f"{format_size(sums.bytes_done)} of {format_size(sums.bytes_total)}")
        return " · ".join(parts)
    if unfinished:
        parts = [f"{sums.done} of {sums.files} saved"]
        if sums.running:
            parts.append(f"{sums.running} running")
        if sums.failed:
            parts.append(f"{sums.failed} failed")
        if sums.cancelled:
            parts.append(f"{sums.cancelled} cancelled")
        if sums.bytes_total is not None:
            parts.append(f"{format_size(sums.bytes_done)} of {format_size(sums.bytes_total)}")
        else:
            parts.append(format_size(sums.bytes_done))
        if speed > 0:
            parts.append(format_speed(speed))
            if sums.bytes_total is not None:
                left = max(0, sums.bytes_total - sums.bytes_done) / speed
                parts.append(f"about {format_eta(left)} left")
        return " · ".join(parts)
    parts = []
    if sums.failed:
        named = ", ".join(failed_titles[:NAMED_FAILURES])
        more = sums.failed - NAMED_FAILURES
        if more > 0:
            named += f" and {more} more"
        parts.append(f"{sums.failed} of {sums.files} failed: {named}")
    if not parts:
        parts.append(f"{sums.done} of {sums.files} saved")
    elif sums.done:
        parts.append(f"{sums.done} saved")
    if sums.cancelled:
        parts.append(f"{sums.cancelled} cancelled")
    return " · ".join(parts)
