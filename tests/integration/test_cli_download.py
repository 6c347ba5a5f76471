"""`assetdesk download` and `assetdesk wordbee download` as a user runs them: a child process,
one JSON line per item, the bytes on disk."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.cli_process import run_cli, useapi_env, wordbee_env
from tests.helpers.media_files import DEMO, write_padded_clip
from tests.helpers.waiting import wait_until, wait_until_async

from assetdesk.services.accounts import AccountsService
from assetdesk.services.upload_items import ItemState, UploadTarget
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.store.paths import AppPaths


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def upload(sb: Any, *files: Path) -> list[str]:
    status, items, stderr = run_cli("upload", *map(str, files), env=useapi_env(sb))
    assert status == 0, stderr
    return [item["mediaGenerationId"] for item in items]


def test_downloads_uploaded_assets_byte_for_byte(sb: Any, tmp_path: Path) -> None:
    image, video = DEMO / "sunrise-640x360.png", DEMO / "clip-320x180.mp4"
    ids = upload(sb, image, video)
    out = tmp_path / "out"
    out.mkdir()
    status, items, stderr = run_cli("download", *ids, "--to", str(out), env=useapi_env(sb))
    assert status == 0, stderr
    for item, source, kind in zip(items, (image, video), ("image", "video"), strict=True):
        saved = Path(item["path"])
        assert saved.parent == out
        assert saved.name.startswith(f"flow-{kind}-") and saved.suffix == source.suffix
        assert saved.read_bytes() == source.read_bytes()
        assert item["bytes"] == source.stat().st_size
        assert item["sha256"] == sha256(source)
        assert "crc32c" in item["verified"]
    assert sorted(p.name for p in out.iterdir()) == sorted(Path(i["path"]).name for i in items)


def test_conflict_policies(sb: Any, tmp_path: Path) -> None:
    image = DEMO / "swatch-256x256.png"
    (media_id,) = upload(sb, image)
    env = useapi_env(sb)
    _, (first,), _ = run_cli("download", media_id, "--to", str(tmp_path), env=env)
    _, (second,), _ = run_cli("download", media_id, "--to", str(tmp_path), env=env)
    first_path, second_path = Path(first["path"]), Path(second["path"])
    assert second_path.name == f"{first_path.stem} (1){first_path.suffix}"
    assert second_path.read_bytes() == image.read_bytes()

    first_path.write_bytes(b"edited by the user")
    status, (skipped,), _ = run_cli(
        "download", media_id, "--to", str(tmp_path), "--on-conflict", "skip", env=env
    )
    assert status == 0 and skipped["skipped"] is True
    assert skipped["path"] == str(first_path)
    assert skipped["sha256"] == hashlib.sha256(b"edited by the user").hexdigest()
    assert first_path.read_bytes() == b"edited by the user"

    status, (replaced,), _ = run_cli(
        "download", media_id, "--to", str(tmp_path), "--on-conflict", "overwrite", env=env
    )
    assert status == 0 and replaced["path"] == str(first_path)
    assert first_path.read_bytes() == image.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first_path.name, second_path.name])


def test_runway_asset_keeps_its_name(sb: Any, tmp_path: Path) -> None:
    status, listed, stderr = run_cli("runway", "list", "--limit", "3", env=useapi_env(sb))
    assert status == 0, stderr
    asset = next(item for item in listed if item["fileSize"])
    status, (item,), stderr = run_cli(
        "download", asset["assetId"], "--to", str(tmp_path), "--segments", "2", env=useapi_env(sb)
    )
    assert status == 0, stderr
    saved = Path(item["path"])
    assert saved.parent == tmp_path
    assert saved.stem.startswith(Path(asset["name"]).stem[:10])
    assert item["bytes"] == asset["fileSize"] == saved.stat().st_size
    stored = next(o for o in sb.objects() if o["size"] == asset["fileSize"])
    assert hashlib.md5(saved.read_bytes()).hexdigest() == stored["md5"]


def test_bad_ids_are_reported_one_by_one(sb: Any, tmp_path: Path) -> None:
    (media_id,) = upload(sb, DEMO / "swatch-256x256.png")
    status, items, _ = run_cli(
        "download", "not-an-id", media_id, "--to", str(tmp_path), env=useapi_env(sb)
    )
    assert status == 1
    bad, good = items
    assert bad["id"] == "not-an-id" and bad["kind"] == "invalid_input"
    assert bad["error"].startswith("Invalid asset id: ")
    assert Path(good["path"]).read_bytes() == (DEMO / "swatch-256x256.png").read_bytes()
    status, items, _ = run_cli(
        "download", media_id, "--to", str(tmp_path / "missing"), env=useapi_env(sb)
    )
    assert status == 1 and items[0]["error"] == f"The folder {tmp_path / 'missing'} does not exist."
    assert not (tmp_path / "missing").exists()


def test_wordbee_hostile_names_stay_inside_the_folder(sb: Any, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    out.mkdir(parents=True)
    for stored, source, expected in (
        ("../../evil.png", "swatch-256x256.png", "evil.png"),
        ("..\\..\\evil-win.jpg", "pattern-512x512.jpg", "evil-win.jpg"),
    ):
        status, (item,), stderr = run_cli(
            "wordbee",
            "download",
            "27665602",
            "--scope",
            "pr7214",
            "--filename",
            stored,
            "--to",
            str(out),
            env=wordbee_env(sb),
        )
        assert status == 0, stderr
        assert Path(item["path"]) == out / expected
        assert (out / expected).read_bytes() == (DEMO / source).read_bytes()
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "deep",
        "evil-win.jpg",
        "evil.png",
        "out",
    ]


def test_wordbee_locale_as_folder_and_same_name_per_locale(sb: Any, tmp_path: Path) -> None:
    env = wordbee_env(sb)
    common = ["--scope", "pr7214", "--filename", "pexels-gons3.jpg", "--to", str(tmp_path)]
    for locale, source in (("en", "pexels-gons3.jpg"), ("de", "bars-800x450.jpg")):
        status, (item,), stderr = run_cli(
            "wordbee",
            "download",
            "27665601",
            *common,
            "--locale",
            locale,
            "--keep-folders",
            env=env,
        )
        assert status == 0, stderr
        assert Path(item["path"]) == tmp_path / locale / "pexels-gons3.jpg"
        assert Path(item["path"]).read_bytes() == (DEMO / source).read_bytes()
    status, (flat,), _ = run_cli(
        "wordbee", "download", "27665601", *common, "--locale", "de", env=env
    )
    assert status == 0 and Path(flat["path"]) == tmp_path / "pexels-gons3.jpg"


def test_ctrl_c_keeps_the_part_and_the_next_run_resumes_it(sb: Any, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    source = write_padded_clip(tmp_path / "big.mp4", 16 * 1024 * 1024)
    media_id = sb.put_google_flow_asset(source, "video/mp4")
    out = tmp_path / "out"
    out.mkdir()
    # One connection at 500 kB/s: about 32 s for the file, so the interrupt lands mid-way however
    # slow the machine (at 1 MB/s a connection, parallel segments finished it before the signal;
    # at 8 s for 4 MiB, a loaded machine's slow polling let it finish: the sandbox's pace catches
    # up after a stall).
    sb.bandwidth("storage", 500_000)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETDESK_")}
    env.update(useapi_env(sb))
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assetdesk",
            "download",
            media_id,
            "--to",
            str(out),
            "--segments",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    data = source.read_bytes()
    half = 512 * 1024

    def half_a_megabyte_in() -> bool:
        """The bytes just before 512 KiB are on disk (the `.part` is allocated in full at once,
        its size says nothing; one stream writes it in order)."""
        parts = list(out.glob("*.part"))
        if not parts:
            return False
        with parts[0].open("rb") as part:
            part.seek(half - 4096)
            return part.read(4096) == data[half - 4096 : half]

    wait_until(half_a_megabyte_in, "half a megabyte was written", timeout=30, interval=0.05)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=30)
    assert child.returncode == 130, stderr
    kept = sorted(p.name for p in out.iterdir())
    assert len(kept) == 2 and kept[0].endswith(".part") and kept[1].endswith(".part.json"), kept

    sb.bandwidth("storage", None)
    status, (item,), stderr = run_cli("download", media_id, "--to", str(out), env=useapi_env(sb))
    assert status == 0, stderr
    assert item["resumedBytes"] > 0
    assert Path(item["path"]).read_bytes() == source.read_bytes()
    assert [p.name for p in out.iterdir()] == [Path(item["path"]).name]


def test_bad_segment_count_is_a_usage_error(tmp_path: Path) -> None:
    for value in ("0", "17", "four"):
        status, items, stderr = run_cli("download", "x", "--to", str(tmp_path), "--segments", value)
        assert status == 2 and items == []
        assert "--segments" in stderr and "Traceback" not in stderr


def test_a_segmented_download_ends_cleanly(sb: Any, tmp_path: Path) -> None:
    """24 MiB: the first answer is the first piece, the rest come in parallel; nothing is left
    half read, so the process ends without noise on stderr."""

    source = write_padded_clip(tmp_path / "big.mp4", 24 * 1024 * 1024)
    media_id = sb.put_google_flow_asset(source, "video/mp4")
    out = tmp_path / "out"
    out.mkdir()
    status, (item,), stderr = run_cli("download", media_id, "--to", str(out), env=useapi_env(sb))
    assert status == 0 and stderr == "", stderr
    assert item["segments"] == 4
    assert Path(item["path"]).read_bytes() == source.read_bytes()


def test_saved_names_are_the_assets_names_with_the_ids_short_form_only_on_a_clash(
    sb: Any, tmp_path: Path
) -> None:
    status, listed, stderr = run_cli("runway", "list", "--limit", "50", env=useapi_env(sb))
    assert status == 0, stderr
    car = next(item for item in listed if item["name"] == "Race car.jpg")
    dusk = next(item for item in listed if item["name"] == "Dusk.jpg")
    (flow_id,) = upload(sb, DEMO / "swatch-256x256.png")
    flow_tag = flow_id.rsplit(":", 1)[1][:8]
    car_tag = car["assetId"].rsplit(":", 1)[1][:8]

    status, items, stderr = run_cli(
        "download", car["assetId"], dusk["assetId"], flow_id, "--to", str(tmp_path),
        env=useapi_env(sb),
    )  # fmt: skip
    assert status == 0, stderr
    assert [Path(item["path"]).name for item in items] == [
        "Race car.jpg",
        "Dusk.jpg",
        f"flow-image-{flow_tag}.png",  # no name on the service: the kind once, no ellipsis
    ]
    sources = ("bars-800x450.jpg", "pexels-gons3.jpg", "swatch-256x256.png")
    for item, source in zip(items, sources, strict=True):
        assert Path(item["path"]).read_bytes() == (DEMO / source).read_bytes()

    # "Race car.jpg" is now a file the next run knows nothing of: the id tells them apart.
    status, (again,), stderr = run_cli(
        "download", car["assetId"], "--to", str(tmp_path), env=useapi_env(sb)
    )
    assert status == 0, stderr
    assert Path(again["path"]).name == f"Race car {car_tag}.jpg"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["Race car.jpg", "Dusk.jpg", f"flow-image-{flow_tag}.png", f"Race car {car_tag}.jpg"]
    )


@pytest.mark.anyio
async def test_a_google_flow_asset_the_window_uploaded_keeps_the_uploaded_files_name(
    sb: Any, tmp_path: Path, app_paths: AppPaths, accounts: AccountsService
) -> None:
    picked = tmp_path / "picked" / "My sunrise (final).png"
    picked.parent.mkdir()
    shutil.copyfile(DEMO / "sunrise-640x360.png", picked)
    account = await accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=sb.api_url, secret=sb.demo["useapi_token"]
    )
    queue = UploadQueue(app_paths.database, accounts)
    try:
        await queue.load()
        await queue.add_paths([picked], UploadTarget(account.id, "Sandbox"))
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
    media_id = item.row.remote_id
    assert media_id is not None
    out = tmp_path / "out"
    out.mkdir()
    command = ("--data-dir", str(app_paths.root), "download", media_id, "--to", str(out))

    runs = [await asyncio.to_thread(run_cli, *command, env=useapi_env(sb)) for _ in range(2)]

    for status, _, stderr in runs:
        assert status == 0, stderr
    tag = media_id.rsplit(":", 1)[1][:8]
    assert [Path(items[0]["path"]).name for _, items, _ in runs] == [
        "My sunrise (final).png",  # the name the window's catalog has for it
        f"My sunrise (final) {tag}.png",  # the CLI cannot tell the first is its own copy
    ]
    assert all(p.read_bytes() == picked.read_bytes() for p in out.iterdir())
