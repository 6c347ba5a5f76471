"""store/thumbnail_pack.py on a real SQLite file: keeping, reading, the size bound with its
least-recently-used eviction, batched last-use times, two threads at once, damaged blobs and
files, the old folder of PNG files taken over, the limit setting."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from tests.helpers.media_files import MEDIA

from assetdesk.store import thumbnail_pack
from assetdesk.store.db import open_database
from assetdesk.store.thumbnail_pack import (
    DEFAULT_LIMIT,
    PACK_FILE,
    ThumbnailPack,
    key_name,
    limit_setting,
    put_limit_setting,
)

PNG = (MEDIA / "picture.png").read_bytes()


def blob(length: int) -> bytes:
    """A real PNG grown to `length` bytes by random bytes after its end (no two alike)."""
    return PNG + os.urandom(length - len(PNG))


class Clock:
    """Seconds that move only when the test says so (last use must order the rows)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float = 1.0) -> float:
        self.now += seconds
        return self.now

    def later(self) -> float:
        """Past the granularity of last uses: a read now notes a new one."""
        return self.tick(thumbnail_pack.USED_GRANULARITY + 1)


def rows_on_disk(path: Path) -> dict[str, tuple[int, float]]:
    """name -> (length(data), last_used), read by a connection of the test's own."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT name, length(data), last_used FROM thumbnails JOIN blobs USING (id)"
        ).fetchall()
    finally:
        conn.close()
    return {name: (length, used) for name, length, used in rows}


def test_real_images_are_kept_by_key_and_size_and_survive_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "thumbs" / PACK_FILE
    pack = ThumbnailPack(path)
    images = {
        name: (MEDIA / name).read_bytes() for name in ("picture.png", "picture.jpg", "picture.webp")
    }
    for name, data in images.items():
        assert pack.get(f"runway:{name}@256", 256) is None
        pack.put(f"runway:{name}@256", 256, data)
    for name, data in images.items():
        assert pack.get(f"runway:{name}@256", 256) == data
        assert pack.get(f"runway:{name}@256", 128) is None  # another maker's size
    assert pack.stored_bytes() == sum(map(len, images.values()))
    pack.put("runway:picture.png@256", 256, images["picture.jpg"])  # replaced, not added
    assert pack.count() == 3
    assert pack.stored_bytes() == 2 * len(images["picture.jpg"]) + len(images["picture.webp"])
    pack.close()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = ThumbnailPack(path)
    assert again.get("runway:picture.webp@256", 256) == images["picture.webp"]
    assert again.stored_bytes() == pack.stored_bytes()
    assert set(rows_on_disk(path)) == {key_name(f"runway:{n}@256") for n in images}
    again.close()


def test_what_is_not_an_image_is_refused(tmp_path: Path) -> None:
    pack = ThumbnailPack(tmp_path / PACK_FILE)
    with pytest.raises(ValueError):
        pack.put("a", 96, b"hello, world" * 100)
    with pytest.raises(ValueError):
        pack.put("a", 96, b"RIFF\x00\x00\x00\x00WAVEfmt ")  # RIFF, but not WebP
    pack.close()


def test_over_the_limit_the_least_recently_used_go_first(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / PACK_FILE
    pack = ThumbnailPack(path, limit=100_000, clock=clock)
    for n in range(10):  # 80 KB: under the limit
        clock.tick()
        pack.put(f"k{n}", 96, blob(8_000))
    assert pack.count() == 10
    clock.later()
    for n in (0, 1, 2):  # the oldest three are seen again: now the most recent
        assert pack.get(f"k{n}", 96) is not None
    for n in range(10, 13):  # 104 KB: over; freed down to 90 KB
        clock.tick()
        pack.put(f"k{n}", 96, blob(8_000))
    kept = {name for name in rows_on_disk(path)}
    gone = {key_name(f"k{n}") for n in (3, 4)}
    assert not kept & gone
    assert {key_name(f"k{n}") for n in (0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12)} == kept
    assert pack.get("k3", 96) is None and pack.get("k0", 96) is not None
    assert pack.stored_bytes() == sum(length for length, _ in rows_on_disk(path).values())
    assert pack.stored_bytes() <= 90_000
    pack.close()


def test_eviction_gives_the_space_back_to_the_disk(tmp_path: Path) -> None:
    path = tmp_path / PACK_FILE
    pack = ThumbnailPack(path, limit=10_000_000)
    for n in range(300):
        pack.put(f"k{n}", 96, blob(8_000))
    pack.flush()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    full = path.stat().st_size
    assert full > 2_400_000
    pack.set_limit(200_000)
    assert pack.stored_bytes() <= 180_000
    assert 15 <= pack.count() <= 22
    on_disk = path.stat().st_size + path.with_name(PACK_FILE + "-wal").stat().st_size
    assert on_disk < 400_000, (full, on_disk)
    pack.close()


def test_last_use_is_written_in_batches(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / PACK_FILE
    pack = ThumbnailPack(path, clock=clock)
    pack.put("a", 96, PNG)
    pack.put("b", 96, PNG)
    stored = rows_on_disk(path)[key_name("a")][1]
    clock.tick()
    for _ in range(thumbnail_pack.USED_FLUSH_COUNT):  # seen again soon after: nothing noted
        assert pack.get("a", 96) == PNG
    pack.flush()
    assert rows_on_disk(path)[key_name("a")][1] == stored
    clock.later()
    for _ in range(thumbnail_pack.USED_FLUSH_COUNT // 2 - 1):
        assert pack.get("a", 96) == PNG
        assert pack.get("b", 96) == PNG
    assert rows_on_disk(path)[key_name("a")][1] == stored  # noted, not yet written
    pack.flush()
    assert rows_on_disk(path)[key_name("a")][1] == clock.now
    first = clock.later()
    for _ in range(thumbnail_pack.USED_FLUSH_COUNT):  # one key read many times: one note
        pack.get("b", 96)
        clock.tick()
    assert rows_on_disk(path)[key_name("b")][1] == first - thumbnail_pack.USED_GRANULARITY - 1
    clock.later()
    pack.get("a", 96)
    pack.close()  # writes what is noted
    assert rows_on_disk(path)[key_name("a")][1] == clock.now


def test_many_distinct_reads_write_their_times_without_a_flush(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / PACK_FILE
    pack = ThumbnailPack(path, clock=clock)
    for n in range(thumbnail_pack.USED_FLUSH_COUNT):
        pack.put(f"k{n}", 96, PNG)
    clock.later()
    for n in range(thumbnail_pack.USED_FLUSH_COUNT):
        pack.get(f"k{n}", 96)
    assert {used for _, used in rows_on_disk(path).values()} == {clock.now}
    pack.close()


def test_two_threads_read_and_write_at_once(tmp_path: Path) -> None:
    pack = ThumbnailPack(tmp_path / PACK_FILE, limit=10_000_000)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(prefix: str) -> None:
        try:
            start.wait()
            for n in range(300):
                data = blob(2_000)
                pack.put(f"{prefix}{n}", 96, data)
                assert pack.get(f"{prefix}{n}", 96) == data
                if n:  # the other thread's rows, whatever it has written so far
                    pack.get(f"{'b' if prefix == 'a' else 'a'}{n - 1}", 96)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(p,)) for p in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert pack.count() == 600
    assert pack.stored_bytes() == 600 * 2_000
    pack.close()


def test_a_damaged_blob_is_not_cached_and_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / PACK_FILE
    pack = ThumbnailPack(path)
    pack.put("a", 96, blob(5_000))
    pack.put("b", 96, PNG)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE blobs SET data = zeroblob(5000)"
            " WHERE id = (SELECT id FROM thumbnails WHERE name = ?)",
            (key_name("a"),),
        )
    assert pack.get("a", 96) is None
    assert set(rows_on_disk(path)) == {key_name("b")}
    assert pack.stored_bytes() == len(PNG)
    assert pack.get("b", 96) == PNG
    pack.close()


def test_a_file_that_is_not_a_pack_is_made_again(tmp_path: Path) -> None:
    path = tmp_path / PACK_FILE
    path.write_bytes(b"not a database at all, " * 500)
    pack = ThumbnailPack(path)
    assert pack.count() == 0
    pack.put("a", 96, PNG)
    assert pack.get("a", 96) == PNG
    pack.close()


def test_the_limit_setting_lives_in_the_catalog(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "assetdesk.sqlite3")
    assert limit_setting(conn) == DEFAULT_LIMIT == 500_000_000
    put_limit_setting(conn, 50_000_000)
    assert limit_setting(conn) == 50_000_000
    conn.execute(
        "UPDATE settings SET value = 'lots' WHERE name = ?", (thumbnail_pack.LIMIT_SETTING,)
    )
    assert limit_setting(conn) == DEFAULT_LIMIT
    with pytest.raises(ValueError):
        put_limit_setting(conn, -1)
    conn.close()


def test_noting_last_uses_does_not_rewrite_the_blobs(tmp_path: Path) -> None:
    path = tmp_path / PACK_FILE
    wal = path.with_name(PACK_FILE + "-wal")
    clock = Clock()
    pack = ThumbnailPack(path, clock=clock)
    count = thumbnail_pack.USED_FLUSH_COUNT
    for n in range(count):
        pack.put(f"k{n}", 96, blob(8_000))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert wal.stat().st_size == 0
    clock.later()
    for n in range(count):
        pack.get(f"k{n}", 96)
    pack.flush()
    # 512 small rows and their index: a few pages, not 512 x 8 KB of blobs.
    assert 0 < wal.stat().st_size < count * 8_000 // 8, wal.stat().st_size
    pack.close()
