"""Files handed to the app from outside (its command line, a later start, the OS's open-file
event), kept until the window can queue them, then given to it.

The window can take files once its upload queue is active (its targets listed); anything handed
in before that, a macOS open-file event at launch for one, waits here in arrival order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFileOpenEvent

log = logging.getLogger("assetdesk.ui.handed_files")


class HandedFiles:
    """The inbox: `put` paths at any time; `deliver_to` names the window's two callbacks and
    gives it everything that waited."""

    def __init__(self) -> None:
        self._waiting: list[Path] = []
        self._open_files: Callable[[list[Path]], None] | None = None
        self._to_front: Callable[[], None] | None = None
        #: False once the window closed: nothing handed in from then on would be queued.
        self.taking = True

    def close(self) -> None:
        """The window closed: later files are refused (a later start is told, not misled)."""
        self.taking = False

    @property
    def waiting(self) -> list[Path]:
        return list(self._waiting)

    def put(self, paths: list[Path]) -> None:
        """Queue `paths` in the window (or keep them for it); none at all only asks for the
        window in front."""
        if self._open_files is None or self._to_front is None:
            self._waiting.extend(paths)
        elif paths:
            self._open_files(list(paths))
        else:
            self._to_front()

    def deliver_to(
        self, open_files: Callable[[list[Path]], None], to_front: Callable[[], None]
    ) -> None:
        self._open_files, self._to_front = open_files, to_front
        waiting, self._waiting = self._waiting, []
        if waiting:
            log.info("queueing %d file(s) handed to the app", len(waiting))
            open_files(waiting)


class FileOpenEvents(QObject):
    """An event filter for the QApplication: the OS's open-file events (macOS's Finder "Open
    With", a drop on the Dock icon) go into `inbox`."""

    def __init__(self, inbox: HandedFiles, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._inbox = inbox

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.FileOpen or not isinstance(event, QFileOpenEvent):
            return False
        name = event.file() or event.url().toLocalFile()
        if not name:
            # The scheme only: a URL's query could hold a signed link's secret.
            log.info(
                "ignoring an open-file event for a %s URL: not a local file", event.url().scheme()
            )
            return True
        self._inbox.put([Path(name)])
        return True
