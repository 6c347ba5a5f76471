"""The engine's side of benchmarks/transfer.py: one upload or download in a process of its own.

    python benchmarks/transfer_child.py upload --api-url URL --path FILE
    python benchmarks/transfer_child.py download --api-url URL --media-id ID --path OUT
        [--segments N] [--adaptive] [--sha256] [--no-fsync] [--profile FILE]

The token comes in the environment (TOKEN_ENV), never on the command line. The child times the
transfer itself (leaving out the interpreter's start-up and imports), resets its peak RSS just
before it so that the growth is the transfer's own, and measures its CPU time (user and system,
every thread) over the same span. It prints one JSON line. `--profile` runs the download under
cProfile and dumps the statistics to FILE (the benchmark's `--profile` reads them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
if str(APP) not in sys.path:  # run as a plain script, without the editable install
    sys.path.insert(0, str(APP))

from shared import status_bytes  # noqa: E402  (a sibling)

TOKEN_ENV = "ASSETDESK_BENCH_TOKEN"  # the child gets the token here, not on its command line


def _rss_baseline() -> int:
    """Current RSS, after resetting the peak so that VmHWM afterwards is the transfer's own."""
    # On an old kernel this fails and the peak includes start-up, which only overstates growth.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return status_bytes("VmRSS")


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> tuple[float, float]:
    """(user, system) CPU seconds so far of this process (every thread) or of its waited-for
    children (`resource.RUSAGE_CHILDREN`)."""
    usage = resource.getrusage(who)
    return usage.ru_utime, usage.ru_stime


class Span:
    """Wall time, CPU time and peak RSS growth of one transfer, from `start()` to `stop()`."""

    def start(self) -> None:
        self.rss_before = _rss_baseline()
        self.cpu_before = cpu_seconds()
        self.began = time.perf_counter()

    def stop(self) -> dict[str, Any]:
        seconds = time.perf_counter() - self.began
        user, system = cpu_seconds()
        return {
            "seconds": seconds,
            "cpu_user": user - self.cpu_before[0],
            "cpu_sys": system - self.cpu_before[1],
            "rss_growth": status_bytes("VmHWM") - self.rss_before,
        }


async def _upload(args: argparse.Namespace, token: str) -> dict[str, Any]:
    from assetdesk.core.media import MP4
    from assetdesk.providers.google_flow import GoogleFlowClient
    from assetdesk.providers.useapi import UseapiConnection

    path = Path(args.path)
    size = await asyncio.to_thread(lambda: path.stat().st_size)
    async with UseapiConnection(token, args.api_url) as conn:
        flow = GoogleFlowClient(conn)
        span = Span()
        span.start()
        asset = await flow.upload(path, MP4, size)
        figures = span.stop()
    return figures | {"id": asset.media_generation_id}


async def _download(args: argparse.Namespace, token: str) -> dict[str, Any]:
    from assetdesk.net.clients import make_download_client
    from assetdesk.providers.google_flow import GoogleFlowClient
    from assetdesk.providers.useapi import UseapiConnection
    from assetdesk.transfer.download import download
    from assetdesk.transfer.names import Conflict
    from assetdesk.transfer.options import DownloadOptions
    from assetdesk.transfer.part_file import PartFile
    from assetdesk.transfer.sources import SignedUrlSource

    # The fsync of the verified file before its rename, timed where the engine does it.
    settle, fsync_seconds = PartFile.settle, [0.0]

    def timed_settle(self: PartFile) -> None:
        begin = time.perf_counter()
        settle(self)
        fsync_seconds[0] += time.perf_counter() - begin

    PartFile.settle = timed_settle  # type: ignore[method-assign]
    if args.no_fsync:  # the reference for the fsync's cost: no flush behind, no fsync at the end
        PartFile._flush_behind = lambda self: None  # type: ignore[method-assign]
        settle = PartFile._check_identity
    out = Path(args.path)
    options = DownloadOptions(  # the app's defaults unless told
        on_conflict=Conflict.OVERWRITE, sha256=args.sha256, adaptive_segments=args.adaptive
    )
    if args.segments is not None:
        options = dataclasses.replace(options, segments=args.segments)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    async with UseapiConnection(token, args.api_url) as conn, make_download_client() as http:
        flow = GoogleFlowClient(conn)

        async def resolve() -> str:
            return (await flow.resolve_url(args.media_id)).url

        source = SignedUrlSource(http, resolve=resolve, label="bench")
        span = Span()
        span.start()
        if profiler is not None:
            profiler.enable()
        result = await download(source, out.parent, filename=out.name, options=options)
        if profiler is not None:
            profiler.disable()
        figures = span.stop()
    if profiler is not None:
        profiler.dump_stats(args.profile)
    return figures | {
        "fsync_seconds": fsync_seconds[0],
        "path": str(result.path),
        "bytes": result.bytes,
        "sha256": result.sha256,
        "segments": result.segments,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One engine transfer for benchmarks/transfer.py.")
    parser.add_argument("what", choices=["upload", "download"])
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--media-id")
    parser.add_argument("--segments", type=int)
    parser.add_argument("--sha256", action="store_true")
    parser.add_argument("--no-fsync", action="store_true")
    parser.add_argument("--adaptive", action="store_true", help="adaptive_segments=True")
    parser.add_argument("--profile", help="dump a cProfile of the download to this file")
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_ENV, "")
    run = _upload if args.what == "upload" else _download
    print(json.dumps(asyncio.run(run(args, token))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
