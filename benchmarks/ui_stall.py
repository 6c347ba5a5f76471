"""The window's event loop while it uploads, against the engine alone, as figures of one run.

Issue 5: the real window runs offscreen against the sandbox, Uploads pane shown, and a batch of
videos and images is dropped on it. A 5 ms timer on the GUI thread records each tick until the
queue says it is finished; the gaps between ticks are the stalls a user would feel. The same
files are then uploaded by the engine alone (`GoogleFlowClient.upload`, same concurrency, plain
asyncio, no Qt), so the window's throughput is a ratio against a reference measured in the same
run. See benchmarks/README.md for the targets and how to read them.

Issue 14: a mixed queue, files to Google Flow, Runway and a Wordbee segment at once, dropped on
the same real window target by target (mixed_queue.py), against the same gap targets.

    python benchmarks/ui_stall.py [--rounds N] [--work DIR] [--quick] [--json] [--profile]
                                  [--part flow|mixed|both]

Both sides run in child processes (`--child window|engine`), which time themselves; the window's
child also reports its peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
if str(APP) not in sys.path:  # run as a plain script, without the editable install
    sys.path.insert(0, str(APP))

from assetdesk.sandbox.launcher import SandboxProcess  # noqa: E402  (needs the path above)
from mixed_queue import (  # noqa: E402  (a sibling of this script)
    WORDBEE_SCOPE,
    WORDBEE_SEGMENT,
    check_stored,
    drops,
    make_sound,
    mixed_summary,
    mixed_table,
    split,
    wordbee_objects,
)
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

CLIP = ROOT / "resources" / "demo" / "clip-320x180.mp4"
MIB = 1024 * 1024
PIECE = 8 * MIB  # random padding is written in pieces of this size, never whole
TOKEN_ENV = "ASSETDESK_BENCH_TOKEN"  # the children get the token here, not on their command line
WORDBEE_KEY_ENV = "ASSETDESK_BENCH_WORDBEE_KEY"  # and the Wordbee API key (mixed queue) here
CONCURRENCY = 3  # the upload queue's default (services/upload_scheduler.py DEFAULT_CONCURRENCY)
TICK_MS = 5
WINDOW_TIMEOUT = 900.0  # seconds for one batch before the window's child gives up
UPLOADING = "the files uploaded"  # what ran while the timer ticked, for its errors
WORST = 5  # the longest gaps reported with the moment they ended

TARGET_P99_MS = 16.0
TARGET_MAX_MS = 50.0
TARGET_RATIO = 1.2  # window wall time / engine wall time


@dataclass(frozen=True)
class Load:
    videos: int
    video_size: int
    images: int
    sounds: int  # WAVs, in the mixed queue only (Runway and Wordbee)
    sound_size: int


FULL = Load(videos=4, video_size=100 * MIB, images=50, sounds=4, sound_size=8 * MIB)
QUICK = Load(videos=4, video_size=16 * MIB, images=10, sounds=4, sound_size=2 * MIB)


# ----------------------------------------------------------------------------------- test files


def make_video(work: Path, index: int, size: int) -> Path:
    """A valid MP4 of exactly `size` bytes: the demo clip + a `free` box of random bytes.

    The sandbox probes uploads and refuses random data, so the padding goes in a box MP4 readers
    skip (as benchmarks/transfer.py does). Made once and reused while its size matches."""
    path = work / f"video-{index}-{size // MIB}MiB.mp4"
    if path.exists() and path.stat().st_size == size:
        return path
    head = CLIP.read_bytes()
    pad = size - len(head) - 8
    if pad < 0 or pad + 8 >= 2**32:
        raise BenchError(f"Cannot make a {size:,}-byte MP4 from {CLIP.name}.")
    say(f"making {path} ...")
    part = path.with_name(path.name + ".part")
    with part.open("wb") as out:
        out.write(head + struct.pack(">I", pad + 8) + b"free")
        left = pad
        while left:
            piece = min(PIECE, left)
            out.write(os.urandom(piece))
            left -= piece
    part.replace(path)
    return path


def image_plan(count: int) -> list[tuple[str, int, int]]:
    """(file name, width, height) of each image: sizes spread over ~0.2-3 MB, PNG and JPEG."""
    rng = random.Random(5)  # the same plan every run, so the files are made once
    plan = []
    for index in range(count):
        fmt = "png" if index % 2 == 0 else "jpg"
        target = math.exp(rng.uniform(math.log(200_000), math.log(3_000_000)))
        per_pixel = 3.0 if fmt == "png" else 0.9  # what random pixels cost in each format
        aspect = rng.choice((4 / 3, 16 / 9, 1.0, 3 / 4, 3 / 2))
        height = max(16, round(math.sqrt(target / per_pixel / aspect)))
        width = max(16, round(height * aspect))
        plan.append((f"image-{index:02d}-{width}x{height}.{fmt}", width, height))
    return plan


def make_images(work: Path, count: int) -> list[Path]:
    """Real PNG and JPEG files of random pixels (QImage), made once into `work`."""
    plan = image_plan(count)
    missing = [entry for entry in plan if not (work / entry[0]).exists()]
    if missing:
        from PySide6.QtGui import QImage  # QImage needs no QApplication

        say(f"making {len(missing)} image(s) in {work} ...")
        for name, width, height in missing:
            pixels = os.urandom(width * height * 4)
            image = QImage(pixels, width, height, width * 4, QImage.Format.Format_RGB32).copy()
            part = work / (name + ".part")
            fmt = "PNG" if name.endswith(".png") else "JPEG"
            # PySide6's stub wants bytes for the format; at run time only str is accepted.
            if not image.save(str(part), fmt, 90):  # type: ignore[call-overload]
                raise BenchError(f"Qt could not write the benchmark image {name}.")
            part.replace(work / name)
    return [work / name for name, _, _ in plan]


def make_media(work: Path, load: Load) -> list[Path]:
    """Every file of the Google Flow batch, in the order they are dropped (videos first)."""
    work.mkdir(parents=True, exist_ok=True)
    videos = [make_video(work, i + 1, load.video_size) for i in range(load.videos)]
    return videos + make_images(work, load.images)


def make_mixed(work: Path, load: Load) -> dict[str, list[Path]]:
    """The mixed queue's files by target: the same videos and images, and the sounds."""
    work.mkdir(parents=True, exist_ok=True)
    videos = [make_video(work, i + 1, load.video_size) for i in range(load.videos)]
    sounds = [make_sound(work, i + 1, load.sound_size) for i in range(load.sounds)]
    return split(videos, make_images(work, load.images), sounds)


