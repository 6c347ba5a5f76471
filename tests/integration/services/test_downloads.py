"""The names of saved files (services/downloads.py), over real downloads from the sandbox into
temp folders, through the Library's "Download to folder": each provider's asset under its real
name, byte for byte, the id's short form only on a clash, a name a file system refuses made safe.

Everything is real: the sandbox's useapi.net, storage and Wordbee origins, the upload queue,
the download engine, SQLite. File names are compared as the bytes on disk.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.media_files import DEMO
from tests.helpers.waiting import wait_until_async

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.ids import MediaGenerationId, RunwayAssetId, WordbeeScope
from assetdesk.core.provider import Provider
from assetdesk.services.accounts import AccountsService
from assetdesk.services.library import Asset, LibraryService
from assetdesk.services.upload_items import ItemState, UploadTarget
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.store.paths import AppPaths

pytestmark = pytest.mark.anyio

SCOPE = "pr7214"


@pytest.fixture
async def useapi_id(accounts: AccountsService, sb: Any) -> int:
    info = await accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=sb.api_url, secret=sb.demo["useapi_token"]
    )
    return info.id


@pytest.fixture
async def wordbee_id(accounts: AccountsService, sb: Any) -> int:
    info = await accounts.add_session_account(
        name="Wordbee",
        kind="wordbee",
        base_url=sb.wordbee_url,
        secret=sb.demo["wordbee_key"],
        wordbee_account_id=sb.demo["wordbee_account_id"],
    )
    return info.id


@pytest.fixture
async def library(app_paths: AppPaths, accounts: AccountsService) -> AsyncIterator[LibraryService]:
    service = LibraryService(app_paths.database, accounts)
    yield service
    await service.aclose()


@pytest.fixture
async def catalog(library: LibraryService, useapi_id: int, wordbee_id: int) -> list[Asset]:
    """Every demo asset of both accounts, as a refresh lists them (the Wordbee project followed)."""
    await library.follow_wordbee_project(wordbee_id, WordbeeScope.parse(SCOPE))
    await library.refresh()
    return await library.assets()


def named(assets: list[Asset], provider: Provider, name: str, locale: str | None = None) -> Asset:
    (found,) = [
        a
        for a in assets
        if a.provider is provider and a.name == name and (locale is None or a.locale == locale)
    ]
    return found


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The folder chosen for "Download to folder" (tmp_path also holds the data folder)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def on_disk(folder: Path) -> list[bytes]:
    """The folder's file names as the file system holds them (bytes, sorted)."""
    return sorted(os.fsencode(path.name) for path in folder.iterdir())


async def test_each_providers_asset_is_saved_under_its_real_name_byte_for_byte(
    catalog: list[Asset], library: LibraryService, out: Path
) -> None:
    wanted = [  # (provider, name in the catalog, the demo file it holds)
        (Provider.GOOGLE_FLOW, "sunrise-640x360.png", "sunrise-640x360.png"),
        (Provider.GOOGLE_FLOW, "clip-320x180.mp4", "clip-320x180.mp4"),
        (Provider.RUNWAY, "Race car.jpg", "bars-800x450.jpg"),
        (Provider.RUNWAY, "Portrait.webp", "portrait-320x480.webp"),
        (Provider.WORDBEE, "moodboard.png", "sunrise-640x360.png"),
        (Provider.WORDBEE, "café münchen.png", "swatch-256x256.png"),
    ]
    assets = [named(catalog, provider, name) for provider, name, _ in wanted]

    results = [await library.save_to_folder(asset, out) for asset in assets]

    assert on_disk(out) == sorted(
        [
            b"sunrise-640x360.png",
            b"clip-320x180.mp4",
            b"Race car.jpg",
            b"Portrait.webp",
            b"moodboard.png",
            "café münchen.png".encode(),  # NFC, as the service wrote it
        ]
    )
    for result, (_, name, demo) in zip(results, wanted, strict=True):
        assert result.path == out / name
        assert result.path.read_bytes() == (DEMO / demo).read_bytes()
    assert not any(b"\xe2\x80\xa6" in name for name in on_disk(out))  # never an ellipsis


async def test_an_uploaded_file_keeps_its_name_made_safe_where_a_file_system_refuses_it(
    library: LibraryService,
    accounts: AccountsService,
    app_paths: AppPaths,
    useapi_id: int,
    tmp_path: Path,
    out: Path,
) -> None:
    source = tmp_path / "picked" / 'Storyboard: take 2 <final> "v3"?.png'
    source.parent.mkdir()
    shutil.copyfile(DEMO / "swatch-256x256.png", source)
    queue = UploadQueue(app_paths.database, accounts)
    try:
        await queue.load()
        await queue.add_paths([source], UploadTarget(useapi_id, "Sandbox"))
        queue.start()
        item = queue.items[0]
        await wait_until_async(
            lambda: item.state is ItemState.DONE and item.task is None,
            lambda: f"the upload ended ({item.row.message})",
            timeout=30,
            interval=0.02,
        )
    finally:
        await queue.aclose()
    (uploaded,) = await library.assets()
    assert uploaded.name == source.name

    result = await library.save_to_folder(uploaded, out)

    assert on_disk(out) == [b"Storyboard_ take 2 _final_ _v3__.png"]
    assert result.path.read_bytes() == source.read_bytes()


