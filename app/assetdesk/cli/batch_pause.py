"""Ctrl+Z during `assetdesk download` (POSIX): one line saying how far the batch got, the
process stopped as any terminal program stops, and "Resumed" when `fg` or `bg` continues it.

How a pause goes:

1. SIGTSTP (Ctrl+Z, or `kill -TSTP PID`) reaches the loop through `loop.add_signal_handler`,
   so the handler runs between two steps of the transfers, never inside one.
2. The handler writes the pause line on stderr, puts SIGTSTP's default action back and sends the
   signal to the process again: the kernel stops the whole process there, transfers and worker
   threads with it, and the `.part` files stay as they are.
3. SIGCONT (`fg`, `bg`, `kill -CONT`) lets that same call return: the handler is put back,
   "Resumed" is said, and the transfers go on. A connection the server dropped meanwhile ends
   early like any broken connection, and its file goes on from its bytes with a `Range`
   (transfer/streams.py); a read that outlived the client's read timeout is the same.

A process started with SIGTSTP ignored (a non-interactive shell's choice) keeps it ignored.
Windows has no SIGTSTP: there Ctrl+C stops the batch, keeping the parts, and the same command run
again goes on from them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["BatchCount", "pause_on_ctrl_z"]


@dataclass
class BatchCount:
    """How many of a batch's files are saved and how many failed, as they finish."""

    total: int
    saved: int = 0
    failed: int = 0

    def paused_sentence(self) -> str:
        failed = f", {self.failed} failed" if self.failed else ""
        return (
            f"Paused: {self.saved} of {self.total} saved{failed}; "
            "fg resumes, then Ctrl+C stops and keeps the parts."
        )


@contextlib.contextmanager
def pause_on_ctrl_z(
    loop: asyncio.AbstractEventLoop, sentence: Callable[[], str], say: Callable[[str], None]
) -> Iterator[bool]:
    """While inside, SIGTSTP says `sentence()`, stops the process and says "Resumed." once it
    is continued (see the module's docstring). Yields whether the pause is installed: False
    where there is no SIGTSTP (Windows), where the loop cannot take signal handlers (not the
    main thread's), or where SIGTSTP was ignored when the process started."""
    tstp = getattr(signal, "SIGTSTP", None)
    if tstp is None or signal.getsignal(tstp) == signal.SIG_IGN:
        yield False
        return

    def pause() -> None:
        say(sentence())
        loop.remove_signal_handler(tstp)  # the default action again: stop
        try:
            os.kill(os.getpid(), tstp)  # returns once SIGCONT continues the process
        finally:
            loop.add_signal_handler(tstp, pause)
        say("Resumed.")

    try:
        loop.add_signal_handler(tstp, pause)
    except (NotImplementedError, RuntimeError, ValueError):
        yield False
        return
    try:
        yield True
    finally:
        loop.remove_signal_handler(tstp)
