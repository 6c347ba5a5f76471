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

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger("assetdesk.ui.gc")


class MainThreadGarbageCollector(QObject):
    def __init__(self, interval_ms: int = 500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect the generations whose thresholds have been crossed."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                found = gc.collect(generation)
                if found:
                    log.debug("collected %d object(s) from generation %d", found, generation)
                return

    def stop(self) -> None:
        """Stop the timer, collect once more here, and hand collection back to Python."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