# ------------------------------------------------------------------------- child: the window


async def _window_session(
    args: argparse.Namespace, token: str, plan: list[tuple[str, list[Path]]]
) -> dict[str, Any]:
    import keyring.backends.fail
    from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QTimer, QUrl
    from PySide6.QtGui import QDropEvent

    from assetdesk.core.redact import Redactor
    from assetdesk.services.app import build_services, configure_logging
    from assetdesk.services.upload_items import UploadTarget
    from assetdesk.store.paths import AppPaths
    from assetdesk.store.secrets import SecretStore
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
    useapi = await services.accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=args.api_url, secret=token
    )
    targets = {
        "google-flow": UploadTarget.google_flow(useapi.id, useapi.name),
        "runway": UploadTarget.runway(useapi.id, useapi.name),
    }
    if any(target == "wordbee" for target, _ in plan):
        wordbee = await services.accounts.add_session_account(
            name="Sandbox Wordbee",
            kind="wordbee",
            base_url=args.wordbee_url,
            secret=os.environ.get(WORDBEE_KEY_ENV, ""),
            wordbee_account_id=args.wordbee_account,
        )
        targets["wordbee"] = UploadTarget.wordbee(
            wordbee.id, wordbee.name, WORDBEE_SCOPE, WORDBEE_SEGMENT
        )
    tasks = BackgroundTasks()
    settings = QSettings(str(paths.root / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services, tasks, settings=settings)
    window.show()
    window.focus_pane(2)  # the transfers (uploads): their visible rows get thumbnails
    pane = window.uploads_pane
    await pane.activate()
    # Start-up work settles first: the Google accounts' list. (The cycle collector's one full
    # collection and freeze happens when the window is built, ui/main_thread_gc.py; it is
    # checked here, as a batch must not meet it.)
    await asyncio.sleep(1.0)
    if gc.get_freeze_count() == 0:
        raise BenchError("The cycle collector did not settle when the window was built.")
    running = services.uploads.concurrency
    if running != CONCURRENCY:
        raise BenchError(f"The queue runs {running} at once, not {CONCURRENCY}.")

    ticks: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    finished: asyncio.Future[tuple[int, int]] = asyncio.get_running_loop().create_future()

    def on_finished(succeeded: int, failed: int) -> None:
        if not finished.done():
            finished.set_result((succeeded, failed))

    pane.queue_finished.connect(on_finished)

    held: list[QMimeData] = []  # a QDropEvent does not own its data: keep it alive

    def drop_event(files: list[Path]) -> QDropEvent:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path)) for path in files])
        held.append(mime)
        return QDropEvent(
            QPointF(20, 20),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )

    async def drop_for(target: str, files: list[Path]) -> bool:
        """One drop with `target` chosen: the pane reads its target when it starts adding the
        drop, so the next drop waits for that (the picker's own choice is not scripted here)."""
        taken = asyncio.Event()

        def chosen() -> UploadTarget:
            taken.set()
            return targets[target]

        pane.target = chosen
        event = drop_event(files)
        pane.dropEvent(event)
        await taken.wait()
        return event.isAccepted()

    expected = sum(len(files) for _, files in plan)
    final = {"done", "failed", "refused", "unknown"}

    def all_final() -> bool:
        items = services.uploads.items
        return len(items) >= expected and all(item.state.value in final for item in items)

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()  # this thread only: the loop's
    rss_before = status_bytes("VmRSS")

    timer.start()
    start = time.perf_counter()
    ticks.append(start)
    if profiler is not None:
        profiler.enable()
    if args.mixed:  # the targets take turns, one drop each (mixed_queue.py)
        accepted = [await drop_for(target, files) for target, files in plan]
    else:  # one batch to the picker's own target (Google Flow), as before
        drop = drop_event([path for _, files in plan for path in files])
        pane.dropEvent(drop)  # as a user's drop arrives: the pane checks and queues the files
        accepted = [drop.isAccepted()]
    try:
        deadline = time.monotonic() + WINDOW_TIMEOUT
        while True:  # a drop that lands after the queue finished an earlier one starts anew
            await asyncio.wait_for(asyncio.shield(finished), deadline - time.monotonic())
            if all_final():
                break
            finished = asyncio.get_running_loop().create_future()
    finally:
        if profiler is not None:
            profiler.disable()
        end = time.perf_counter()
        timer.stop()
    ticks.append(end)

    items = [
        {
            "path": item.row.path,
            "state": item.state.value,
            "message": item.row.message,
            "id": item.row.remote_id,
            "provider": item.row.provider.value,
        }
        for item in services.uploads.items
    ]
    thumbnails = sum(1 for item in services.uploads.items if pane.model.thumbnail(item.id))
    result: dict[str, Any] = {
        "seconds": end - start,
        "gaps_ms": [round((b - a) * 1000, 3) for a, b in itertools.pairwise(ticks)],
        # When the longest gaps ended, in ms after the drop: at the drop, or mid-upload?
        "worst": sorted(
            (
                (round((b - a) * 1000, 1), round((b - start) * 1000))
                for a, b in itertools.pairwise(ticks)
            ),
            reverse=True,
        )[:WORST],
        "finished": list(finished.result()),
        "items": items,
        "thumbnails": thumbnails,
        "rss_before": rss_before,
        "peak_rss": status_bytes("VmHWM"),
        "drop_accepted": all(accepted),
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


def _child_window(
    args: argparse.Namespace, token: str, plan: list[tuple[str, list[Path]]]
) -> dict[str, Any]:
    return run_window("assetdesk-bench-ui", lambda: _window_session(args, token, plan))


# ------------------------------------------------------------------------- child: the engine


async def _child_engine(args: argparse.Namespace, token: str, files: list[Path]) -> dict[str, Any]:
    from assetdesk.providers.google_flow import GoogleFlowClient
    from assetdesk.providers.useapi import UseapiConnection
    from assetdesk.services.local_files import inspect_upload

    checked = [await inspect_upload(path) for path in files]  # outside the timed part
    slots = asyncio.Semaphore(CONCURRENCY)  # FIFO: files start in order, as in the queue
    async with UseapiConnection(token, args.api_url) as conn:
        flow = GoogleFlowClient(conn)

        async def one(path: Path, index: int) -> dict[str, Any]:
            async with slots:
                candidate = checked[index]
                asset = await flow.upload(path, candidate.media_type, candidate.size)
            return {
                "path": str(path),
                "state": "done",
                "id": asset.media_generation_id,
                "provider": "google-flow",
            }

        start = time.perf_counter()
        items = await asyncio.gather(*(one(path, i) for i, path in enumerate(files)))
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "items": items, "peak_rss": status_bytes("VmHWM")}