async def test_two_assets_of_one_name_in_one_batch_and_a_users_file_of_that_name(
    catalog: list[Asset], library: LibraryService, out: Path
) -> None:
    english = named(catalog, Provider.WORDBEE, "pexels-gons3.jpg", "en")
    german = named(catalog, Provider.WORDBEE, "pexels-gons3.jpg", "de")
    car = named(catalog, Provider.RUNWAY, "Race car.jpg")
    car_tag = RunwayAssetId.parse(car.remote_id).asset_id[:8]
    (out / "Race car.jpg").write_bytes(b"the user's own file")

    batch = await asyncio.gather(
        library.save_to_folder(english, out),
        library.save_to_folder(german, out),
        library.save_to_folder(car, out),
    )

    assert [r.path.name for r in batch] == [
        "pexels-gons3.jpg",  # the first of the batch keeps the name
        "pexels-gons3 27665601-de.jpg",  # its segment and locale tell the second apart
        f"Race car {car_tag}.jpg",  # the user's file is another file: not replaced, not (1)
    ]
    assert batch[0].path.read_bytes() == (DEMO / "pexels-gons3.jpg").read_bytes()
    assert batch[1].path.read_bytes() == (DEMO / "bars-800x450.jpg").read_bytes()
    assert batch[2].path.read_bytes() == (DEMO / "bars-800x450.jpg").read_bytes()
    assert (out / "Race car.jpg").read_bytes() == b"the user's own file"

    # The same assets again: each finds its own earlier download, so a second copy gets ' (1)'.
    again = [await library.save_to_folder(asset, out) for asset in (english, german)]

    assert [r.path.name for r in again] == [
        "pexels-gons3 (1).jpg",
        "pexels-gons3 27665601-de (1).jpg",
    ]
    assert on_disk(out) == sorted(
        name.encode()
        for name in (
            "pexels-gons3.jpg",
            "pexels-gons3 27665601-de.jpg",
            "pexels-gons3 (1).jpg",
            "pexels-gons3 27665601-de (1).jpg",
            "Race car.jpg",
            f"Race car {car_tag}.jpg",
        )
    )


async def test_a_google_flow_asset_without_a_name_is_named_by_kind_and_id_once(
    sb: Any, library: LibraryService, useapi_id: int, out: Path
) -> None:
    media_id = str(sb.demo["media_generation_ids"][0])
    (pasted,) = (await library.add_reference(media_id, useapi_id)).assets
    assert pasted.name is None
    internal = MediaGenerationId.parse(media_id).internal_id

    result = await library.save_to_folder(pasted, out)

    assert on_disk(out) == [f"flow-image-{internal[:8]}.png".encode()]
    assert result.path.read_bytes() == (DEMO / "sunrise-640x360.png").read_bytes()


async def test_google_flow_titles_without_an_extension_clash_as_the_files_they_become(
    sb: Any, library: LibraryService, useapi_id: int, tmp_path: Path, out: Path
) -> None:
    made = []
    for n, demo in enumerate(("sunrise-640x360.png", "swatch-256x256.png")):
        titled = tmp_path / f"made{n}" / "a red fox"  # Google Flow's title: the prompt
        titled.parent.mkdir()
        shutil.copyfile(DEMO / demo, titled)
        made.append((sb.put_google_flow_asset(titled, "image/png"), titled.read_bytes()))
    await library.refresh()
    by_id = {a.remote_id: a for a in await library.assets()}
    (first, first_bytes), (second, second_bytes) = made
    fox, other_fox = by_id[first], by_id[second]
    assert (fox.name, other_fox.name, fox.mime) == ("a red fox", "a red fox", None)
    tag = MediaGenerationId.parse(second).internal_id[:8]

    batch = await asyncio.gather(
        library.save_to_folder(fox, out), library.save_to_folder(other_fox, out)
    )
    # The second again: "a red fox.png" is the other fox's, so its name takes the id, and its
    # own earlier copy of that name makes this one ' (1)'.
    again = await library.save_to_folder(other_fox, out)

    assert [r.path.name for r in (*batch, again)] == [
        "a red fox.png",
        f"a red fox {tag}.png",
        f"a red fox {tag} (1).png",
    ]
    assert [r.path.read_bytes() for r in (*batch, again)] == [
        first_bytes,
        second_bytes,
        second_bytes,
    ]


async def test_a_refused_runway_download_names_the_asset_once(
    sb: Any, library: LibraryService, catalog: list[Asset], out: Path
) -> None:
    """The soak saw "sent Runway asset Runway asset 82cf…": the label said "Runway asset"
    before the short id, which already says it."""
    clip = next(a for a in catalog if a.provider is Provider.RUNWAY and a.kind == "video")
    sb.fault("storage", "/*", count=5, headers={"Content-Encoding": "gzip"})
    with pytest.raises(AssetDeskError) as refused:
        await library.save_to_folder(clip, out)
    assert "compressed (gzip)" in refused.value.message
    assert "Runway asset Runway asset" not in refused.value.message
    assert "asset asset" not in refused.value.message
