"""The Library pane with a catalog of 10,000 sandbox-backed assets, as figures of one run.

Issue 6: the real window runs offscreen against the sandbox with the Library pane current and
10,000 Runway assets in its catalog. From the moment the window shows, the child times the
catalog's arrival in the model and the first thumbnails (empty thumbnail cache: the first open),
then scrolls the grid from top to bottom, a page per 16 ms step, while a 5 ms timer records the
event loop's gaps. The same window with an empty catalog is the reference for the open time and
the gaps. See benchmarks/README.md for the targets and how to read them.

    python benchmarks/library_scale.py [--rounds N] [--work DIR] [--quick] [--json] [--profile]

Each window runs in a child process (`--child window`) that times itself and reports its peak
RSS; each gets a fresh, throw-away data folder.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import json
import logging
import math
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
if str(APP) not in sys.path:  # run as a plain script, without the editable install
    sys.path.insert(0, str(APP))

from assetdesk.sandbox.launcher import SandboxProcess  # noqa: E402  (needs the path above)
from shared import (  # noqa: E402  (a sibling of this script)
    BenchError,
    gap_figures,
    profile_text,
    redact,
    run_window,
    say,
    status_bytes,
    table_row,
)

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

CLIP = ROOT / "resources" / "demo" / "clip-320x180.mp4"
MIB = 1024 * 1024
TOKEN_ENV = "ASSETDESK_BENCH_TOKEN"  # the children get the token here, not on their command line
TICK_MS = 5
STEP_MS = 16  # one scroll step per frame at ~60 Hz
TAIL_S = 0.5  # the gaps are still recorded this long after the grid reached the bottom
OPEN_TIMEOUT = 120.0  # seconds for the visible thumbnails before the child gives up
SCROLL_TIMEOUT = 600.0
SCROLLING = "the grid scrolled"  # what ran while the timer ticked, for its errors
WORST = 5
REGISTER_THREADS = 4  # concurrent control calls while registering the sandbox's assets

TARGET_FIRST_S = 1.5  # window shown -> the visible tiles' thumbnails in the model
TARGET_MAX_GAP_MS = 50.0
TARGET_RSS = 500 * MIB


@dataclass(frozen=True)
class Load:
    assets: int
    images: int  # distinct image files
    videos: int  # distinct video files


FULL = Load(assets=10_000, images=200, videos=20)
QUICK = Load(assets=1_000, images=40, videos=4)
VIDEO_EVERY = 10  # one catalog row in ten is a video


# ----------------------------------------------------------------------------------- test files


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


def make_media(work: Path, load: Load) -> list[MediaFile]:
    work.mkdir(parents=True, exist_ok=True)
    return make_images(work, load.images) + make_videos(work, load.videos)


def catalog_plan(files: list[MediaFile], count: int) -> list[MediaFile]:
    """The file behind each catalog row: every VIDEO_EVERY-th row a video, the rest images."""
    images = [f for f in files if f.kind == "image"]
    videos = [f for f in files if f.kind == "video"]
    image_cycle, video_cycle = itertools.cycle(images), itertools.cycle(videos)
    return [
        next(video_cycle) if videos and i % VIDEO_EVERY == VIDEO_EVERY - 1 else next(image_cycle)
        for i in range(count)
    ]


def register_assets(sb: SandboxProcess, plan: list[MediaFile]) -> list[dict[str, Any]]:
    """One Runway asset in the sandbox per catalog row (files served in place, shared by rows);
    returns the rows as the catalog will hold them."""
    start = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)

    def one(index: int) -> dict[str, Any]:
        media = plan[index]
        name = f"{media.path.stem}-{index:05d}{media.path.suffix}"
        asset_id = sb.put_runway_asset(media.path, media.mime, name=name)
        return {
            "remote_id": asset_id,
            "kind": media.kind,
            "name": name,
            "mime": media.mime,
            "size": media.path.stat().st_size,
            "width": media.width,
            "height": media.height,
            "duration": media.duration,
            # Newest first is the pane's order: row 0 is the newest.
            "created_at": (start - timedelta(minutes=index)).isoformat(timespec="seconds"),
        }

    with ThreadPoolExecutor(REGISTER_THREADS) as pool:
        return list(pool.map(one, range(len(plan))))


# ------------------------------------------------------------------------- child: the window


def _insert_catalog(database: Path, rows: list[dict[str, Any]], account_id: int) -> None:
    """The catalog rows, written as a Runway listing writes them (LibraryStore.add)."""
    from assetdesk.core.ids import RunwayAssetId
    from assetdesk.store.db import open_database
    from assetdesk.store.library import AssetDraft, LibraryStore

    drafts = [
        AssetDraft(
            provider="runway",
            remote_id=row["remote_id"],
            origin="listed",
            kind=row["kind"],
            name=row["name"],
            mime=row["mime"],
            size=row["size"],
            width=row["width"],
            height=row["height"],
            duration_seconds=row["duration"],
            account_id=account_id,
            account_email=RunwayAssetId.parse(row["remote_id"]).email,
            created_at=row["created_at"],
        )
        for row in rows
    ]
    conn = open_database(database)
    try:
        stored = LibraryStore(conn).add(drafts)
    finally:
        conn.close()
    if stored.added != len(rows):
        raise BenchError(f"The catalog took {stored.added} of {len(rows)} rows.")


class _Recorder:
    """Times what the window does: thumbnails arriving in the model, viewport paints, ticks."""

    def __init__(self) -> None:
        self.thumb_at: dict[int, float] = {}  # asset id -> when its thumbnail reached the model
        self.paints: list[float] = []
        self.ticks: list[float] = []
        self.loaded_at: float | None = None
        self.collections: list[tuple[float, float, int]] = []  # (start, end, generation)
        self._gc_start = 0.0

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        """gc.callbacks hook: when each cycle collection ran (they run on the loop's thread)."""
        now = time.perf_counter()
        if phase == "start":
            self._gc_start = now
        else:
            self.collections.append((self._gc_start, now, info["generation"]))

    def gc_during(self, start: float, end: float) -> str:
        """The collections that ran within a gap: 'gc gen 2 98 ms', or ''."""
        inside = [(b - a, g) for a, b, g in self.collections if a >= start and b <= end]
        return ", ".join(f"gc gen {g} {d * 1000:.0f} ms" for d, g in inside)


async def _window_session(
    args: argparse.Namespace, token: str, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    import keyring.backends.fail
    from PySide6.QtCore import QEvent, QModelIndex, QObject, QSettings, Qt, QTimer

    from assetdesk.core.redact import Redactor
    from assetdesk.services.app import build_services, configure_logging
    from assetdesk.store.paths import AppPaths
    from assetdesk.store.secrets import SecretStore
    from assetdesk.ui.library.model import AssetRole
    from assetdesk.ui.main_window import MainWindow
    from assetdesk.ui.tasks import BackgroundTasks

    paths = AppPaths.from_option(args.data_dir)
    await asyncio.to_thread(paths.ensure)
    redactor = Redactor()
    handler = configure_logging(paths, redactor)
    no_keyring = keyring.backends.fail.Keyring()  # type: ignore[no-untyped-call]
    store = SecretStore(no_keyring, redactor=redactor, probe=False)
    services = await asyncio.to_thread(build_services, paths, secrets=store, redactor=redactor)
    services.accounts.use_session_only()
    # The two session-only accounts, as tests/gui/conftest.py's `sandbox_accounts` adds them.
    useapi = await services.accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=args.api_url, secret=token
    )
    await services.accounts.add_session_account(
        name="Sandbox Wordbee",
        kind="wordbee",
        base_url=args.wordbee_url,
        secret=os.environ.get(TOKEN_ENV + "_WORDBEE", ""),
        wordbee_account_id=args.wordbee_account,
    )
    if rows:
        await asyncio.to_thread(_insert_catalog, paths.database, rows, useapi.id)

    tasks = BackgroundTasks()
    settings = QSettings(str(paths.root / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services, tasks, settings=settings)
    window.navigation.setCurrentRow(2)  # the Library pane, current when the window shows
    pane = window.library_pane
    model, grid = pane.model, pane.grid
    rec = _Recorder()

    def on_data(top: QModelIndex, bottom: QModelIndex, roles: list[int] = []) -> None:  # noqa: B006
        now = time.perf_counter()
        for row in range(top.row(), bottom.row() + 1):
            asset = model.index(row, 0).data(AssetRole)
            if asset is not None and asset.id not in rec.thumb_at and model.thumbnail(asset.id):
                rec.thumb_at[asset.id] = now

    def on_reset() -> None:  # only `set_assets` resets the model: the pane's first reload
        if rec.loaded_at is None:
            rec.loaded_at = time.perf_counter()

    class PaintSpy(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                rec.paints.append(time.perf_counter())
            return False

    model.dataChanged.connect(on_data)
    model.modelReset.connect(on_reset)
    spy = PaintSpy()
    grid.viewport().installEventFilter(spy)
    pane.empty.installEventFilter(spy)  # what an empty catalog paints instead of the grid

    ticks = QTimer()
    ticks.setTimerType(Qt.TimerType.PreciseTimer)
    ticks.setInterval(TICK_MS)
    ticks.timeout.connect(lambda: rec.ticks.append(time.perf_counter()))

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()  # this thread only: the loop's

    def visible_ids() -> list[int]:
        """The assets whose tiles intersect the grid's viewport (the first screen)."""
        area = grid.viewport().rect()
        found = []
        for row in range(pane.proxy.rowCount()):
            index = pane.proxy.index(row, 0)
            rect = grid.visualRect(index)
            if rect.isValid() and rect.intersects(area):
                found.append(index.data(AssetRole).id)
            elif found and rect.top() > area.bottom():
                break
        return found

    def laid_out() -> bool:
        """Batched layout is done when the last item has a place."""
        last = pane.proxy.rowCount() - 1
        return last < 0 or grid.visualRect(pane.proxy.index(last, 0)).isValid()

    import gc

    gc.callbacks.append(rec.on_gc)
    rss_before = status_bytes("VmRSS")
    deadline = time.perf_counter() + OPEN_TIMEOUT
    if profiler is not None:
        profiler.enable()
    ticks.start()
    t0 = time.perf_counter()
    rec.ticks.append(t0)
    window.show()
    shown_s = time.perf_counter() - t0
    visible: list[int] = []
    while True:  # the catalog in the model, laid out, and every visible tile's thumbnail
        await asyncio.sleep(0.005)
        if time.perf_counter() > deadline:
            raise BenchError(
                f"After {OPEN_TIMEOUT:.0f} s the pane shows {model.rowCount()} of {len(rows)} "
                f"rows and {model.thumbnails_made()} thumbnails."
            )
        if rec.loaded_at is None or model.rowCount() != len(rows) or not laid_out():
            continue
        visible = visible_ids()
        if all(asset_id in rec.thumb_at for asset_id in visible):
            break
    open_end = time.perf_counter()
    open_ticks = len(rec.ticks)
    await asyncio.sleep(0.1)  # the paint that follows the last thumbnail

    def after(moment: float | None) -> float | None:
        """The first paint of the pane's view at or after `moment`, in seconds after t0. With
        none after it but one before (the empty catalog's label, unchanged by its load), what
        was painted already shows it: `moment` itself."""
        if moment is None or not rec.paints:
            return None
        later = [p for p in rec.paints if p >= moment]
        return (later[0] if later else moment) - t0

    arrivals = sorted(rec.thumb_at.values())
    visible_in = max((rec.thumb_at[i] for i in visible), default=None)
    n_visible = max(1, len(visible))
    first_n = arrivals[n_visible - 1] if len(arrivals) >= n_visible else None
    loaded_paint = after(rec.loaded_at)
    opened: dict[str, Any] = {
        "shown_s": shown_s,
        "loaded_s": None if rec.loaded_at is None else rec.loaded_at - t0,
        "loaded_painted_s": loaded_paint,
        "first_thumbnail_s": arrivals[0] - t0 if arrivals else None,
        "first_thumbnail_painted_s": after(arrivals[0]) if arrivals else None,
        "first_n_s": None if first_n is None else first_n - t0,
        "visible_in_s": None if visible_in is None else visible_in - t0,
        "visible_painted_s": after(visible_in),
        "visible": len(visible),
        "open_done_s": open_end - t0,
    }

    # ------------------------------------------------------------ the scroll
    bar = grid.verticalScrollBar()
    steps_done = 0
    target_steps = args.steps  # the empty catalog's run: as many steps as the full one took
    reached: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    scroller = QTimer()
    scroller.setTimerType(Qt.TimerType.PreciseTimer)
    scroller.setInterval(STEP_MS)

    def step() -> None:
        nonlocal steps_done
        steps_done += 1
        bar.setValue(bar.value() + max(1, bar.pageStep()))
        at_end = bar.value() >= bar.maximum()
        if (at_end if target_steps is None else steps_done >= target_steps) and not reached.done():
            scroller.stop()
            reached.set_result(None)

    scroll_first_tick = len(rec.ticks)
    scroll_start = time.perf_counter()
    rec.ticks.append(scroll_start)
    thumbs_at_start = model.thumbnails_made()
    scroller.timeout.connect(step)
    scroller.start()
    await asyncio.wait_for(reached, SCROLL_TIMEOUT)
    bottom_at = time.perf_counter()
    await asyncio.sleep(TAIL_S)
    scroll_end = time.perf_counter()
    rec.ticks.append(scroll_end)
    ticks.stop()
    if profiler is not None:
        profiler.disable()
    rss_bottom, peak_bottom = status_bytes("VmRSS"), status_bytes("VmHWM")
    thumbs_bottom, pending_bottom = model.thumbnails_made(), len(tasks)
    # --settle: the thumbnails asked for while scrolling are still being made; let them.
    for _ in range(math.ceil(args.settle * 10)):
        if not len(tasks):
            break
        await asyncio.sleep(0.1)

    open_gaps = [(b - a) * 1000 for a, b in itertools.pairwise(rec.ticks[:open_ticks])]
    scroll_ticks = rec.ticks[scroll_first_tick:]
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(scroll_ticks)]
    worst = [
        [gap, at, rec.gc_during(a, b)]
        for gap, at, a, b in sorted(
            (
                (round((b - a) * 1000, 1), round((b - scroll_start) * 1000), a, b)
                for a, b in itertools.pairwise(scroll_ticks)
            ),
            reverse=True,
        )[:WORST]
    ]
    open_worst = max(itertools.pairwise(rec.ticks[:open_ticks]), key=lambda p: p[1] - p[0])
    result: dict[str, Any] = {
        "rows": len(rows),
        "open": opened,
        "open_gaps_ms": [round(g, 3) for g in open_gaps],
        "open_worst": [
            round((open_worst[1] - open_worst[0]) * 1000, 1),
            round((open_worst[1] - t0) * 1000),
            rec.gc_during(*open_worst),
        ],
        "gc": [  # collections over 10 ms: [start after t0 ms, duration ms, generation]
            [round((a - t0) * 1000), round((b - a) * 1000, 1), g]
            for a, b, g in rec.collections
            if b - a > 0.010
        ],
        "gaps_ms": [round(g, 3) for g in gaps],
        "worst": worst,
        "steps": steps_done,
        "scroll_s": bottom_at - scroll_start,
        "at_bottom": bar.value() >= bar.maximum(),
        "thumbnails_at_scroll_start": thumbs_at_start,
        "thumbnails_at_bottom": thumbs_bottom,
        "tasks_pending_at_bottom": pending_bottom,
        "rss_before_show": rss_before,
        "rss_at_bottom": rss_bottom,
        "peak_rss": peak_bottom,
        "settled": {
            "seconds": args.settle,
            "thumbnails": model.thumbnails_made(),
            "tasks_pending": len(tasks),
            "rss": status_bytes("VmRSS"),
            "peak_rss": status_bytes("VmHWM"),
        },
        "viewport": [grid.viewport().width(), grid.viewport().height()],
    }
    if profiler is not None:
        result["profile"] = profile_text(profiler)

    # Shut down as the app does: tasks, the window, the clients; the log file last.
    await tasks.aclose()
    window.close()
    await services.aclose()
    logging.getLogger("assetdesk").removeHandler(handler)
    handler.close()
    return result


def _child_window(args: argparse.Namespace, token: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = json.loads(Path(args.catalog).read_text()) if args.catalog else []
    return run_window("assetdesk-bench-library", lambda: _window_session(args, token, rows))


def _child_main(args: argparse.Namespace) -> int:
    result = _child_window(args, os.environ.get(TOKEN_ENV, ""))
    print(json.dumps(result))
    return 0


# ------------------------------------------------------------------------------------ measuring


@dataclass
class Runs:
    """What the rounds measured: the full catalog's window runs and the empty ones."""

    full: list[dict[str, Any]] = field(default_factory=list)
    empty: list[dict[str, Any]] = field(default_factory=list)
    register_s: float = 0.0
    profile: str | None = None


class Bench:
    """The sandbox, the catalog rows that point into it, and the window's child runs."""

    def __init__(
        self, sb: SandboxProcess, catalog: list[dict[str, Any]], scratch: Path, settle: float
    ) -> None:
        self.sb = sb
        self.settle = settle
        self.scratch = scratch
        self.catalog_file = scratch / "catalog.json"
        self.catalog_file.write_text(json.dumps(catalog))
        self.rows = len(catalog)
        self.runs = 0

    def window(
        self, *, empty: bool, steps: int | None = None, profile: bool = False
    ) -> dict[str, Any]:
        self.runs += 1
        data_dir = self.scratch / f"app-{self.runs}"  # fresh: empty catalog and thumbnail cache
        env = dict(os.environ)
        env[TOKEN_ENV] = str(self.sb.demo["useapi_token"])
        env[TOKEN_ENV + "_WORDBEE"] = str(self.sb.demo["wordbee_key"])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(APP), env.get("PYTHONPATH")) if p)
        env["QT_QPA_PLATFORM"] = "offscreen"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "window"]
        cmd += ["--api-url", self.sb.api_url, "--wordbee-url", self.sb.wordbee_url]
        cmd += ["--wordbee-account", str(self.sb.demo["wordbee_account_id"])]
        cmd += ["--data-dir", str(data_dir)]
        if not empty:
            cmd += ["--catalog", str(self.catalog_file), "--settle", str(self.settle)]
        if steps is not None:
            cmd += ["--steps", str(steps)]
        if profile:
            cmd.append("--profile")
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        shutil.rmtree(data_dir, ignore_errors=True)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            tail = redact(done.stderr.strip()[-3000:])
            raise BenchError(f"The window run failed (exit {done.returncode}):\n{tail}")
        result: dict[str, Any] = json.loads(lines[-1])
        if not result["at_bottom"] and steps is None:
            raise BenchError("The grid never reached the bottom of the catalog.")
        return result