def _read_plan(list_file: Path) -> list[tuple[str, list[Path]]]:
    """The drops a files list holds: one line per file, "TARGET<TAB>PATH", a blank line between
    drops."""
    plan: list[tuple[str, list[Path]]] = []
    for block in list_file.read_text().split("\n\n"):
        lines = [line.split("\t", 1) for line in block.splitlines() if line]
        if lines:
            plan.append((lines[0][0], [Path(path) for _, path in lines]))
    return plan


def _child_main(args: argparse.Namespace) -> int:
    token = os.environ.get(TOKEN_ENV, "")
    plan = _read_plan(Path(args.files))
    if args.child == "window":
        result = _child_window(args, token, plan)
    else:
        files = [path for _, files in plan for path in files]
        result = asyncio.run(_child_engine(args, token, files))
    print(json.dumps(result))
    return 0


# ------------------------------------------------------------------------------------ measuring


@dataclass
class Runs:
    """What the rounds measured, per side."""

    window_s: list[float] = field(default_factory=list)
    engine_s: list[float] = field(default_factory=list)
    gaps_ms: list[float] = field(default_factory=list)
    gap_rounds: list[dict[str, float]] = field(default_factory=list)
    worst: list[list[list[float]]] = field(default_factory=list)  # per round: [gap, at] pairs
    peak_rss: list[int] = field(default_factory=list)
    rss_before: list[int] = field(default_factory=list)
    thumbnails: list[int] = field(default_factory=list)
    done: list[int] = field(default_factory=list)
    profile: str | None = None


