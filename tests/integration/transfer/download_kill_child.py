"""Child process of the SIGKILL test: downloads one signed URL into a folder with `keep_partial`,
as the app does, until it is killed.

argv: url folder resume_key segments
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from assetdesk.core.units import MIB
from assetdesk.net.clients import make_download_client
from assetdesk.transfer.download import download
from assetdesk.transfer.options import DownloadOptions
from assetdesk.transfer.sources import SignedUrlSource


async def main(url: str, folder: str, key: str, segments: int) -> None:
    async def resolve() -> str:
        return url

    options = DownloadOptions(keep_partial=True, segments=segments, segment_threshold=MIB)
    async with make_download_client() as http:
        source = SignedUrlSource(
            http, resolve, label="clip.mp4", suggested_name="clip.mp4", resume_key=key
        )
        await download(source, Path(folder), options=options)
    print("FINISHED", flush=True)  # too early: the test wanted to kill it mid-way


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