def measure(bench: Bench, rounds: int) -> Runs:
    runs = Runs()
    for r in range(rounds):

        def full() -> None:
            runs.full.append(bench.window(empty=False))

        def empty() -> None:
            # As many scroll steps as the full catalog took (its first run, before any).
            runs.empty.append(bench.window(empty=True, steps=runs.full[0]["steps"]))

        # The full catalog first in even rounds, the empty one first in odd ones (the first
        # round always starts with the full one: the empty run needs its step count).
        for run in (full, empty) if r % 2 == 0 else (empty, full):
            run()
        f, e = runs.full[-1], runs.empty[-1]
        gaps = gap_figures(f["gaps_ms"], SCROLLING)
        say(
            f"round {r + 1}/{rounds}: {f['rows']:,} assets: visible thumbnails "
            f"{_s(f['open']['visible_in_s'])}, scroll gaps p99 {gaps['p99']:.1f} ms "
            f"max {gaps['max']:.1f} ms, peak RSS {f['peak_rss'] / MIB:.0f} MiB; empty: "
            f"loaded {_s(e['open']['loaded_s'])}"
        )
    return runs


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def profile_run(bench: Bench) -> str:
    """One more full-catalog run under cProfile (loop thread only); not part of the figures."""
    say("profiling one more window run (its figures are not used) ...")
    result = bench.window(empty=False, profile=True)
    gaps = gap_figures(result["gaps_ms"], SCROLLING)
    head = (
        f"profile of one window run under cProfile, window shown to the bottom of the grid "
        f"(visible thumbnails {_s(result['open']['visible_in_s'])}, scroll gaps p99 "
        f"{gaps['p99']:.1f} ms, max {gaps['max']:.1f} ms: slowed by the profiler)"
    )
    return head + "\n" + str(result.get("profile", ""))


