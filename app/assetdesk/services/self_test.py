"""The steps of `assetdesk --self-test` that need no window: sandbox, upload, download, compare.

`ui/self_test.py` checks the window first and then runs these. The bundled sandbox starts, one
demo image is uploaded through the real clients, resolved and downloaded through the transfer
engine, and the bytes are compared. Each step reports one line; nothing touches the user's
keyring or data folder.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assetdesk.core.provider import AccountKind

if TYPE_CHECKING:
    from assetdesk.services.app import AppServices
    from assetdesk.services.sandbox_child import SandboxChild

log = logging.getLogger("assetdesk.self_test")

IMAGE = "sunrise-640x360.png"

Report = Callable[[str], None]


def say(line: str) -> None:
    """One line on stdout (the self-test's output is for the person or script that ran it)."""
    sys.stdout.write(f"self-test: {line}\n")
    sys.stdout.flush()


def report_failure(step: str, error: Exception, report: Report) -> bool:
    """Log the failure with its traceback and report it in one line; always False."""
    log.error("self-test failed at %s", step, exc_info=error)
    report(f"FAILED at {step}: {error}")
    return False


async def run_service_steps(
    services: AppServices,
    child: SandboxChild,
    report: Report = say,
    *,
    account_added: Callable[[], Awaitable[None]] | None = None,
) -> bool:
    """True when every step passed; each step reports one line. `account_added` runs once the
    sandbox account exists (the window shows it)."""
    from assetdesk.net.clients import make_download_client
    from assetdesk.sandbox.server import default_seed_dir
    from assetdesk.services.downloads import download_asset
    from assetdesk.transfer.options import DownloadOptions

    step = "the sandbox"
    try:
        process = await child.start()
        account = await services.accounts.add_session_account(
            name="Self-test",
            kind=AccountKind.USEAPI,
            base_url=process.api_url,
            secret=process.demo["useapi_token"],
        )
        if account_added is not None:
            await account_added()
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
        return report_failure(step, error, report)
    report("passed")
    return True
