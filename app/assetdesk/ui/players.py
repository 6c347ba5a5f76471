"""QMediaPlayer calls that wait for the player's threads, made without holding the GIL.

Stopping, seeking and deleting a player wait for its demuxing, decoding and rendering threads,
and those threads call into Python now and then: a Qt warning goes to a Python message handler
(ours, pytest-qt's), and the first queued signal of a sink made in Python asks Python for its
meta-object. PySide keeps the GIL during `QMediaPlayer.stop()` and `setPosition()` (it lets go
of it only in `setSource()`), so a player thread calling into Python at that moment and the GUI
thread waiting for it would wait for each other for good (the thumbnails froze so when a Python
slot ran on the render thread: ui/thumbnails.py `_PlayerEvents`). Here a
player is stopped by `setSource(QUrl())`, seeks and resumes through queued calls that Qt makes
from its event loop, where PySide has let go of the GIL, and is deleted by `deleteLater()`.
"""

from __future__ import annotations

from PySide6.QtCore import Q_ARG, QMetaObject, Qt, QUrl
from PySide6.QtMultimedia import QMediaPlayer

_QUEUED = Qt.ConnectionType.QueuedConnection


def release(player: QMediaPlayer) -> None:
    """Stop `player` and delete it from the event loop (its threads end with it)."""
    player.setSource(QUrl())
    player.deleteLater()


def seek(player: QMediaPlayer, position: int) -> None:
    """Move to `position` ms, from the event loop."""
    QMetaObject.invokeMethod(player, "setPosition", _QUEUED, Q_ARG("qint64", position))


def play(player: QMediaPlayer) -> None:
    """Play, from the event loop: after a `seek` asked for before it."""
    QMetaObject.invokeMethod(player, "play", _QUEUED)
