"""`assetdesk download` of a batch: several assets at once under --jobs, ids from stdin, and a
429 on a lookup waited out; against the sandbox, the bytes on disk, the sandbox's request log."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.cli_process import run_cli, useapi_env
from tests.helpers.media_files import DEMO, write_padded_clip
from tests.helpers.waiting import wait_until_async

from assetdesk.net.clients import make_download_client
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.services.batch_download import AssetBatch
from assetdesk.services.throttle_gate import BATCH_RETRY
from assetdesk.transfer.options import DownloadOptions

IMAGES = {
    "bars-800x450.jpg": "image/jpeg",
    "pattern-512x512.jpg": "image/jpeg",
    "pexels-gons3.jpg": "image/jpeg",
    "portrait-320x480.webp": "image/webp",
    "sunrise-640x360.png": "image/png",
    "swatch-256x256.png": "image/png",
}

RESOLVE = "/v1/google-flow/assets/*"


def put_images(sb: Any, names: list[str]) -> list[str]:
    return [sb.put_google_flow_asset(DEMO / name, IMAGES[name]) for name in names]


def run_with_stdin(text: str, *args: str, env: dict[str, str]) -> tuple[int, list[Any], str]:
    """run_cli with `text` on the child's stdin."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETDESK_")}
    full_env.update(env)
    done = subprocess.run(
        [sys.executable, "-m", "assetdesk", *args],
        input=text,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        check=False,
    )
    return done.returncode, [json.loads(x) for x in done.stdout.splitlines()], done.stderr


def most_started_within(times: list[float], window: float) -> int:
    """The largest number of `times` inside any span shorter than `window`."""
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < window) for i, start in enumerate(times))


def test_jobs_3_downloads_three_at_a_time_byte_for_byte_in_input_order(
    sb: Any, tmp_path: Path
) -> None:
    names = list(IMAGES)
    ids = put_images(sb, names)
    # Every storage GET is held 0.6 s before its answer: a connection carries at most one GET
    # per 0.6 s, so N GETs starting within 0.5 s were N transfers running at once.
    sb.fault("storage", "/*", method="GET", latency=0.6, count=100)
    sb.clear_requests()

    status, items, stderr = run_cli(
        "download", *ids, "--to", str(tmp_path), "--jobs", "3", env=useapi_env(sb)
    )

    assert status == 0, stderr
    assert [item["id"] for item in items] == ids  # input order, whichever finished first
    for item, name in zip(items, names, strict=True):
        assert Path(item["path"]).read_bytes() == (DEMO / name).read_bytes()
        assert item["segments"] == 1
    gets = [r["time"] for r in sb.requests("storage") if r["method"] == "GET"]
    assert len(gets) == len(ids)
    assert most_started_within(gets, 0.5) == 3  # three at once, never four
    # Six files, three lanes of >= 0.6 s: at least two rounds, at most a little over two.
    assert max(gets) - min(gets) >= 0.55


def test_a_slow_first_asset_finishes_last_and_is_still_printed_first(
    sb: Any, tmp_path: Path
) -> None:
    names = ["pexels-gons3.jpg", "swatch-256x256.png", "sunrise-640x360.png"]
    ids = put_images(sb, names)
    key = next(
        a["object"]["key"] for a in sb.google_flow_assets() if a["mediaGenerationId"] == ids[0]
    )
    sb.fault("storage", f"/{key}", method="GET", latency=1.5, count=1)

    status, items, stderr = run_cli(
        "download", *ids, "--to", str(tmp_path), "--jobs", "3", env=useapi_env(sb)
    )

    assert status == 0, stderr
    assert [item["id"] for item in items] == ids
    saved = [Path(item["path"]) for item in items]
    for path, name in zip(saved, names, strict=True):
        assert path.read_bytes() == (DEMO / name).read_bytes()
    finished = [path.stat().st_mtime for path in saved]
    assert finished[0] > max(finished[1:])  # written last, printed first


def test_jobs_1_downloads_one_at_a_time(sb: Any, tmp_path: Path) -> None:
    names = ["swatch-256x256.png", "sunrise-640x360.png", "bars-800x450.jpg"]
    ids = put_images(sb, names)
    sb.fault("storage", "/*", method="GET", latency=0.4, count=100)
    sb.clear_requests()
    status, items, stderr = run_cli(
        "download", *ids, "--to", str(tmp_path), "--jobs", "1", env=useapi_env(sb)
    )
    assert status == 0, stderr
    for item, name in zip(items, names, strict=True):
        assert Path(item["path"]).read_bytes() == (DEMO / name).read_bytes()
    gets = sorted(r["time"] for r in sb.requests("storage") if r["method"] == "GET")
    assert len(gets) == 3 and most_started_within(gets, 0.35) == 1


