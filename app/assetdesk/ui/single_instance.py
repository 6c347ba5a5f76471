"""One window per data folder: the first start holds the folder and listens; a later start hands
its files to it and exits.

1. `WindowClaim.take(root)` tries the data folder's lock file (QLockFile: a crashed holder's
   lock is taken over, a live holder's is not, however old).
2. Holding it, the start listens on a local server (QLocalServer) named for the user and the
   folder, after removing any socket a crashed run left behind; the window's files arrive
   there as `HandoffServer.received`.
3. Not holding it, `hand_over(root, paths)` connects to that server (waiting a few seconds for
   a first start that has not listened yet) and sends one message: a 4-byte big-endian length,
   then JSON `{"paths": [absolute path, ...]}`. The server answers one byte once it has taken
   the paths; the second start then exits 0.
4. When the holder does not answer (hung, stopped, or not a window), the second start logs which
   process holds the folder (pid and host, from the lock file) and exits 1: it never opens the
   folder's queue, so nothing the holder is sending is sent twice.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger("assetdesk.ui.single_instance")

LOCK_FILE = "window.lock"
#: The server's answer once it has taken a message.
TAKEN = b"\x06"
#: A message longer than this is not ours (a path list of that size would be absurd).
MAX_MESSAGE = 16 * 1024 * 1024
_LENGTH = struct.Struct(">I")


def server_name(root: Path) -> str:
    """The local server's name for this user and data folder: on Unix a socket inside the data
    folder (another user cannot take a name there, as one could in the shared temp folder)
    when its path fits a socket address, else a name in the temp folder; a named pipe on
    Windows."""
    if os.name == "posix":
        inside = root / SOCKET_NAME
        if len(os.fsencode(inside)) <= MAX_SOCKET_PATH:
            return str(inside)
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid
        user = "user"
    digest = hashlib.sha256(f"{user}\0{root}".encode()).hexdigest()[:20]
    return f"assetdesk-{digest}"


#: The socket's name inside the data folder, and the longest path a socket address holds
#: (sun_path is 104 bytes on macOS, 108 on Linux, the terminating zero included).
SOCKET_NAME = ".assetdesk-window.sock"
MAX_SOCKET_PATH = 100


def encode_message(paths: list[Path]) -> bytes:
    body = json.dumps({"paths": [str(path) for path in paths]}).encode()
    return _LENGTH.pack(len(body)) + body


def decode_message(data: bytes) -> list[Path] | None:
    """The paths of one whole message at the start of `data`; None while it is incomplete.
    Raises ValueError on a message that is not ours."""
    if len(data) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack_from(data)
    if length > MAX_MESSAGE:
        raise ValueError(f"a handoff message of {length} bytes")
    if len(data) < _LENGTH.size + length:
        return None
    payload = json.loads(data[_LENGTH.size : _LENGTH.size + length])
    paths = payload.get("paths") if isinstance(payload, dict) else None
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ValueError("a handoff message without a list of paths")
    return [Path(p) for p in paths]


class WindowClaim:
    """This process's hold on a data folder (the lock file), released by `release()`."""

    def __init__(self, lock: QLockFile) -> None:
        self._lock = lock

    @classmethod
    def take(cls, root: Path) -> WindowClaim | None:
        """The folder's claim, or None when a running AssetDesk holds it."""
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = QLockFile(str(root / LOCK_FILE))
        lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        if not lock.tryLock(0):
            return None
        return cls(lock)

    def release(self) -> None:
        self._lock.unlock()


def holder(root: Path) -> str:
    """Who holds the folder's lock, for a sentence: "process 1234 on host"."""
    pid, host, _app = QLockFile(str(root / LOCK_FILE)).getLockInfo()
    if pid <= 0:
        return "a process that has let go of it since"
    return f"process {pid} on {host or 'this machine'}"


class HandoffServer(QObject):
    """Listens for later starts on the folder's name; each message becomes `received`."""

    #: list[Path]: files a later start was given (possibly none: it only wants the window).
    received = Signal(list)

    def __init__(
        self,
        root: Path,
        parent: QObject | None = None,
        *,
        taking: Callable[[], bool] = lambda: True,
    ) -> None:
        """`taking()` says whether files handed over now would be queued: when not (the window
        is closing), a later start gets no answer, and says so, rather than a false TAKEN."""
        super().__init__(parent)
        self._taking = taking
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._name = server_name(root)
        self._buffers: dict[QLocalSocket, bytearray] = {}

    def listen(self) -> bool:
        # We hold the folder's lock, so a socket under this name is a crashed run's leftover.
        QLocalServer.removeServer(self._name)
        if self._server.listen(self._name):
            log.info("listening for later starts on %s", self._server.fullServerName())
            return True
        log.warning("later starts cannot hand files over: %s", self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()
        for socket in list(self._buffers):
            socket.abort()
        self._buffers.clear()

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer += bytes(socket.readAll().data())
        try:
            paths = decode_message(bytes(buffer))
        except ValueError as error:
            log.warning("ignoring a later start's message: %s", error)
            self._forget(socket)
            socket.abort()
            return
        if paths is None:
            return
        self._forget(socket)
        if not self._taking():
            log.warning("a later start handed over %d path(s) while closing: refused", len(paths))
            socket.abort()
            return
        socket.write(TAKEN)
        socket.flush()
        socket.disconnectFromServer()
        log.info("a later start handed over %d path(s)", len(paths))
        self.received.emit(paths)

    def _forget(self, socket: QLocalSocket) -> None:
        if self._buffers.pop(socket, None) is not None:
            socket.deleteLater()


def hand_over(root: Path, paths: list[Path], *, wait: float = 10.0) -> bool:
    """Send `paths` to the window running for `root`; True once it said it took them.

    Blocking (this start has no event loop): retried for `wait` seconds while the first start
    is not listening yet."""
    name = server_name(root)
    message = encode_message(paths)
    deadline = time.monotonic() + wait
    while True:
        socket = QLocalSocket()
        socket.connectToServer(name)
        if socket.waitForConnected(1000):
            if _send(socket, message):
                return True
            break
        if time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    log.error(
        "AssetDesk already runs for %s (%s) but does not answer on %s; close that window, or "
        "end that process, and start again",
        root,
        holder(root),
        name,
    )
    return False


def _send(socket: QLocalSocket, message: bytes) -> bool:
    socket.write(message)
    if not socket.waitForBytesWritten(5000):
        return False
    answer = b""
    while len(answer) < len(TAKEN) and socket.waitForReadyRead(5000):
        answer += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return answer.startswith(TAKEN)
