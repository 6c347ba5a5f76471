"""`adaptive_segments` over real HTTP against the sandbox: a download starts with one stream and
adds the others when a second connection makes it faster (transfer/widening.py). On a link that
caps each connection it ends with every segment; however it goes, each byte is asked for once
and the file is exact; a part kept from it is resumed."""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path

import httpx
import pytest
from tests.helpers.downloads import (
    DL_BIG_SIZE,
    DL_FIRST,
    DlAsset,
    dl_gets,
    dl_listing,
    dl_ranges,
    dl_source,
)

from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.transfer.download import download
from assetdesk.transfer.options import DownloadOptions

pytestmark = pytest.mark.anyio

ADAPTIVE = DownloadOptions(sha256=True, adaptive_segments=True, backoff=0.01, max_backoff=0.05)
KEY = "google-flow:widening"


def _asked_once(ranges: list[str], size: int) -> None:
    """The first answer (from byte 0) and the ranged asks after it cover the file without a gap
    or an overlap: the first answer was read up to where the next piece starts."""
    assert ranges[0] == DL_FIRST
    pieces = sorted(tuple(int(x) for x in r.removeprefix("bytes=").split("-")) for r in ranges[1:])
    for (_, last), (first, _) in itertools.pairwise(pieces):
        assert first == last + 1
    assert not pieces or pieces[-1][1] == size - 1


async def test_a_link_capped_per_connection_gets_every_segment(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.bandwidth("storage", 6_000_000)  # per connection: a second one doubles the speed
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=ADAPTIVE)
    assert (tmp_path / "clip.mp4").read_bytes() == dl_big.data
    assert result.sha256 == dl_big.sha256 and result.verified == ("size", "crc32c")
    assert result.segments == 4 and dl_listing(tmp_path) == ["clip.mp4"]
    gets = dl_gets(sb, dl_big)
    ranges = [r["headers"]["range"] for r in gets]
    _asked_once(ranges, DL_BIG_SIZE)
    assert len(ranges) >= 8  # the rest was cut into pieces for four streams
    # The second stream came only after the first had run alone for a while.
    assert gets[1]["time"] - gets[0]["time"] >= 0.2


async def test_an_uncapped_link_is_read_exactly_once_whatever_it_chose(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=ADAPTIVE)
    assert (tmp_path / "clip.mp4").read_bytes() == dl_big.data
    assert result.sha256 == dl_big.sha256 and dl_listing(tmp_path) == ["clip.mp4"]
    ranges = dl_ranges(sb, dl_big)
    _asked_once(ranges, DL_BIG_SIZE)
    assert result.segments in (1, 2, 4) and len(ranges) >= result.segments


async def test_a_part_kept_from_a_widened_download_is_resumed(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.bandwidth("storage", 4_000_000)
    options = DownloadOptions(
        sha256=True, adaptive_segments=True, keep_partial=True, backoff=0.01, max_backoff=0.05
    )
    source = dl_source(sb, dl_http, dl_big, resume_key=KEY)
    with pytest.raises(TimeoutError):  # cancelled after it went to four streams
        await asyncio.wait_for(download(source, tmp_path, options=options), 1.5)
    assert dl_listing(tmp_path) == ["clip.mp4.part", "clip.mp4.part.json"]
    record = json.loads((tmp_path / "clip.mp4.part.json").read_text())
    assert len(record["pieces"]) > 2 and record["pieces"][0][0] == 0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(record["pieces"]))

    sb.bandwidth("storage", None)
    result = await download(
        dl_source(sb, dl_http, dl_big, resume_key=KEY), tmp_path, options=options
    )
    assert result.path.read_bytes() == dl_big.data and result.sha256 == dl_big.sha256
    assert result.resumed_bytes > 0 and dl_listing(tmp_path) == ["clip.mp4"]
