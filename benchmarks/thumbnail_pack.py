"""The packed thumbnail cache (store/thumbnail_pack.py) against the folder of one PNG file per
thumbnail it replaces, at the issue's scale: 100,000 thumbnails of ~8 KB.

Both sides are given the same blobs (a real PNG header and random bytes: as incompressible as
encoded images). The folder side writes each file as the old cache did (a temporary file renamed
into place) and reads them back by name; the pack side puts them one at a time (a transaction
each, as the app does) and reads them back by key. Reads go in a shuffled order, after the OS
cache was warmed by the writes on both sides; the pack is read twice, the second time later
than the granularity of last uses, so every read notes one (written in batches). Then one put
over the limit evicts a tenth, the pack is cut to half its size (the space handed back), and the
old folder is taken into a fresh pack (`adopt_files`, what an existing user's first start does
in the background).

    python benchmarks/thumbnail_pack.py [--count N] [--blob BYTES] [--dir DIR]

Store-level, Qt-free: encoding and decoding (ui/thumbnail_cache.py) cost the same on both sides.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
if str(APP) not in sys.path:  # run as a plain script, without the editable install
    sys.path.insert(0, str(APP))

from assetdesk.store.thumbnail_files import adopt_files  # noqa: E402  (needs the path above)
from assetdesk.store.thumbnail_pack import (  # noqa: E402
    PACK_FILE,
    USED_GRANULARITY,
    ThumbnailPack,
    key_name,
)

PNG_HEAD = b"\x89PNG\r\n\x1a\n"
SIZE = 256


def blobs(count: int, length: int) -> list[bytes]:
    rng = random.Random(17)
    return [PNG_HEAD + rng.randbytes(length - len(PNG_HEAD)) for _ in range(count)]


def disk_usage(paths: list[Path]) -> int:
    """Bytes the files take on disk (allocated blocks, not their lengths)."""
    return sum(p.stat().st_blocks * 512 for p in paths if p.exists())


def folder_files(folder: Path) -> list[Path]:
    return [Path(entry.path) for entry in os.scandir(folder)]


def write_folder(folder: Path, keys: list[str], data: list[bytes]) -> float:
    """The old cache's way: a temporary file, then a rename into place."""
    started = time.perf_counter()
    for key, blob in zip(keys, data, strict=True):
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".thumb-", suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(blob)
        Path(temp).replace(folder / f"{key_name(key)}.png")
    return time.perf_counter() - started


def read_folder(folder: Path, keys: list[str]) -> float:
    started = time.perf_counter()
    for key in keys:
        (folder / f"{key_name(key)}.png").read_bytes()
    return time.perf_counter() - started


def write_pack(pack: ThumbnailPack, keys: list[str], data: list[bytes]) -> float:
    started = time.perf_counter()
    for key, blob in zip(keys, data, strict=True):
        pack.put(key, SIZE, blob)
    return time.perf_counter() - started


def read_pack(pack: ThumbnailPack, keys: list[str], threads: int = 1) -> float:
    parts = [keys[n::threads] for n in range(threads)]
    missing: list[str] = []

    def read(part: list[str]) -> None:
        for key in part:
            if pack.get(key, SIZE) is None:
                missing.append(key)

    started = time.perf_counter()
    workers = [threading.Thread(target=read, args=(part,)) for part in parts]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if missing:
        raise SystemExit(f"{len(missing)} thumbnails missing from the pack")
    return elapsed


def pack_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--blob", type=int, default=8_000, help="bytes per thumbnail")
    parser.add_argument("--dir", type=Path, default=None, help="where to write (a temp folder)")
    args = parser.parse_args()
    count, length = args.count, args.blob
    base = Path(tempfile.mkdtemp(prefix="thumbnail-pack-bench-", dir=args.dir))
    try:
        run(base, count, length)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run(base: Path, count: int, length: int) -> None:
    keys = [f"google-flow:{n:08d}@{SIZE}" for n in range(count)]
    data = blobs(count, length)
    shuffled = keys[:]
    random.Random(3).shuffle(shuffled)
    rows: list[tuple[str, str, str]] = []
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}", file=sys.stderr)

    folder = base / "png-folder"
    folder.mkdir()
    folder_write = write_folder(folder, keys, data)
    folder_read = read_folder(folder, shuffled)
    folder_disk = disk_usage(folder_files(folder))

    pack_path = base / "pack" / PACK_FILE
    now = [time.time()]
    pack = ThumbnailPack(pack_path, limit=10 * count * length, clock=lambda: now[0])
    pack_write = write_pack(pack, keys, data)
    pack_read = read_pack(pack, shuffled)
    pack_read_2 = read_pack(pack, shuffled, threads=2)
    now[0] += USED_GRANULARITY + 1
    pack_read_noted = read_pack(pack, shuffled)
    pack.flush()
    pack_disk = disk_usage(pack_files(pack_path))

    pack.set_limit(pack.stored_bytes())
    started = time.perf_counter()
    pack.put("one more", SIZE, data[0])
    evict_tenth = time.perf_counter() - started
    started = time.perf_counter()
    pack.set_limit(pack.stored_bytes() // 2)
    evict = time.perf_counter() - started
    evicted_disk = disk_usage(pack_files(pack_path))
    pack.close()

    adopted_path = base / "adopted" / PACK_FILE
    adopting = ThumbnailPack(adopted_path, limit=10 * count * length)
    started = time.perf_counter()
    taken = adopt_files(adopting, folder, SIZE)
    adopt = time.perf_counter() - started
    adopting.close()
    if taken != count:
        raise SystemExit(f"adopted {taken} of {count}")

    mib = 1024 * 1024
    rows.append(("write all", f"{folder_write:.2f} s", f"{pack_write:.2f} s"))
    rows.append(("read all, shuffled", f"{folder_read:.2f} s", f"{pack_read:.2f} s"))
    rows.append(("read all, 2 threads", "", f"{pack_read_2:.2f} s"))
    rows.append(("read all, uses noted", "", f"{pack_read_noted:.2f} s"))
    rows.append(("on disk", f"{folder_disk / mib:.0f} MiB", f"{pack_disk / mib:.0f} MiB"))
    rows.append(("files", f"{count:,}", "3 (db, -wal, -shm)"))
    rows.append(("a put that evicts 1/10", "", f"{evict_tenth:.2f} s"))
    rows.append(("cut to half", "", f"{evict:.2f} s, then {evicted_disk / mib:.0f} MiB"))
    rows.append(("take the folder in", "", f"{adopt:.2f} s (background)"))
    print(f"{count:,} thumbnails of {length:,} bytes")
    print(f"{'':24} {'PNG folder':>12} {'pack':>28}")
    for name, old, new in rows:
        print(f"{name:24} {old:>12} {new:>28}")
    print(f"write ratio pack/folder {pack_write / folder_write:.2f}, "
          f"read ratio {pack_read / folder_read:.2f}")  # fmt: skip
    print(f"load average after: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
