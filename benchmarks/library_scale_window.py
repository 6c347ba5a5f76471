"""The library benchmark's window child (`library_scale.py --child window`): the real MainWindow,
offscreen, over a catalog written before it exists, in four phases.

1. Set-up: the services over a fresh data folder, the two session-only sandbox accounts, then
   the catalog written by another process (`--child insert`: the rows never enter this one).
2. Open: t0 just before `window.show()`, then the catalog in the view, laid out, and a
   thumbnail for every tile that intersects the viewport (an empty thumbnail cache).
3. Scroll: the grid a page per 16 ms from top to bottom.
4. Changes: searches, filters, sorts and a refresh that adds rows (library_scale_changes.py).

A 5 ms PreciseTimer records the loop's gaps throughout. After each phase the result so far is
written to `--partial`, so that a run the parent has to stop still says how far it got.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from library_scale_changes import run_changes
from shared import BenchError, profile_text, status_bytes

TOKEN_ENV = "ASSETDESK_BENCH_TOKEN"  # the children get the token here, not on their command line
TICK_MS = 5
STEP_MS = 16  # one scroll step per frame at ~60 Hz
TAIL_S = 0.5  # the gaps are still recorded this long after the grid reached the bottom
WORST = 5


class PhaseTimeout(BenchError):
    """A phase of the window run took longer than --timeout: the run stops there."""


class Recorder:
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

    def mark(self) -> int:
        """A tick now (a phase starts or ends); its index."""
        self.ticks.append(time.perf_counter())
        return len(self.ticks) - 1

    def gaps(self, first: int, last: int | None = None) -> list[float]:
        """The gaps in ms between the ticks `first` .. `last` (to the end when None)."""
        span = self.ticks[first : None if last is None else last + 1]
        return [round((b - a) * 1000, 3) for a, b in itertools.pairwise(span)]

    def worst(self, first: int, last: int | None, origin: float) -> list[list[Any]]:
        """The WORST longest gaps of that span: [ms, end in ms after `origin`, collections]."""
        span = self.ticks[first : None if last is None else last + 1]
        pairs = sorted(itertools.pairwise(span), key=lambda p: p[1] - p[0], reverse=True)
        return [
            [round((b - a) * 1000, 1), round((b - origin) * 1000), self.gc_during(a, b)]
            for a, b in pairs[:WORST]
        ]


def _insert_in_child(args: argparse.Namespace, database: Path, account_id: int) -> None:
    """The catalog written by another process, as a listing writes it (its rows stay there)."""
    cmd = [sys.executable, str(Path(args.script_path)), "--child", "insert"]
    cmd += ["--catalog", args.catalog, "--database", str(database)]
    cmd += ["--account-id", str(account_id)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"Writing the catalog failed:\n{done.stderr.strip()[-2000:]}")


async def window_session(args: argparse.Namespace, token: str) -> dict[str, Any]:
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
    started = time.perf_counter()
    if args.catalog:
        await asyncio.to_thread(_insert_in_child, args, paths.database, useapi.id)
    insert_s = time.perf_counter() - started
    script: dict[str, Any] = {}
    if args.changes:
        script = json.loads(await asyncio.to_thread(Path(args.changes).read_text))
    expected_rows = args.rows or 0

    tasks = BackgroundTasks()
    settings = QSettings(str(paths.root / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services, tasks, settings=settings)
    pane = window.library_pane
    model, grid = pane.model, pane.grid
    shown = grid.model()  # what the grid shows (today the filter proxy over the model)
    rec = Recorder()

    def on_data(top: QModelIndex, bottom: QModelIndex, roles: list[int] = []) -> None:  # noqa: B006
        now = time.perf_counter()
        for row in range(top.row(), bottom.row() + 1):
            asset = model.index(row, 0).data(AssetRole)
            if asset is not None and asset.id not in rec.thumb_at and model.thumbnail(asset.id):
                rec.thumb_at[asset.id] = now

    def on_reset() -> None:  # the first reset is the catalog's arrival
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

    def visible_ids() -> list[int] | None:
        """The assets whose tiles intersect the grid's viewport (the first screen); None while
        one of them has no asset yet (a model that fetches its rows in the background)."""
        area = grid.viewport().rect()
        found = []
        for row in range(shown.rowCount()):
            index = shown.index(row, 0)
            rect = grid.visualRect(index)
            if rect.isValid() and rect.intersects(area):
                asset = index.data(AssetRole)
                if asset is None:
                    return None
                found.append(asset.id)
            elif found and rect.top() > area.bottom():
                break
        return found

    def laid_out() -> bool:
        """Batched layout is done when the last item has a place."""
        last = shown.rowCount() - 1
        return last < 0 or grid.visualRect(shown.index(last, 0)).isValid()

    result: dict[str, Any] = {"rows": expected_rows, "insert_s": insert_s, "phase": "open"}

    def keep(phase: str) -> None:
        result["phase"] = phase
        result["peak_rss"] = status_bytes("VmHWM")
        if args.partial:
            Path(args.partial).write_text(json.dumps(result))

    keep("open")
    gc.callbacks.append(rec.on_gc)
    rss_before = status_bytes("VmRSS")
    deadline = time.perf_counter() + args.phase_timeout
    if profiler is not None:
        profiler.enable()
    ticks.start()
    t0 = time.perf_counter()
    rec.ticks.append(t0)
    window.show()

    async def phases() -> None:
        shown_s = time.perf_counter() - t0
        visible: list[int] = []
        while True:  # the catalog in the view, laid out, and every visible tile's thumbnail
            await asyncio.sleep(0.005)
            if time.perf_counter() > deadline:
                raise PhaseTimeout(
                    f"After {args.phase_timeout:.0f} s the pane shows {shown.rowCount()} of "
                    f"{expected_rows} rows and {model.thumbnails_made()} thumbnails."
                )
            if shown.rowCount() != expected_rows or not laid_out():
                continue
            if rec.loaded_at is None:  # a model that never resets: when the rows were seen
                rec.loaded_at = time.perf_counter()
            on_screen = visible_ids()
            if on_screen is not None and all(asset_id in rec.thumb_at for asset_id in on_screen):
                visible = on_screen
                break
        open_end = rec.mark()
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
        result["open"] = {
            "shown_s": shown_s,
            "loaded_s": None if rec.loaded_at is None else rec.loaded_at - t0,
            "loaded_painted_s": after(rec.loaded_at),
            "first_thumbnail_s": arrivals[0] - t0 if arrivals else None,
            "first_thumbnail_painted_s": after(arrivals[0]) if arrivals else None,
            "first_n_s": None if first_n is None else first_n - t0,
            "visible_in_s": None if visible_in is None else visible_in - t0,
            "visible_painted_s": after(visible_in),
            "visible": len(visible),
            "open_done_s": rec.ticks[open_end] - t0,
        }
        result["open_gaps_ms"] = rec.gaps(0, open_end)
        result["open_worst"] = rec.worst(0, open_end, t0)[0]
        result["rss_before_show"] = rss_before
        result["viewport"] = [grid.viewport().width(), grid.viewport().height()]
        keep("scroll")

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
            if (
                at_end if target_steps is None else steps_done >= target_steps
            ) and not reached.done():
                scroller.stop()
                reached.set_result(None)

        scroll_first = rec.mark()
        scroll_start = rec.ticks[scroll_first]
        thumbs_at_start = model.thumbnails_made()
        scroller.timeout.connect(step)
        scroller.start()
        try:
            await asyncio.wait_for(reached, args.phase_timeout)
        except TimeoutError:
            raise PhaseTimeout(
                f"The grid was still scrolling after {args.phase_timeout:.0f} s"
            ) from None
        bottom_at = time.perf_counter()
        await asyncio.sleep(TAIL_S)
        scroll_last = rec.mark()
        if profiler is not None:
            profiler.disable()
        result.update(
            gaps_ms=rec.gaps(scroll_first, scroll_last),
            worst=rec.worst(scroll_first, scroll_last, scroll_start),
            steps=steps_done,
            scroll_s=bottom_at - scroll_start,
            at_bottom=bar.value() >= bar.maximum(),
            thumbnails_at_scroll_start=thumbs_at_start,
            thumbnails_at_bottom=model.thumbnails_made(),
            tasks_pending_at_bottom=len(tasks),
            rss_at_bottom=status_bytes("VmRSS"),
            peak_rss_at_bottom=status_bytes("VmHWM"),
        )
        # --settle: the thumbnails asked for while scrolling are still being made; let them.
        for _ in range(round(args.settle * 10)):
            if not len(tasks):
                break
            await asyncio.sleep(0.1)
        result["settled"] = {
            "seconds": args.settle,
            "thumbnails": model.thumbnails_made(),
            "tasks_pending": len(tasks),
            "rss": status_bytes("VmRSS"),
            "peak_rss": status_bytes("VmHWM"),
        }
        if profiler is not None:
            result["profile"] = profile_text(profiler)
        keep("changes")

        if script:
            bar.setValue(0)  # back to the top, as after a search; let the thumbnails there come
            for _ in range(50):
                if not len(tasks):
                    break
                await asyncio.sleep(0.1)
            await run_changes(
                pane, rec, script, result, keep, paths.database, useapi.id, args.phase_timeout
            )

    try:
        await phases()
    except PhaseTimeout as stop:
        result["stopped"] = f"{stop} (its {result['phase']} phase)"
        if profiler is not None:
            profiler.disable()
    ticks.stop()
    gc.callbacks.remove(rec.on_gc)
    result["gc"] = [  # collections over 10 ms: [start after t0 ms, duration ms, generation]
        [round((a - t0) * 1000), round((b - a) * 1000, 1), g]
        for a, b, g in rec.collections
        if b - a > 0.010
    ]
    result["peak_rss"] = status_bytes("VmHWM")
    result["phase"] = "done"

    # Shut down as the app does: tasks, the window, the clients; the log file last.
    await tasks.aclose()
    window.close()
    await services.aclose()
    logging.getLogger("assetdesk").removeHandler(handler)
    handler.close()
    return result
