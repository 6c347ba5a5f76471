"""Child process of the quit-after-cancel test: the whole app (ui/app.py's run_gui, its qasync
loop and its shutdown) on the test's sandbox. Once the window is ready it queues an upload and
starts a Library download, cancels both mid-transfer ("CANCELLED"), downloads the asset again
to the end ("DOWNLOADED"; in segments, each stream stopping at its piece's end), and closes the
window. The test reads its stderr.

The one stand-in: `SandboxChild` hands the app the test's running sandbox (capped in bandwidth
by the test, so that the transfers are still on their way when cancelled) instead of starting
its own; everything else is the app as a user runs it.

argv: data_dir sandbox_json upload_file asset_name download_folder
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from assetdesk.services.upload_items import ItemState
from assetdesk.ui import app as ui_app
from assetdesk.ui.main_window import MainWindow

DATA_DIR, SANDBOX, UPLOAD = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
ASSET_NAME, FOLDER = sys.argv[4], Path(sys.argv[5])
_running: set[asyncio.Task[None]] = set()


class TestSandbox:
    """The test's sandbox, as SandboxChild reports the one it starts."""

    def __init__(self) -> None:
        self.process: Any = None

    async def start(self) -> Any:
        self.process = SimpleNamespace(**SANDBOX)
        return self.process

    async def stop(self) -> None:
        self.process = None


async def until(condition: Callable[[], object], what: str, timeout: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def cancel_download_again_quit(window: MainWindow) -> None:
    window.open_files([UPLOAD])
    queue = window.uploads_pane._queue
    await until(lambda: any(i.progress.done > 0 for i in queue.items), "the upload's first bytes")

    library = window.library_pane
    await until(
        lambda: any(
            a.name == ASSET_NAME
            for a in library.model.assets_of_rows(range(library.model.rowCount()))
        ),
        "the asset",
    )
    asset = next(
        a
        for a in library.model.assets_of_rows(range(library.model.rowCount()))
        if a.name == ASSET_NAME
    )
    download = library.download_jobs.save_to_folder(asset, FOLDER)
    await until(
        lambda: any(d.progress and d.progress.done > 0 for d in library.downloads.downloads()),
        "the download's first bytes",
    )
    await queue.cancel([i.id for i in queue.items])
    download.cancel()
    await until(
        lambda: download.done() and all(i.state is ItemState.CANCELLED for i in queue.items),
        "both cancelled",
    )
    print("CANCELLED", flush=True)

    again = library.download_jobs.save_to_folder(asset, FOLDER)
    await until(again.done, "the second download")
    again.result()
    if [d.state for d in library.downloads.downloads()] == ["cancelled", "done"]:
        print("DOWNLOADED", flush=True)
    window.close()


def start_scenario(window: MainWindow) -> None:
    task = asyncio.ensure_future(cancel_download_again_quit(window))
    _running.add(task)
    task.add_done_callback(_running.discard)


ui_app.SandboxChild = TestSandbox  # type: ignore[misc,assignment]
ui_app._arm_quit_hook = start_scenario
sys.exit(ui_app.run_gui(data_dir=DATA_DIR, sandbox=True, argv=["assetdesk"]))
