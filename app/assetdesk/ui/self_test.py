"""`assetdesk --self-test`: proves an installed build works, end to end, without the network.

The window opens (offscreen unless a display is asked for), the bundled sandbox starts, one demo
image is uploaded through the real clients, resolved and downloaded through the transfer engine,
and the bytes are compared. Each step prints one line; the exit status is 0 when all passed, 1
with the step that failed otherwise. Nothing touches the user's keyring or data folder.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assetdesk.services.app import AppServices
    from assetdesk.ui.main_window import MainWindow
    from assetdesk.ui.sandbox_child import SandboxChild

log = logging.getLogger("assetdesk.self_test")

IMAGE = "sunrise-640x360.png"


def say(line: str) -> None:
    """One line on stdout (the self-test's output is for the person or script that ran it)."""
    sys.stdout.write(f"self-test: {line}\n")
    sys.stdout.flush()


async def run_self_test(
    window: MainWindow,
    services: AppServices,
    child: SandboxChild,
    report: Callable[[str], None] = say,
) -> bool:
    """True when every step passed; each step reports one line."""
    from assetdesk.net.clients import make_download_client
    from assetdesk.sandbox.server import default_seed_dir
    from assetdesk.services.downloads import download_asset
    from assetdesk.transfer.options import DownloadOptions

    step = "the window"
    try:
        if not window.isVisible():
            raise RuntimeError("the window did not open")
        report(f"window open ({window.windowTitle()}, {sys.platform})")

        step = "the sandbox"
        process = await child.start()
        account = await services.accounts.add_session_account(
            name="Self-test",
            kind="useapi",
            base_url=process.api_url,
            secret=process.demo["useapi_token"],
        )
        await window.accounts_pane.reload()
        report(f"sandbox running at {process.api_url}")

        step = "the upload"
        source = default_seed_dir() / IMAGE
        candidate = await services.inspect_upload(source)
        clients = await services.accounts.useapi(account.id)
        uploaded = await clients.google_flow.upload(
            candidate.path, candidate.media_type, candidate.size
        )
        report(f"uploaded {IMAGE} as {uploaded.media_generation_id[:40]}…")

        step = "the download"
        with tempfile.TemporaryDirectory(prefix="assetdesk-self-test-") as folder:
            async with make_download_client() as http:
                result = await download_asset(
                    clients.connection,
                    http,
                    uploaded.media_generation_id,
                    Path(folder),
                    options=DownloadOptions(sha256=True),
                )
            step = "the bytes"
            if result.path.read_bytes() != source.read_bytes():
                raise RuntimeError(f"{result.path.name} differs from {IMAGE}")
            report(f"downloaded {result.bytes:,} bytes, verified ({', '.join(result.verified)})")
    except Exception as error:  # any failure is the answer, reported in one line
        log.exception("self-test failed at %s", step)
        report(f"FAILED at {step}: {error}")
        return False
    report("passed")
    return True
