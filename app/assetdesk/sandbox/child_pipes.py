"""The launcher's hold on the sandbox child's pipes: a reader thread per pipe, and the clean-up of
an exited or failed child (every pipe closed, nothing left for the garbage collector to warn of).
"""

from __future__ import annotations

import collections
import contextlib
import subprocess
import threading
from collections.abc import Callable
from typing import IO


class PipeReader:
    """Reads one of the child's pipes on a daemon thread (so the child never blocks on a full
    pipe) and keeps its newest `keep` lines, numbered from 0 in arrival order. The thread closes
    the pipe when it reaches end of file."""

    def __init__(self, stream: IO[bytes], name: str, *, keep: int) -> None:
        self._stream = stream
        self._lines: collections.deque[str] = collections.deque(maxlen=keep)
        self._changed = threading.Condition()
        self.count = 0
        self.ended = False
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for raw in iter(self._stream.readline, b""):
                with self._changed:
                    self._lines.append(raw.decode(errors="replace"))
                    self.count += 1
                    self._changed.notify_all()
        except (OSError, ValueError):  # closed under us: nothing more to read
            pass
        finally:
            self._stream.close()
            with self._changed:
                self.ended = True
                self._changed.notify_all()

    def wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until `condition()` (checked whenever a line arrives) or the timeout."""
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    def since(self, mark: int, end: int | None = None) -> list[str]:
        """The kept lines numbered from `mark` up to (not including) `end`."""
        with self._changed:
            first = self.count - len(self._lines)
            stop = None if end is None else max(0, end - first)
            return list(self._lines)[max(0, mark - first) : stop]

    def close(self, timeout: float) -> None:
        """Wait for end of file (the child has exited), then make sure the pipe is closed. If
        something else still holds the pipe open, the thread closes it when that ends."""
        self.thread.join(timeout)
        if not self.thread.is_alive():
            self._stream.close()


def release(process: subprocess.Popen[bytes], pipes: list[PipeReader]) -> None:
    """Close our end of every pipe to an exited child (its stdin, and stdout/stderr once read)."""
    if process.stdin is not None and not process.stdin.closed:
        with contextlib.suppress(OSError):
            process.stdin.close()
    for pipe in pipes:
        pipe.close(5)


def kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


def failure(what: str, process: subprocess.Popen[bytes], tail: PipeReader) -> str:
    code = process.poll()
    stderr = "".join(tail.since(0))[-4000:]
    return f"assetdesk sandbox {what} (exit status {code}). stderr:\n{stderr}"