class Bench:
    """The sandbox, the batch of files (dropped at once, or target by target when `mixed`),
    and the children that upload it."""

    def __init__(
        self,
        sb: SandboxProcess,
        plan: list[tuple[str, list[Path]]],
        scratch: Path,
        *,
        mixed: bool = False,
    ) -> None:
        self.sb = sb
        self.files = [path for _, files in plan for path in files]
        self.scratch = scratch
        self.mixed = mixed
        self.sizes = {str(path.absolute()): path.stat().st_size for path in self.files}
        self.targets = {str(path.absolute()): target for target, files in plan for path in files}
        self.wordbee_before: list[str] = []
        self.list_file = scratch / ("mixed.txt" if mixed else "files.txt")
        self.list_file.write_text(
            "\n".join(
                "".join(f"{target}\t{path.absolute()}\n" for path in files)
                for target, files in plan
            )
        )
        self.window_runs = 0

    def _child(self, *argv: str) -> dict[str, Any]:
        env = dict(os.environ)
        env[TOKEN_ENV] = str(self.sb.demo["useapi_token"])
        env[WORDBEE_KEY_ENV] = str(self.sb.demo["wordbee_key"])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(APP), env.get("PYTHONPATH")) if p)
        env["QT_QPA_PLATFORM"] = "offscreen"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *argv]
        cmd += ["--api-url", self.sb.api_url, "--files", str(self.list_file)]
        cmd += ["--wordbee-url", self.sb.wordbee_url]
        cmd += ["--wordbee-account", str(self.sb.demo["wordbee_account_id"])]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            tail = redact(done.stderr.strip()[-3000:])
            raise BenchError(f"The {argv[0]} run failed (exit {done.returncode}):\n{tail}")
        result: dict[str, Any] = json.loads(lines[-1])
        return result

    def window(self, *, profile: bool = False) -> dict[str, Any]:
        self.window_runs += 1
        name = "mixed" if self.mixed else "app"
        data_dir = self.scratch / f"{name}-{self.window_runs}"  # a fresh, throw-away data folder
        argv = ["window", "--data-dir", str(data_dir)]
        if profile:
            argv.append("--profile")
        if self.mixed:
            argv.append("--mixed")
        self.wordbee_before = wordbee_objects(self.sb)
        result = self._child(*argv)
        if not result["drop_accepted"]:
            raise BenchError("The Uploads pane did not accept the drop.")
        self._check(result["items"], "window")
        shutil.rmtree(data_dir, ignore_errors=True)
        return result

    def engine(self) -> dict[str, Any]:
        self.wordbee_before = wordbee_objects(self.sb)
        result = self._child("engine")
        self._check(result["items"], "engine")
        return result

    def _check(self, items: list[dict[str, Any]], who: str) -> None:
        """Every file ended "done" and the sandbox holds it with the source's size."""
        by_path = {item["path"]: item for item in items}
        for path in self.sizes:
            item = by_path.get(path)
            if item is None:
                raise BenchError(f"The {who} run never queued {Path(path).name}.")
            if item["state"] != "done":
                why = item.get("message") or "no message"
                raise BenchError(
                    f"The {who} run left {Path(path).name} {item['state']}, not done: {why}"
                )
        if len(items) != len(self.sizes):
            raise BenchError(f"The {who} run has {len(items)} items, not {len(self.sizes)}.")
        for item in items:
            if item["provider"] != self.targets[item["path"]]:
                raise BenchError(
                    f"The {who} run sent {Path(item['path']).name} to {item['provider']}, "
                    f"not {self.targets[item['path']]}."
                )
        check_stored(self.sb, items, self.sizes, self.wordbee_before, who)
        self.sb.reset()  # deletes the uploaded copies (disk) and their records
        os.sync()  # no run pays for writing back what the previous one wrote


