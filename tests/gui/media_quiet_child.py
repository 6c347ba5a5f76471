"""Child of test_media_quiet: the first frame of a signed video URL through the thumbnail maker,
which quiets FFmpeg by itself ("quiet"), or with that step taken out ("loud", to show what FFmpeg
prints without it); FFmpeg's console output lands on this process's stderr.

argv: url quiet|loud
"""

from __future__ import annotations

import asyncio
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication

from assetdesk.ui import thumbnails
from assetdesk.ui.event_loop import AppEventLoop
from assetdesk.ui.thumbnails import ThumbnailMaker


async def main(url: str) -> None:
    image = await ThumbnailMaker(size=64).for_video_url(QUrl(url))
    print(f"frame {image.width()}x{image.height()}", flush=True)


if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    if sys.argv[2] == "loud":
        thumbnails.quiet_ffmpeg = lambda: True  # type: ignore[assignment]
    loop = AppEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(main(sys.argv[1]))
    finally:
        loop.close()  # stops qasync's executor threads (else Qt aborts at exit)
