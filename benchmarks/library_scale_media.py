"""The library benchmark's media files: real JPEGs, PNGs (drawn with QPainter) and MP4s (the demo
clip and a `free` box of random bytes), made once into a work folder and reused by every run;
catalog rows share them (library_scale_plan.py).
"""

from __future__ import annotations

import os
import random
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shared import BenchError, say

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "resources" / "demo" / "clip-320x180.mp4"


@dataclass(frozen=True)
class MediaFile:
    path: Path
    mime: str
    kind: str
    width: int
    height: int
    duration: float | None = None


def image_plan(count: int) -> list[tuple[str, int, int]]:
    """(file name, width, height): the sizes a generator sends, three JPEGs to one PNG."""
    rng = random.Random(6)  # the same plan every run, so the files are made once
    plan = []
    for index in range(count):
        fmt = "png" if index % 4 == 3 else "jpg"
        width = rng.choice((640, 768, 1024, 1280, 1536))
        aspect = rng.choice((16 / 9, 4 / 3, 1.0, 3 / 4, 9 / 16))
        height = max(64, round(width / aspect))
        plan.append((f"image-{index:03d}-{width}x{height}.{fmt}", width, height))
    return plan


def _draw_image(width: int, height: int, seed: int) -> QImage:
    """A picture with gradients, shapes and edges: JPEG and PNG sizes like real renders."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter

    rng = random.Random(seed)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(QPointF(0, 0), QPointF(width, height))
    for stop in (0.0, 0.5, 1.0):
        gradient.setColorAt(stop, QColor.fromHsv(rng.randrange(360), 160, 220))
    painter.fillRect(0, 0, width, height, gradient)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    for _ in range(40):
        painter.setBrush(QColor.fromHsv(rng.randrange(360), 200, 200, 150))
        w, h = rng.uniform(0.05, 0.4) * width, rng.uniform(0.05, 0.4) * height
        painter.drawEllipse(QRectF(rng.uniform(0, width), rng.uniform(0, height), w, h))
    painter.end()
    return image


def make_images(work: Path, count: int) -> list[MediaFile]:
    """Real JPEG and PNG files (QImage + QPainter), made once into `work`."""
    plan = image_plan(count)
    missing = [entry for entry in plan if not (work / entry[0]).exists()]
    if missing:
        from PySide6.QtGui import QGuiApplication

        # QPainter's text and antialiasing want a QGuiApplication; offscreen needs no display.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication.instance() or QGuiApplication(["assetdesk-bench-library"])
        say(f"making {len(missing)} image(s) in {work} ...")
        for name, width, height in missing:
            image = _draw_image(width, height, seed=int(name[6:9]))
            part = work / (name + ".part")
            fmt = "PNG" if name.endswith(".png") else "JPEG"
            # PySide6's stub wants bytes for the format; at run time only str is accepted.
            if not image.save(str(part), fmt, 85):  # type: ignore[call-overload]
                raise BenchError(f"Qt could not write the benchmark image {name}.")
            part.replace(work / name)
        del app
    return [
        MediaFile(
            work / name,
            "image/png" if name.endswith(".png") else "image/jpeg",
            "image",
            width,
            height,
        )
        for name, width, height in plan
    ]


def make_videos(work: Path, count: int) -> list[MediaFile]:
    """Distinct valid MP4s: the demo clip + a `free` box of 10-200 KB random bytes (MP4 readers
    skip it; the sandbox's probe accepts it), made once into `work`."""
    rng = random.Random(7)
    head = CLIP.read_bytes()
    files = []
    for index in range(count):
        pad = rng.randrange(10_000, 200_000)
        path = work / f"video-{index:02d}.mp4"
        if not path.exists() or path.stat().st_size != len(head) + 8 + pad:
            part = path.with_name(path.name + ".part")
            part.write_bytes(head + struct.pack(">I", pad + 8) + b"free" + os.urandom(pad))
            part.replace(path)
        files.append(MediaFile(path, "video/mp4", "video", 320, 180, duration=None))
    return files


def make_media(work: Path, images: int, videos: int) -> list[MediaFile]:
    """`images` pictures and `videos` clips in `work` (made the first time)."""
    work.mkdir(parents=True, exist_ok=True)
    return make_images(work, images) + make_videos(work, videos)