def _warm(files: list[Path]) -> None:
    """Read every file once, so that neither side pays for the first, cold reads."""
    for path in files:
        with path.open("rb") as handle:
            while handle.read(PIECE):
                pass


def _record_window(runs: Runs, result: dict[str, Any]) -> None:
    runs.window_s.append(result["seconds"])
    runs.gaps_ms.extend(result["gaps_ms"])
    runs.gap_rounds.append(gap_figures(result["gaps_ms"], UPLOADING))
    runs.worst.append(result["worst"])
    runs.peak_rss.append(result["peak_rss"])
    runs.rss_before.append(result["rss_before"])
    runs.thumbnails.append(result["thumbnails"])
    runs.done.append(sum(1 for item in result["items"] if item["state"] == "done"))


def measure(bench: Bench, rounds: int) -> Runs:
    runs = Runs()
    _warm(bench.files)
    for r in range(rounds):

        def window() -> None:
            _record_window(runs, bench.window())

        def engine() -> None:
            runs.engine_s.append(bench.engine()["seconds"])

        # The window first in even rounds, the engine first in odd ones.
        for run in (window, engine) if r % 2 == 0 else (engine, window):
            run()
        gaps = runs.gap_rounds[-1]
        say(
            f"round {r + 1}/{rounds}: window {runs.window_s[-1]:.2f} s "
            f"(gaps p99 {gaps['p99']:.1f} ms, max {gaps['max']:.1f} ms), "
            f"engine {runs.engine_s[-1]:.2f} s"
        )
    return runs


def measure_mixed(bench: Bench, rounds: int) -> Runs:
    """The mixed queue's rounds: the window only (no engine does three services at once)."""
    runs = Runs()
    _warm(bench.files)
    for r in range(rounds):
        _record_window(runs, bench.window())
        gaps = runs.gap_rounds[-1]
        say(
            f"mixed round {r + 1}/{rounds}: window {runs.window_s[-1]:.2f} s "
            f"(gaps p99 {gaps['p99']:.1f} ms, max {gaps['max']:.1f} ms)"
        )
    return runs


