"""store/thumbnail_files.py: the old folder of one PNG file per thumbnail taken into a real pack
file, all at once in batches or one key at a time, and stopped midway."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest
from tests.helpers.media_files import MEDIA

from assetdesk.store import thumbnail_files
from assetdesk.store.thumbnail_files import adopt_file, adopt_files, has_old_files
from assetdesk.store.thumbnail_pack import PACK_FILE, ThumbnailPack, key_name

PNG = (MEDIA / "picture.png").read_bytes()


def blob(length: int) -> bytes:
    """A real PNG grown to `length` bytes by random bytes after its end (no two alike)."""
    return PNG + os.urandom(length - len(PNG))


def old_folder(folder: Path, count: int, length: int = 3_000) -> dict[str, bytes]:
    """`count` thumbnails as the old cache kept them, written one second apart."""
    folder.mkdir()
    old = {f"flow:{n}@256": blob(length) for n in range(count)}
    for n, (key, data) in enumerate(old.items()):
        file = folder / f"{key_name(key)}.png"
        file.write_bytes(data)
        os.utime(file, (1_000 + n, 1_000 + n))
    return old


def last_uses(path: Path) -> dict[str, float]:
    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT name, last_used FROM thumbnails").fetchall())


def test_the_old_folder_is_taken_over(tmp_path: Path) -> None:
    folder = tmp_path / "thumbnails"
    old = old_folder(folder, 7)
    (folder / ".thumb-x1y2.part").write_bytes(b"half a png")
    (folder / f"{key_name('damaged')}.png").write_bytes(b"garbage")
    (folder / "notes.txt").write_text("not ours")
    pack = ThumbnailPack(folder / PACK_FILE)
    assert has_old_files(folder)
    assert adopt_files(pack, folder, 256) == 7
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(PACK_FILE)) == [
        "notes.txt"
    ]
    assert not has_old_files(folder)
    uses = last_uses(folder / PACK_FILE)
    assert [uses[key_name(key)] for key in old] == [1_000.0 + n for n in range(7)]  # mtimes
    for key, data in old.items():
        assert pack.get(key, 256) == data
    assert adopt_files(pack, folder, 256) == 0  # once
    pack.close()


def test_the_old_files_keep_their_order_of_use(tmp_path: Path) -> None:
    folder = tmp_path / "thumbnails"
    old = old_folder(folder, 5, length=10_000)
    pack = ThumbnailPack(folder / PACK_FILE, limit=1_000_000)
    adopt_files(pack, folder, 96)
    pack.set_limit(30_000)  # room for two after the eviction (90%: 27 KB)
    assert [pack.get(key, 96) is not None for key in old] == [False] * 3 + [True] * 2
    pack.close()


def test_one_key_is_taken_when_asked_for(tmp_path: Path) -> None:
    folder = tmp_path / "thumbnails"
    old = old_folder(folder, 3)
    pack = ThumbnailPack(folder / PACK_FILE)
    key = "flow:1@256"
    assert pack.get(key, 256) is None
    assert adopt_file(pack, folder, key, 256) == old[key]
    assert not (folder / f"{key_name(key)}.png").exists()
    assert pack.get(key, 256) == old[key]
    assert adopt_file(pack, folder, key, 256) is None  # taken once
    assert adopt_file(pack, folder, "never cached", 256) is None
    (folder / f"{key_name('bad')}.png").write_bytes(b"garbage")
    assert adopt_file(pack, folder, "bad", 256) is None
    assert not (folder / f"{key_name('bad')}.png").exists()
    assert adopt_files(pack, folder, 256) == 2  # the rest
    pack.close()


def test_a_stop_ends_it_after_the_batch_under_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(thumbnail_files, "ADOPT_BATCH", 4)
    folder = tmp_path / "thumbnails"
    old_folder(folder, 10)
    pack = ThumbnailPack(tmp_path / PACK_FILE)  # not among the folder's names: 4 a batch
    stop = threading.Event()
    real_keep = pack.keep

    def keep_then_stop(rows: list[tuple[str, int, bytes, float]]) -> None:
        real_keep(rows)
        stop.set()  # as a quit would, during the first batch

    monkeypatch.setattr(pack, "keep", keep_then_stop)
    assert adopt_files(pack, folder, 256, stop) == 4
    assert len([p for p in folder.iterdir() if p.suffix == ".png"]) == 6
    assert has_old_files(folder)
    assert adopt_files(pack, folder, 256) == 6  # next time, the rest
    pack.close()