def test_two_large_files_at_once_share_the_segments(sb: Any, tmp_path: Path) -> None:
    """--jobs 2 --segments 4: at most four connections, two segments for each large file."""
    sources = [write_padded_clip(tmp_path / f"big-{n}.mp4", 20 * 1024 * 1024) for n in (1, 2)]
    ids = [sb.put_google_flow_asset(source, "video/mp4") for source in sources]
    out = tmp_path / "out"
    out.mkdir()
    status, items, stderr = run_cli(
        "download", *ids, "--to", str(out), "--jobs", "2", "--segments", "4", env=useapi_env(sb)
    )
    assert status == 0, stderr
    assert [item["segments"] for item in items] == [2, 2]
    for item, source in zip(items, sources, strict=True):
        assert Path(item["path"]).read_bytes() == source.read_bytes()


def test_ids_from_stdin_skip_blank_lines_and_comments(sb: Any, tmp_path: Path) -> None:
    first, second, third = put_images(
        sb, ["swatch-256x256.png", "pattern-512x512.jpg", "portrait-320x480.webp"]
    )
    stdin = f"# today's batch\n{second}\n\n   \n  {third}  \n# done\n"

    status, items, stderr = run_with_stdin(
        stdin, "download", first, "-", "--to", str(tmp_path), env=useapi_env(sb)
    )

    assert status == 0, stderr
    assert [item["id"] for item in items] == [first, second, third]
    sources = ("swatch-256x256.png", "pattern-512x512.jpg", "portrait-320x480.webp")
    for item, name in zip(items, sources, strict=True):
        assert Path(item["path"]).read_bytes() == (DEMO / name).read_bytes()


def test_a_bad_id_from_stdin_is_one_error_line_and_exit_1(sb: Any, tmp_path: Path) -> None:
    (good,) = put_images(sb, ["swatch-256x256.png"])
    status, items, _ = run_with_stdin(
        f"not-an-id\n{good}\n", "download", "-", "--to", str(tmp_path), env=useapi_env(sb)
    )
    assert status == 1
    bad, ok = items
    assert bad["id"] == "not-an-id" and bad["kind"] == "invalid_input"
    assert Path(ok["path"]).read_bytes() == (DEMO / "swatch-256x256.png").read_bytes()


def test_429s_on_lookups_are_waited_out(sb: Any, tmp_path: Path) -> None:
    """Four 429s in a row (one call alone would give up after three tries), each with
    Retry-After: 1; every next lookup waits the second out and the batch succeeds."""
    ids = put_images(sb, ["swatch-256x256.png", "pexels-gons3.jpg"])
    sb.fault(
        "api",
        RESOLVE,
        method="GET",
        status=429,
        headers={"Retry-After": "1"},
        body={"error": "Too many requests"},
        count=4,
    )
    sb.clear_requests()

    status, items, stderr = run_cli(
        "download", *ids, "--to", str(tmp_path), "--jobs", "1", env=useapi_env(sb)
    )

    assert status == 0, stderr
    for item, name in zip(items, ["swatch-256x256.png", "pexels-gons3.jpg"], strict=True):
        assert Path(item["path"]).read_bytes() == (DEMO / name).read_bytes()
    lookups = [r["time"] for r in sb.requests("api") if r["path"].startswith(RESOLVE[:-1])]
    assert len(lookups) == 6  # four refused, then one per asset
    gaps = [later - earlier for earlier, later in itertools.pairwise(lookups[:5])]
    assert all(gap >= 0.95 for gap in gaps), gaps


def test_a_link_close_to_its_expiry_is_looked_up_again_before_its_transfer(
    sb: Any, tmp_path: Path
) -> None:
    """Links that last 30 s are within a minute of expiring when their transfers start: each
    is looked up once ahead and once more just before its transfer (with the sandbox's usual
    six hours, the 429 test above sees one lookup per asset)."""
    names = ["swatch-256x256.png", "pattern-512x512.jpg"]
    ids = put_images(sb, names)
    sb.configure(signed_url_ttl=30)
    sb.clear_requests()
    status, items, stderr = run_cli("download", *ids, "--to", str(tmp_path), env=useapi_env(sb))
    assert status == 0, stderr
    for item, name in zip(items, names, strict=True):
        assert Path(item["path"]).read_bytes() == (DEMO / name).read_bytes()
    lookups = [r["path"] for r in sb.requests("api") if r["path"].startswith(RESOLVE[:-1])]
    assert sorted(lookups) == sorted(2 * [f"{RESOLVE[:-1]}{i}" for i in ids])


