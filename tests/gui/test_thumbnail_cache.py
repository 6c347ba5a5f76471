"""ui/thumbnail_cache.py and the maker over it: real images encoded, kept in a real pack file,
decoded back; the old folder of PNG files taken over; the limit read from the catalog setting;
many thumbnails made and read from worker threads at once; a cache that cannot open."""

from __future__ import annotations

import asyncio
import os
import shutil
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from tests.helpers.media_files import DEMO, MEDIA
from tests.helpers.qt_images import noise_png, png_bytes

from assetdesk.store.db import open_database
from assetdesk.store.thumbnail_pack import (
    PACK_FILE,
    ThumbnailPack,
    key_name,
    limit_in_catalog,
    put_limit_setting,
)
from assetdesk.ui.image_files import read_image
from assetdesk.ui.thumbnail_cache import blob_format, decoded, encoded, writable_formats
from assetdesk.ui.thumbnails import ThumbnailMaker


def rgba(image: QImage, form: QImage.Format = QImage.Format.Format_RGBA8888) -> bytes:
    """Every pixel as RGBA bytes, rows unpadded."""
    converted = image.convertToFormat(form)
    data = bytes(converted.constBits())
    row = converted.width() * 4
    line = converted.bytesPerLine()
    return b"".join(data[y * line : y * line + row] for y in range(converted.height()))


def mean_difference(a: QImage, b: QImage) -> float:
    """Per channel, premultiplied: what is under a transparent pixel does not count."""
    assert a.size() == b.size()
    form = QImage.Format.Format_RGBA8888_Premultiplied
    one, two = rgba(a, form), rgba(b, form)
    return sum(abs(x - y) for x, y in zip(one, two, strict=True)) / len(one)


def image_of(path: Path) -> QImage:
    image, error = read_image(path)
    assert not image.isNull(), error
    return image


def disc_on_transparent(side: int) -> QImage:
    """A picture with alpha: an orange disc with soft edges on a transparent square."""
    image = QImage(side, side, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(240, 140, 20))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(4, 4, side - 8, side - 8)
    painter.end()
    return image


def colour_png(colour: QColor) -> bytes:
    """A PNG of one colour, 128 x 96."""
    image = QImage(128, 96, QImage.Format.Format_RGB32)
    image.fill(colour)
    return png_bytes(image)


def test_kept_formats_give_back_what_they_were_given(qapp: Any) -> None:
    opaque = image_of(DEMO / "sunrise-640x360.png").scaledToWidth(256)
    alpha = disc_on_transparent(96)
    assert alpha.hasAlphaChannel() and not opaque.hasAlphaChannel()
    assert "webp" in writable_formats()  # this machine's wheels; the fallbacks are tried too

    webp = encoded(opaque, writable_formats())
    assert webp is not None and webp[8:12] == b"WEBP"
    back = decoded(webp)
    assert back is not None and mean_difference(back, opaque) < 4
    alpha_webp = encoded(alpha, writable_formats())
    assert alpha_webp is not None and alpha_webp[8:12] == b"WEBP"
    alpha_back = decoded(alpha_webp)
    assert alpha_back is not None and alpha_back.hasAlphaChannel()
    assert mean_difference(alpha_back, alpha) < 6

    without_webp = frozenset({"jpeg", "png"})
    assert blob_format(False, without_webp) == ("JPEG", 85)
    assert blob_format(True, without_webp) == ("PNG", -1)
    jpeg = encoded(opaque, without_webp)
    assert jpeg is not None and jpeg.startswith(b"\xff\xd8\xff")
    jpeg_back = decoded(jpeg)
    assert jpeg_back is not None and mean_difference(jpeg_back, opaque) < 4
    png = encoded(alpha, without_webp)
    assert png is not None and png.startswith(b"\x89PNG")
    png_back = decoded(png)
    assert png_back is not None and rgba(png_back) == rgba(alpha)  # lossless, alpha and all
    assert len(webp) < len(encoded(opaque, frozenset({"png"})) or b"")  # smaller than PNG


