"""Child of test_thumbnails' deadlock test: the thumbnail and preview decoders in four worker
threads at once for a few seconds, as the Library does while it lists and previews.

argv: seconds. Prints "decoded N, stuck 0" and exits 0; a deadlock never returns (the parent's
timeout ends it): the stuck threads hold the GIL, so no watchdog in here could report it.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication

from assetdesk.ui.library.image_view import decode_image
from assetdesk.ui.thumbnails import _decode_image

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"

if __name__ == "__main__":
    app = QGuiApplication(sys.argv[:1])
    files = sorted(p for p in DEMO.iterdir() if p.suffix in (".png", ".jpg", ".webp"))
    blobs = [p.read_bytes() for p in files]
    stop = time.monotonic() + float(sys.argv[1])
    counter = itertools.count()

    def work(preview: bool) -> None:
        while time.monotonic() < stop:
            k = next(counter)
            if preview:  # read() first: the plugin probe runs inside read()
                decode_image(blobs[k % len(blobs)], "image")
            else:  # size() first, from a path, as the grid's thumbnails
                _decode_image(files[k % len(files)], "image", 64)

    threads = [threading.Thread(target=work, args=(i % 2 == 1,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"decoded {next(counter)}, stuck 0", flush=True)
