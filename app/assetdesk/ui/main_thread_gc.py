"""Python's cycle collector, run on the GUI thread only.

The collector normally runs on whichever thread happens to allocate when a threshold is crossed.
AssetDesk runs keyring, SQLite and hashing calls on worker threads, so a Qt object caught in a
reference cycle could be destroyed on one of them; a QObject destroyed off its own thread leaves
its timers and notifiers registered, and Qt later delivers an event into freed memory. (The GUI
tests hit exactly that as a segfault in QTimerInfoList::activateTimers.) This turns automatic
collection off and collects from a GUI-thread timer instead, generation by generation, as often
as the usual thresholds ask for.
"""

from __future__ import annotations

import gc
import logging
import time

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger("assetdesk.ui.gc")

#: While the app is busy (the user scrolled within QUIET_AFTER_S, or more new objects since the
#: last check than would call for a collection of the youngest generation: a refresh, a batch),
#: how often to look whether the oldest generation has doubled (counting it lists it: 8-15 ms
#: at 100,000 assets).
BUSY_LOOK_S = 5.0
#: Seconds after the user's last scroll (`note_activity`) before the app counts as quiet.
QUIET_AFTER_S = 1.0


class MainThreadGarbageCollector(QObject):
    """Once the window is built (`settle_now()`, which the main window calls at the end of its
    construction, before it shows and before the start-up refresh) or at the latest
    `settle_after_ms` after it starts, it collects once and moves every object still alive
    into the permanent generation (`gc.freeze`): modules, classes and the window live as long
    as the app, and a full collection that need not scan them takes a fraction of the time
    (it stalled scrolling through 10,000 library assets for ~55 ms, benchmarks/library_scale.py,
    and a refresh that began before the settle for ~40-57 ms, benchmarks/refresh_scale.py)."""

    #: The collector of this process, if one runs (`settle_now` finds it here).
    current: MainThreadGarbageCollector | None = None

    def __init__(
        self,
        interval_ms: int = 500,
        parent: QObject | None = None,
        *,
        settle_after_ms: int | None = 3000,
    ) -> None:
        super().__init__(parent)
        self._settled = False
        self._long_lived = 0  # objects in the oldest generation after the last full collection
        self._left = 0  # the youngest generation's count after the last check
        self._next_busy_look = 0.0  # monotonic time: when a busy check may count the oldest
        self._active_at = -QUIET_AFTER_S  # monotonic time of the user's last scroll
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        self._settle: QTimer | None = None
        if settle_after_ms is not None:
            self._settle = QTimer(self)
            self._settle.setSingleShot(True)
            self._settle.timeout.connect(self.settle)
            self._settle.start(settle_after_ms)
        MainThreadGarbageCollector.current = self

    def settle(self) -> None:
        """Collect everything once, then leave what survived out of later collections."""
        if self._settle is not None:
            self._settle.stop()
        self._settled = True
        gc.collect()
        gc.freeze()
        self._long_lived = 0
        log.debug("%d long-lived object(s) left out of later collections", gc.get_freeze_count())

    def check(self) -> None:
        """Collect the generations whose thresholds have been crossed, a full collection only
        when it is due as Python's own collector would judge and the app is quiet (see
        `_full_now`)."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        quiet = (
            counts[0] - self._left <= thresholds[0]
            and time.monotonic() - self._active_at >= QUIET_AFTER_S
        )
        try:
            for generation in (2, 1, 0):
                if counts[generation] <= thresholds[generation]:
                    continue
                if generation == 2 and not self._full_now(quiet):
                    continue
                found = gc.collect(generation)
                if generation == 2:
                    self._long_lived = len(gc.get_objects(2))
                if found:
                    log.debug("collected %d object(s) from generation %d", found, generation)
                return
        finally:
            self._left = gc.get_count()[0]

    def note_activity(self) -> None:
        """The user is doing what a stall would spoil (scrolling): a due full collection waits."""
        self._active_at = time.monotonic()

    def _full_now(self, quiet: bool) -> bool:
        """Whether to collect everything now: when it is due (`_grown` by a quarter) and the
        app is quiet, or, while it stays busy, once the oldest generation has doubled. A full
        collection at 100,000 assets takes 60-70 ms: in a pause nobody sees it, in a scroll it
        is a stall (two in a three-minute scroll through 100,000 assets, whose net count of
        new objects stays low: scrolling makes and drops them, hence `note_activity`); the
        garbage it frees waits at most until the next pause, or until it is as large as what
        lives."""
        if quiet:
            return self._grown(4)
        now = time.monotonic()
        if now < self._next_busy_look:
            return False
        self._next_busy_look = now + BUSY_LOOK_S
        return self._grown(1)

    def _grown(self, part: int) -> bool:
        """Whether the objects that reached the oldest generation since the last full collection
        are more than 1/`part` of those that survived it (a quarter is CPython's rule: a full
        collection scans everything, so it waits until there is much new to find; collecting
        every tenth time instead stalled the scroll through 100,000 assets for 75-165 ms each
        time)."""
        return len(gc.get_objects(2)) - self._long_lived > self._long_lived // part

    def stop(self) -> None:
        """Stop the timers, collect once more here, and hand collection back to Python."""
        if MainThreadGarbageCollector.current is self:
            MainThreadGarbageCollector.current = None
        self._timer.stop()
        if self._settle is not None:
            self._settle.stop()
        gc.unfreeze()
        gc.collect()
        if self._was_enabled:
            gc.enable()


def note_activity() -> None:
    """Tell the running collector (if any) that the user is scrolling: see `note_activity`."""
    collector = MainThreadGarbageCollector.current
    if collector is not None:
        collector.note_activity()


def settle_now() -> None:
    """Settle the running collector now if it has not settled yet (nothing without one)."""
    collector = MainThreadGarbageCollector.current
    if collector is not None and not collector._settled:
        collector.settle()
