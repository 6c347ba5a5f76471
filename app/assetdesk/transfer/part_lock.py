"""Whether a `.part` is being written: the download writing it holds an exclusive `flock` on its
descriptor for as long as it has it open, and the system lets go of it when the process ends,
even by SIGKILL. A `.part` with no resume record that nobody holds is an orphan (a download
killed before its first record): its name may be taken back instead of saving as `NAME (1)`.

POSIX only; elsewhere (Windows) every `.part` counts as in use, as before.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["hold", "is_orphan"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def hold(descriptor: int) -> None:
    """Mark the part open on `descriptor` as being written (for as long as it stays open). A
    file system without locks leaves it unmarked: its part then never looks orphaned, since
    `is_orphan` cannot take a lock there either."""
    if fcntl is None:
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return


def is_orphan(part: Path) -> bool:
    """Whether `part` is a plain file no download holds and has no resume record beside it
    (a link, a folder, one being written, one that can be resumed: not an orphan)."""
    if fcntl is None:
        return False
    if os.path.lexists(part.with_name(part.name + ".json")):
        return False  # a kept part: the resume record says what it holds
    try:
        if not stat.S_ISREG(os.lstat(part).st_mode):
            return False
        descriptor = os.open(part, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held by a download writing it (or no locks here: cannot tell)
        return False
    else:
        return True
    finally:
        os.close(descriptor)  # and with it the lock just taken