# ------------------------------------------------------------------------------------- reporting


def _median_min(values: list[float | None]) -> dict[str, Any]:
    known = [v for v in values if v is not None]
    if not known:
        return {"median": None, "min": None, "all": values}
    return {"median": statistics.median(known), "min": min(known), "all": values}


def summary(runs: Runs, load: Load, rounds: int, settle: float) -> dict[str, Any]:
    """The figures as one JSON-able dict (seconds, bytes, milliseconds, ratios of medians)."""
    full, empty = runs.full, runs.empty

    def opened(side: list[dict[str, Any]], key: str) -> dict[str, Any]:
        return _median_min([run["open"][key] for run in side])

    gaps = gap_figures([g for run in full for g in run["gaps_ms"]], SCROLLING)
    empty_gaps = gap_figures([g for run in empty for g in run["gaps_ms"]], SCROLLING)
    open_gaps = gap_figures([g for run in full for g in run["open_gaps_ms"]], SCROLLING)
    empty_open_gaps = gap_figures([g for run in empty for g in run["open_gaps_ms"]], SCROLLING)
    loaded, loaded_empty = opened(full, "loaded_painted_s"), opened(empty, "loaded_painted_s")
    visible = opened(full, "visible_in_s")
    peak = max(run["peak_rss"] for run in full)
    result: dict[str, Any] = {
        "rounds": rounds,
        "load": {
            "assets": load.assets,
            "distinct_images": load.images,
            "distinct_videos": load.videos,
            "video_every": VIDEO_EVERY,
            "register_s": runs.register_s,
            "viewport": full[0]["viewport"],
        },
        "open": {
            "shown_s": opened(full, "shown_s"),
            "loaded_s": opened(full, "loaded_s"),
            "loaded_painted_s": loaded,
            "empty_loaded_painted_s": loaded_empty,
            "ratio": loaded["median"] / loaded_empty["median"],
            "ratio_min": loaded["min"] / loaded_empty["min"],
            "first_thumbnail_s": opened(full, "first_thumbnail_s"),
            "first_thumbnail_painted_s": opened(full, "first_thumbnail_painted_s"),
            "first_n_s": opened(full, "first_n_s"),
            "visible_in_s": visible,
            "visible_painted_s": opened(full, "visible_painted_s"),
            "visible": min(run["open"]["visible"] for run in full),
            "target": TARGET_FIRST_S,
            "ok": visible["median"] is not None and visible["median"] <= TARGET_FIRST_S,
            "gaps_ms": open_gaps,
            "empty_gaps_ms": empty_open_gaps,
            "worst_per_round": [run["open_worst"] for run in full],
        },
        "scroll": {
            "steps": full[0]["steps"],
            "seconds": _median_min([run["scroll_s"] for run in full]),
            "gaps_ms": gaps
            | {
                "worst_per_round": [run["worst"] for run in full],
                "target_max": TARGET_MAX_GAP_MS,
                "max_ok": gaps["max"] <= TARGET_MAX_GAP_MS,
            },
            "empty_gaps_ms": empty_gaps,
            "ratio_p99": gaps["p99"] / empty_gaps["p99"],
            "ratio_max": gaps["max"] / empty_gaps["max"],
            "thumbnails_at_start": min(run["thumbnails_at_scroll_start"] for run in full),
            "thumbnails_at_bottom": min(run["thumbnails_at_bottom"] for run in full),
            "tasks_pending": max(run["tasks_pending_at_bottom"] for run in full),
        },
        "rss": {
            "peak": peak,
            "empty_peak": max(run["peak_rss"] for run in empty),
            "before_show": max(run["rss_before_show"] for run in full),
            "at_bottom": max(run["rss_at_bottom"] for run in full),
            "target": TARGET_RSS,
            "ok": peak <= TARGET_RSS,
        },
    }
    if settle:
        last = [run["settled"] for run in full]
        result["settled"] = {
            "seconds": settle,
            "thumbnails": min(s["thumbnails"] for s in last),
            "tasks_pending": max(s["tasks_pending"] for s in last),
            "peak_rss": max(s["peak_rss"] for s in last),
            "rss": max(s["rss"] for s in last),
        }
    if runs.profile is not None:
        result["profile"] = runs.profile
    return result