def profile_run(bench: Bench) -> str:
    """One more window run under cProfile (loop thread only); not part of the figures."""
    say("profiling one more window run (its figures are not used) ...")
    result = bench.window(profile=True)
    text: str = result.get("profile", "")
    gaps = gap_figures(result["gaps_ms"], UPLOADING)
    head = (
        f"profile of one window run under cProfile ({result['seconds']:.2f} s, "
        f"gaps p99 {gaps['p99']:.1f} ms, max {gaps['max']:.1f} ms: slowed by the profiler)"
    )
    return head + "\n" + text


# ------------------------------------------------------------------------------------- reporting


def summary(runs: Runs, load: Load, files: list[Path], rounds: int) -> dict[str, Any]:
    """The figures as one JSON-able dict (seconds, bytes, milliseconds, ratios of medians)."""
    total = sum(path.stat().st_size for path in files)
    gaps = gap_figures(runs.gaps_ms, UPLOADING)
    window = statistics.median(runs.window_s)
    engine = statistics.median(runs.engine_s)
    ratio = window / engine
    result: dict[str, Any] = {
        "rounds": rounds,
        "load": {
            "videos": load.videos,
            "video_size": load.video_size,
            "images": load.images,
            "files": len(files),
            "bytes": total,
            "concurrency": CONCURRENCY,
        },
        "gaps_ms": gaps
        | {
            "per_round": runs.gap_rounds,
            "worst_per_round": runs.worst,
            "target_p99": TARGET_P99_MS,
            "target_max": TARGET_MAX_MS,
            "p99_ok": gaps["p99"] <= TARGET_P99_MS,
            "max_ok": gaps["max"] <= TARGET_MAX_MS,
        },
        "upload": {
            "window_s": {"median": window, "min": min(runs.window_s), "all": runs.window_s},
            "engine_s": {"median": engine, "min": min(runs.engine_s), "all": runs.engine_s},
            "window_bytes_per_s": total / window,
            "engine_bytes_per_s": total / engine,
            "ratio": ratio,
            "ratio_min": min(runs.window_s) / min(runs.engine_s),
            "target": TARGET_RATIO,
            "ok": ratio <= TARGET_RATIO,
        },
        "window_peak_rss": max(runs.peak_rss),
        "window_rss_before_drop": max(runs.rss_before),
        "items_done": min(runs.done),
        "thumbnails_made": min(runs.thumbnails),
    }
    if runs.profile is not None:
        result["profile"] = runs.profile
    return result


_row = functools.partial(table_row, label_width=30)


def table(result: dict[str, Any]) -> str:
    load, gaps, up = result["load"], result["gaps_ms"], result["upload"]
    rounds = f"{result['rounds']} round{'s' if result['rounds'] != 1 else ''}"
    mib = load["bytes"] / MIB
    lines = [
        f"UI stall benchmark, {rounds}, median (min): {load['videos']} x "
        f"{load['video_size'] // MIB} MiB videos + {load['images']} images = {load['files']} "
        f"files, {mib:.0f} MiB, {load['concurrency']} at once",
        _row(
            f"timer gaps ({TICK_MS} ms timer)",
            f"{gaps['ticks']} gaps, from the drop to queue_finished, all rounds",
        ),
        _row("  p50", f"{gaps['p50']:.1f} ms"),
        _row("  p99", f"{gaps['p99']:.1f} ms", f"target <= {TARGET_P99_MS:.0f} ms", gaps["p99_ok"]),
        _row("  max", f"{gaps['max']:.1f} ms", f"target <= {TARGET_MAX_MS:.0f} ms", gaps["max_ok"]),
        _row("  gaps > 16 ms / > 50 ms", f"{gaps['over_16ms']} / {gaps['over_50ms']}"),
        *(
            _row(
                f"  longest, round {n}" if n == 1 else f"  round {n}",
                ", ".join(f"{gap:.0f} ms at {at / 1000:.2f} s" for gap, at in worst[:3]),
            )
            for n, worst in enumerate(gaps["worst_per_round"], 1)
        ),
        _row(
            "upload, drop to finished",
            f"window {up['window_s']['median']:.2f} s ({up['window_s']['min']:.2f})   "
            f"engine {up['engine_s']['median']:.2f} s ({up['engine_s']['min']:.2f})",
        ),
        _row(
            "  ratio window / engine",
            f"{up['ratio']:.2f} ({up['ratio_min']:.2f})",
            f"target <= {TARGET_RATIO}",
            up["ok"],
        ),
        _row(
            "  throughput",
            f"window {up['window_bytes_per_s'] / MIB:.1f} MiB/s   "
            f"engine {up['engine_bytes_per_s'] / MIB:.1f} MiB/s",
        ),
        _row(
            "peak RSS, window process",
            f"{result['window_peak_rss'] / MIB:.0f} MiB "
            f"({result['window_rss_before_drop'] / MIB:.0f} MiB before the drop)",
        ),
        _row(
            "items",
            f"{result['items_done']} of {load['files']} done; "
            f"{result['thumbnails_made']} thumbnails made (visible rows)",
        ),
    ]
    return "\n".join(lines)