def test_the_old_png_folder_is_taken_over_by_the_maker(arun: Any, tmp_path: Path) -> None:
    folder = tmp_path / "thumbnails"
    folder.mkdir()
    old = image_of(DEMO / "swatch-256x256.png").scaledToWidth(32)
    old_file = folder / f"{key_name('flow:7@32')}.png"  # as the file-per-thumbnail cache named it
    assert old.save(str(old_file), "PNG")  # type: ignore[call-overload]
    other = image_of(DEMO / "sunrise-640x360.png").scaledToWidth(32)
    assert other.save(str(folder / f"{key_name('flow:8@32')}.png"), "PNG")  # type: ignore[call-overload]
    (folder / ".thumb-abc.part").write_bytes(b"half")
    maker = ThumbnailMaker(size=32, cache_dir=folder)
    hit = maker.cached("flow:7@32")  # at once, whether the background has come to it or not
    assert hit is not None and rgba(hit) == rgba(old)  # kept as it was: PNG, exactly
    assert maker.cache is not None and maker.cache.wait_for_old_files(30)
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(PACK_FILE)) == []
    taken = maker.cached("flow:8@32")  # taken in the background
    assert taken is not None and rgba(taken) == rgba(other)
    # Made again from nothing: no source is needed for what the old folder held.
    again = arun(maker.for_file(tmp_path / "no such file.png", key="flow:7@32"))
    assert rgba(again) == rgba(old)


def test_the_limit_comes_from_the_catalog_and_old_thumbnails_make_room(
    arun: Any, tmp_path: Path
) -> None:
    catalog = tmp_path / "assetdesk.sqlite3"
    conn = open_database(catalog)
    put_limit_setting(conn, 150_000)
    conn.close()
    cache = tmp_path / "thumbnails"
    maker = ThumbnailMaker(
        size=256, cache_dir=cache, cache_limit=partial(limit_in_catalog, catalog)
    )
    sources = [noise_png(256) for _ in range(8)]
    made = [arun(maker.for_image_bytes(data, key=f"k{n}")) for n, data in enumerate(sources)]
    assert maker.cache is not None
    pack = maker.cache.pack()
    assert pack.limit == 150_000
    assert 0 < pack.stored_bytes() <= 150_000
    kept = [maker.cached(f"k{n}") is not None for n in range(8)]
    assert kept[-1] and not kept[0]
    assert kept == sorted(kept)  # the oldest went first
    last = maker.cached("k7")
    assert last is not None and rgba(last) == rgba(made[7])
    maker.cache.close()
    reopened = ThumbnailPack(cache / PACK_FILE)
    assert reopened.stored_bytes() == pack.stored_bytes()
    reopened.close()


def test_thumbnails_made_and_read_from_many_threads_at_once(arun: Any, tmp_path: Path) -> None:
    maker = ThumbnailMaker(size=64, cache_dir=tmp_path / "thumbnails")
    colours = [QColor.fromHsv(n * 15, 220, 200) for n in range(24)]
    sources = [colour_png(colour) for colour in colours]

    async def all_at_once() -> list[QImage]:
        made = asyncio.gather(
            *(maker.for_image_bytes(data, key=f"k{n}") for n, data in enumerate(sources))
        )
        reads = asyncio.gather(*(asyncio.to_thread(maker.cached, f"k{n % 24}") for n in range(96)))
        first, _ = await asyncio.gather(made, reads)
        return list(first)

    made = arun(all_at_once(), timeout_ms=60_000)
    for n, image in enumerate(made):
        hit = maker.cached(f"k{n}")
        assert hit is not None and rgba(hit) == rgba(image)
        assert image.size() == QSize(64, 48)
        centre = image.pixelColor(32, 24)  # its own colour, not another key's
        assert (
            max(abs(a - b) for a, b in zip(centre.getRgb(), colours[n].getRgb(), strict=True)) <= 8
        )


@pytest.mark.skipif(os.name != "posix", reason="a folder made unwritable by POSIX modes")
def test_a_cache_that_cannot_open_costs_only_the_cache(
    arun: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "thumbnails"
    blocked.write_text("a file where the folder should be")
    maker = ThumbnailMaker(size=32, cache_dir=blocked)
    source = tmp_path / "picture.png"
    shutil.copyfile(MEDIA / "picture.png", source)
    thumb = arun(maker.for_file(source, key="a"))
    assert thumb.width() == 32
    assert maker.cached("a") is None
    assert "thumbnail cache" in caplog.text
