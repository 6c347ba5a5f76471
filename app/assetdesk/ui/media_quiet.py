"""Silence FFmpeg's own console output (QtMultimedia decodes video with it).

FFmpeg writes to stderr by itself, past Python's logging and its redaction: opening a stream, it
prints "Input #0, mov,mp4… from 'https://…?Signature=…'", which puts a signed download link on the
console and in any captured terminal log. QtMultimedia reports failures through its own errors,
so FFmpeg's log is turned off (AV_LOG_QUIET) in the libavutil that Qt loads: the wheel's bundled
copy, found beside Qt's libraries; the dynamic linker hands Qt the same instance.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import sys
from pathlib import Path

log = logging.getLogger("assetdesk.ui.media")

AV_LOG_QUIET = -8
_PATTERNS = {
    "linux": ("Qt/lib/libavutil.so.[0-9]*",),
    "darwin": ("Qt/lib/libavutil.[0-9]*.dylib", "Qt/lib/libavutil.dylib"),
    "win32": ("avutil-[0-9]*.dll", "Qt/bin/avutil-[0-9]*.dll"),
}


def _avutil() -> Path | None:
    import PySide6

    base = Path(PySide6.__file__).parent
    patterns = _PATTERNS.get(sys.platform, _PATTERNS["linux"])
    for pattern in patterns:
        # The shortest name is the soname itself (libavutil.so.59), not a versioned alias.
        found = sorted(base.glob(pattern), key=lambda p: len(p.name))
        if found:
            return found[0]
    return None


@functools.cache
def quiet_ffmpeg() -> bool:
    """Turn FFmpeg's console output off; False when its library is not where it was expected.

    Call it before any player exists; later calls do nothing. Qt's FFmpeg backend is started
    here (~20 ms, once): it loads libavutil with what that needs (OpenSSL symbols from Qt's
    stubs), which a bare dlopen of libavutil cannot resolve.
    """
    from PySide6.QtMultimedia import QMediaFormat

    QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode)
    path = _avutil()
    if path is None:
        log.info("FFmpeg's libavutil was not found beside Qt; its console output stays on")
        return False
    try:
        library = ctypes.CDLL(str(path))
        library.av_log_set_level(ctypes.c_int(AV_LOG_QUIET))
    except (OSError, AttributeError) as error:
        log.info("could not quiet FFmpeg (%s): its console output stays on", error)
        return False
    return True