def report(result: dict[str, Any]) -> str:
    """The tables of the parts that ran, then the profile if one was asked for."""
    parts = []
    if "upload" in result:
        parts.append(table(result))
    if "mixed" in result:
        parts.append("\n".join(mixed_table(result["mixed"], TICK_MS)))
    if result.get("profile"):
        parts.append(result["profile"].rstrip())
    return "\n\n".join(parts)


# ----------------------------------------------------------------------------------------- main


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure the window's event-loop stalls while it uploads, on the sandbox."
    )
    parser.add_argument(
        "--rounds", type=int, default=None, help="rounds (default 3; 1 with --quick)"
    )
    parser.add_argument(
        "--work",
        default="~/.cache/assetdesk-bench/ui",
        help="folder for the test files, made once and reused (default %(default)s)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="4 x 16 MiB videos and 10 images: a smoke test"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line, not the table")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="one more window run under cProfile; print its top functions (loop thread)",
    )
    parser.add_argument(
        "--part",
        choices=["flow", "mixed", "both"],
        default="both",
        help="the Google Flow batch against the engine, the mixed queue to Google Flow, Runway "
        "and Wordbee, or both (default)",
    )
    hidden = argparse.SUPPRESS  # the child side, run by the benchmark itself
    parser.add_argument("--child", choices=["window", "engine"], help=hidden)
    parser.add_argument("--api-url", help=hidden)
    parser.add_argument("--files", help=hidden)
    parser.add_argument("--data-dir", help=hidden)
    parser.add_argument("--mixed", action="store_true", help=hidden)
    parser.add_argument("--wordbee-url", help=hidden)
    parser.add_argument("--wordbee-account", help=hidden)
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.child:
        return _child_main(args)
    load = QUICK if args.quick else FULL
    rounds = args.rounds or (1 if args.quick else 3)
    work = Path(args.work).expanduser()
    result: dict[str, Any] = {}
    try:
        files = make_media(work, load) if args.part != "mixed" else []
        by_target = make_mixed(work, load) if args.part != "flow" else {}
        with tempfile.TemporaryDirectory(prefix="assetdesk-bench-ui-") as tmp:
            scratch = Path(tmp)
            sandbox_data = scratch / "sandbox"
            sandbox_data.mkdir()
            with SandboxProcess.start(control=True, data_dir=sandbox_data) as sb:
                profiled: Bench | None = None
                if files:
                    profiled = bench = Bench(sb, [("google-flow", files)], scratch)
                    result = summary(measure(bench, rounds), load, files, rounds)
                if by_target:
                    mixed = Bench(sb, drops(by_target), scratch, mixed=True)
                    profiled = profiled or mixed
                    targets = (TARGET_P99_MS, TARGET_MAX_MS)
                    runs = measure_mixed(mixed, rounds)
                    result["mixed"] = mixed_summary(runs, by_target, CONCURRENCY, targets)
                if args.profile and profiled is not None:
                    result["profile"] = profile_run(profiled)
    except BenchError as error:
        print(f"UI stall benchmark stopped: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