def _mm(figure: dict[str, Any], scale: float = 1.0, unit: str = "s") -> str:
    if figure["median"] is None:
        return "—"
    return f"{figure['median'] * scale:.2f} {unit} ({figure['min'] * scale:.2f})"


_row = functools.partial(table_row, label_width=32)


def table(result: dict[str, Any]) -> str:
    load, op, sc, rss = result["load"], result["open"], result["scroll"], result["rss"]
    rounds = f"{result['rounds']} round{'s' if result['rounds'] != 1 else ''}"
    gaps, empty_gaps, open_gaps = sc["gaps_ms"], sc["empty_gaps_ms"], op["gaps_ms"]
    lines = [
        f"library scale benchmark, {rounds}, median (min): {load['assets']:,} Runway assets "
        f"(sandbox; {load['distinct_images']} images + {load['distinct_videos']} videos, "
        f"1 row in {load['video_every']} a video), empty thumbnail cache (first open)",
        _row(
            "grid viewport",
            f"{load['viewport'][0]} x {load['viewport'][1]} px, {op['visible']} tiles visible",
        ),
        _row("open, seconds after show()", f"(show() itself took {_mm(op['shown_s'])})"),
        _row("  catalog in the model", _mm(op["loaded_s"])),
        _row(
            "  ... painted",
            f"{_mm(op['loaded_painted_s'])}   empty catalog {_mm(op['empty_loaded_painted_s'])}",
        ),
        _row("  ratio full / empty", f"{op['ratio']:.2f} ({op['ratio_min']:.2f})"),
        _row(
            "  first thumbnail",
            f"{_mm(op['first_thumbnail_s'])}, painted {_mm(op['first_thumbnail_painted_s'])}",
        ),
        _row(
            f"  all {op['visible']} visible thumbnails",
            f"{_mm(op['visible_in_s'])}, painted {_mm(op['visible_painted_s'])}",
            f"target <= {TARGET_FIRST_S} s",
            op["ok"],
        ),
        _row(
            "  loop gaps while opening",
            f"max {open_gaps['max']:.1f} ms, {open_gaps['over_50ms']} > 50 ms   empty catalog "
            f"max {op['empty_gaps_ms']['max']:.1f} ms, {op['empty_gaps_ms']['over_50ms']} > 50 ms",
        ),
        _row(
            "  longest while opening",
            ", ".join(
                f"{gap:.0f} ms at {at / 1000:.2f} s" + (f" ({why})" if why else "")
                for gap, at, why in op["worst_per_round"]
            ),
        ),
        _row(
            f"scroll, {sc['steps']} steps of a page",
            f"{_mm(sc['seconds'])} top to bottom, {STEP_MS} ms a step; {gaps['ticks']} gaps",
        ),
        _row("  p50", f"{gaps['p50']:.1f} ms   empty catalog {empty_gaps['p50']:.1f} ms"),
        _row(
            "  p99",
            f"{gaps['p99']:.1f} ms   empty catalog {empty_gaps['p99']:.1f} ms   "
            f"ratio {sc['ratio_p99']:.2f}",
        ),
        _row(
            "  max",
            f"{gaps['max']:.1f} ms   empty catalog {empty_gaps['max']:.1f} ms   "
            f"ratio {sc['ratio_max']:.2f}",
            f"target <= {TARGET_MAX_GAP_MS:.0f} ms",
            gaps["max_ok"],
        ),
        _row(
            "  gaps > 16 ms / > 50 ms",
            f"{gaps['over_16ms']} / {gaps['over_50ms']}   empty catalog "
            f"{empty_gaps['over_16ms']} / {empty_gaps['over_50ms']}",
        ),
        *(
            _row(
                f"  longest, round {n}" if n == 1 else f"  round {n}",
                ", ".join(
                    f"{gap:.0f} ms at {at / 1000:.2f} s" + (f" ({why})" if why else "")
                    for gap, at, why in worst[:3]
                ),
            )
            for n, worst in enumerate(gaps["worst_per_round"], 1)
        ),
        _row(
            "  thumbnails made",
            f"{sc['thumbnails_at_start']} at the top, {sc['thumbnails_at_bottom']} at the "
            f"bottom; {sc['tasks_pending']} tasks still pending",
        ),
        _row(
            "peak RSS, window process",
            f"{rss['peak'] / MIB:.0f} MiB ({rss['before_show'] / MIB:.0f} before show, "
            f"empty catalog {rss['empty_peak'] / MIB:.0f})",
            f"target <= {TARGET_RSS // MIB} MiB",
            rss["ok"],
        ),
        _row("sandbox assets registered", f"{load['register_s']:.1f} s (not part of any figure)"),
    ]
    settled = result.get("settled")
    if settled:
        lines.insert(
            -1,
            _row(
                f"  after --settle {settled['seconds']:.0f} s",
                f"{settled['rss'] / MIB:.0f} MiB, peak {settled['peak_rss'] / MIB:.0f} MiB; "
                f"{settled['thumbnails']} thumbnails, {settled['tasks_pending']} tasks pending",
            ),
        )
    if result.get("profile"):
        lines += ["", result["profile"].rstrip()]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------- main


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure the Library pane with a catalog of 10,000 assets, on the sandbox."
    )
    parser.add_argument(
        "--rounds", type=int, default=None, help="rounds (default 3; 1 with --quick)"
    )
    parser.add_argument(
        "--work",
        default="~/.cache/assetdesk-bench/library",
        help="folder for the test images and videos, made once and reused (default %(default)s)",
    )
    parser.add_argument("--quick", action="store_true", help="1,000 assets: a smoke test")
    parser.add_argument("--json", action="store_true", help="print one JSON line, not the table")
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        metavar="S",
        help="after the scroll, wait up to S seconds for the thumbnails still pending, then "
        "read the RSS again (default 0: not at all)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="one more window run under cProfile; print its top functions (loop thread)",
    )
    hidden = argparse.SUPPRESS  # the child side, run by the benchmark itself
    parser.add_argument("--child", choices=["window"], help=hidden)
    parser.add_argument("--api-url", help=hidden)
    parser.add_argument("--wordbee-url", help=hidden)
    parser.add_argument("--wordbee-account", help=hidden)
    parser.add_argument("--catalog", help=hidden)
    parser.add_argument("--data-dir", help=hidden)
    parser.add_argument("--steps", type=int, help=hidden)
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.settle < 0:
        parser.error("--settle cannot be negative")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.child:
        return _child_main(args)
    load = QUICK if args.quick else FULL
    rounds = args.rounds or (1 if args.quick else 3)
    work = Path(args.work).expanduser()
    try:
        files = make_media(work, load)
        with tempfile.TemporaryDirectory(prefix="assetdesk-bench-library-") as tmp:
            scratch = Path(tmp)
            sandbox_data = scratch / "sandbox"
            sandbox_data.mkdir()
            with SandboxProcess.start(control=True, data_dir=sandbox_data) as sb:
                say(f"registering {load.assets:,} Runway assets in the sandbox ...")
                start = time.perf_counter()
                catalog = register_assets(sb, catalog_plan(files, load.assets))
                register_s = time.perf_counter() - start
                bench = Bench(sb, catalog, scratch, args.settle)
                runs = measure(bench, rounds)
                runs.register_s = register_s
                if args.profile:
                    runs.profile = profile_run(bench)
    except (BenchError, RuntimeError) as error:
        print(f"Library scale benchmark stopped: {error}", file=sys.stderr)
        return 1
    result = summary(runs, load, rounds, args.settle)
    print(json.dumps(result) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
