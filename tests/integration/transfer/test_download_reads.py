"""How the engine reads the sandbox's answers over real HTTP: every connection that carries a
download's bytes reads its socket up to 1 MiB at a time (transfer/socket_reads.py), in one
stream and in four, and the file is exact."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from tests.helpers.downloads import DL_FAST, DlAsset, dl_gets, dl_listing, dl_source

from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.transfer import streams
from assetdesk.transfer.download import download
from assetdesk.transfer.options import DownloadOptions
from assetdesk.transfer.socket_reads import READ_MAX, socket_transport

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("segments", [1, 4])
async def test_every_stream_reads_up_to_a_mib_at_a_time(
    sb: SandboxProcess,
    dl_big: DlAsset,
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    segments: int,
) -> None:
    widened: list[int | None] = []
    widen = streams.widen_reads

    def watched(response: httpx.Response) -> bool:
        done = widen(response)
        transport = socket_transport(response)
        widened.append(int(transport.max_size) if done and transport is not None else None)
        return done

    monkeypatch.setattr(streams, "widen_reads", watched)
    options = DownloadOptions(
        segments=segments, sha256=True, backoff=DL_FAST.backoff, max_backoff=DL_FAST.max_backoff
    )
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=options)
    assert (tmp_path / "clip.mp4").read_bytes() == dl_big.data
    assert result.sha256 == dl_big.sha256 and result.segments == segments
    assert dl_listing(tmp_path) == ["clip.mp4"]
    assert widened == [READ_MAX] * len(dl_gets(sb, dl_big))