def test_a_jobs_count_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    for value in ("0", "17", "many"):
        status, items, stderr = run_cli("download", "x", "--to", str(tmp_path), "--jobs", value)
        assert status == 2 and items == []
        assert "--jobs" in stderr and "Traceback" not in stderr


@pytest.mark.anyio
async def test_a_429_pauses_the_accounts_other_lookups(sb: Any, tmp_path: Path) -> None:
    """The pause is the account's: a lookup of another asset started during it waits it out
    before it sends anything."""
    first, second = put_images(sb, ["swatch-256x256.png", "bars-800x450.jpg"])
    sb.fault(
        "api",
        RESOLVE,
        method="GET",
        status=429,
        headers={"Retry-After": "1"},
        body={"error": "Too many requests"},
        count=1,
    )
    sb.clear_requests()
    async with (
        UseapiConnection(sb.demo["useapi_token"], sb.api_url, retry=BATCH_RETRY) as connection,
        make_download_client() as http,
    ):
        batch = AssetBatch(connection, http, tmp_path, DownloadOptions())
        refused = asyncio.create_task(batch.prepare(first))
        await wait_until_async(
            lambda: batch.gate.left() > 0, "the 429 paused the account", timeout=10
        )
        other = await batch.prepare(second)
        assert await other.source.url()
        await refused
    lookups = [r for r in sb.requests("api") if r["path"].startswith(RESOLVE[:-1])]
    assert len(lookups) == 3
    assert lookups[1]["time"] - lookups[0]["time"] >= 0.9  # the other asset waited too
    assert lookups[2]["time"] - lookups[0]["time"] >= 0.9


EXPIRED = (
    "<?xml version='1.0' encoding='UTF-8'?><Error><Code>ExpiredToken</Code>"
    "<Message>The provided token has expired.</Message></Error>"
)


@pytest.mark.anyio
async def test_a_429_on_a_lookup_during_a_transfer_pauses_the_account(
    sb: Any, tmp_path: Path
) -> None:
    """A link that expires mid-transfer is looked up again; a 429 on that lookup pauses the
    account like one before a transfer: the transfer waits the Retry-After out and goes on from
    its bytes, another asset's lookup waits too, nothing fails."""
    clip = write_padded_clip(tmp_path / "clip.mp4", 3 * 1024 * 1024)
    first = sb.put_google_flow_asset(clip, "video/mp4")
    (second,) = put_images(sb, ["swatch-256x256.png"])
    key = next(
        a["object"]["key"] for a in sb.google_flow_assets() if a["mediaGenerationId"] == first
    )
    out = tmp_path / "out"
    out.mkdir()
    async with (
        UseapiConnection(sb.demo["useapi_token"], sb.api_url, retry=BATCH_RETRY) as connection,
        make_download_client() as http,
    ):
        batch = AssetBatch(connection, http, out, DownloadOptions(segments=1))
        ready = await batch.prepare(first)
        # Mid-transfer: the stream breaks after 1 MB; storage then refuses the link as expired
        # on the ranged GET that would go on, and the API answers the new lookup with a 429.
        sb.fault("storage", f"/{key}", method="GET", drop_after_bytes=1_000_000, count=1)
        sb.fault("storage", f"/{key}", method="GET", status=400, body=EXPIRED, count=1)
        sb.fault(
            "api",
            RESOLVE,
            method="GET",
            status=429,
            headers={"Retry-After": "1"},
            body={"error": "Too many requests"},
            count=1,
        )
        sb.clear_requests()
        running = asyncio.create_task(batch.transfer(first, ready))
        await wait_until_async(
            lambda: batch.gate.left() > 0, "the 429 paused the account", timeout=10
        )
        other = await batch.prepare(second)
        saved_other = await batch.transfer(second, other)
        saved = await running
    assert saved.path.read_bytes() == clip.read_bytes()
    assert saved.refreshed_links == 1
    assert saved_other.path.read_bytes() == (DEMO / "swatch-256x256.png").read_bytes()
    lookups = [r for r in sb.requests("api") if r["path"].startswith(RESOLVE[:-1])]
    assert sorted(r["path"] for r in lookups) == sorted(
        f"{RESOLVE[:-1]}{i}" for i in (first, first, second)
    )
    refused_at = lookups[0]["time"]
    assert all(r["time"] - refused_at >= 0.9 for r in lookups[1:])  # both waited the pause
