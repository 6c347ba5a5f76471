"""The cycle collector runs from a GUI-thread timer while the window is up."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from tests.helpers.library_window import OpenLibrary

from assetdesk.services.app import AppServices
from assetdesk.ui.main_thread_gc import MainThreadGarbageCollector, note_activity
from assetdesk.ui.main_window import MainWindow
from assetdesk.ui.tasks import BackgroundTasks


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cycle collector frees it


@pytest.fixture
def low_threshold() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(5, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def test_cycles_are_collected_by_the_timer_not_by_allocation(
    qtbot: QtBot, low_threshold: None
) -> None:
    collector = MainThreadGarbageCollector(interval_ms=20)
    try:
        assert not gc.isenabled()
        node = Node()
        ref = weakref.ref(node)
        del node
        # Allocating far past the threshold collects nothing while automatic collection is off.
        junk = [[] for _ in range(1000)]
        assert ref() is not None
        del junk
        qtbot.waitUntil(lambda: ref() is None, timeout=5000)
    finally:
        collector.stop()
    assert gc.isenabled()


def test_long_lived_objects_are_left_out_of_later_collections(qtbot: QtBot) -> None:
    long_lived = [Node() for _ in range(100)]
    collector = MainThreadGarbageCollector(interval_ms=1000, settle_after_ms=10)
    try:
        qtbot.waitUntil(lambda: gc.get_freeze_count() >= len(long_lived), timeout=2000)
        # A cycle made after the settling is still collected.
        node = Node()
        ref = weakref.ref(node)
        del node
        gc.collect()
        assert ref() is None
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0  # handed back whole
    assert len(long_lived) == 100


def test_a_built_window_settles_the_collector_at_once(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks
) -> None:
    long_lived = [Node() for _ in range(100)]
    collector = MainThreadGarbageCollector(interval_ms=1000, settle_after_ms=60_000)
    try:
        assert gc.get_freeze_count() == 0
        window = MainWindow(services, tasks)
        qtbot.addWidget(window)
        # Settled before the window shows (and before a start-up refresh), not a minute later.
        assert gc.get_freeze_count() >= len(long_lived)
        frozen = gc.get_freeze_count()
        second = MainWindow(services, tasks)
        qtbot.addWidget(second)
        assert gc.get_freeze_count() <= frozen, "once per run: the second window stays out"
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0
    assert MainThreadGarbageCollector.current is None


def churn(qtbot: QtBot, turns: int) -> None:
    for _ in range(turns):
        junk = [Node() for _ in range(200)]
        del junk
        qtbot.wait(10)


def test_a_full_collection_waits_until_the_oldest_generation_grew_by_a_quarter(
    qtbot: QtBot,
) -> None:
    saved = gc.get_threshold()
    gc.set_threshold(50, 1, 1)  # the oldest generation's count is crossed every few checks
    full: list[int] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(len(gc.get_objects(2)))

    long_lived = [Node() for _ in range(20_000)]
    collector = MainThreadGarbageCollector(interval_ms=10, settle_after_ms=None)
    gc.callbacks.append(on_gc)
    try:
        qtbot.waitUntil(lambda: len(full) == 1, timeout=5000)  # the first: nothing known yet
        churn(qtbot, 40)  # short-lived cycles: the youngest generations free them
        assert len(full) == 1, "no full collection while the oldest generation barely grew"
        more = full[0] // 4 + 2_000  # more than a quarter of what the first one left, kept
        long_lived += [Node() for _ in range(more)]
        for _ in range(10):  # each turn's collections move them on, to the oldest generation
            churn(qtbot, 40)
            qtbot.wait(50)  # a quiet moment: a full collection that is due runs in it
            if len(full) == 2:
                break
        assert len(full) == 2
    finally:
        gc.callbacks.remove(on_gc)
        collector.stop()
        gc.set_threshold(*saved)
    assert len(long_lived) == 20_000 + more


def busy(qtbot: QtBot, turns: int) -> None:
    """Short-lived cycles made faster than the collector checks: every check finds the app
    busy (far more new objects than the youngest generation's threshold)."""
    for _ in range(turns):
        junk = [Node() for _ in range(400)]
        del junk
        qtbot.wait(2)


@pytest.fixture
def full_collections() -> Iterator[list[int]]:
    """The sizes of the oldest generation at the end of each full collection."""
    saved = gc.get_threshold()
    gc.set_threshold(50, 1, 1)
    full: list[int] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(len(gc.get_objects(2)))

    gc.callbacks.append(on_gc)
    try:
        yield full
    finally:
        gc.callbacks.remove(on_gc)
        gc.set_threshold(*saved)


def test_a_due_full_collection_waits_while_the_app_is_busy_and_runs_when_it_is_quiet(
    qtbot: QtBot, full_collections: list[int]
) -> None:
    long_lived = [Node() for _ in range(20_000)]
    collector = MainThreadGarbageCollector(interval_ms=40, settle_after_ms=None)
    try:
        qtbot.waitUntil(lambda: len(full_collections) == 1, timeout=5000)
        long_lived += [Node() for _ in range(full_collections[0] // 2)]  # due: grew by half
        busy(qtbot, 300)  # ~1.5 s of checks that each find the app busy
        assert len(full_collections) == 1, "a full collection ran while the app was busy"
        qtbot.waitUntil(lambda: len(full_collections) == 2, timeout=2000)  # the first pause
    finally:
        collector.stop()
    assert len(long_lived) > 20_000


def test_while_the_app_stays_busy_a_full_collection_runs_once_the_oldest_generation_doubled(
    qtbot: QtBot, full_collections: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assetdesk.ui.main_thread_gc.BUSY_LOOK_S", 0.05)
    long_lived = [Node() for _ in range(20_000)]
    collector = MainThreadGarbageCollector(interval_ms=40, settle_after_ms=None)
    try:
        qtbot.waitUntil(lambda: len(full_collections) == 1, timeout=5000)
        long_lived += [Node() for _ in range(full_collections[0] + 2_000)]  # more than doubled
        for _ in range(20):
            busy(qtbot, 50)
            if len(full_collections) == 2:
                break
        assert len(full_collections) == 2, "the garbage waited past the doubling"
    finally:
        collector.stop()
    assert len(long_lived) > 40_000


def test_while_the_user_scrolls_a_due_full_collection_waits_for_the_pause(
    qtbot: QtBot, full_collections: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scrolling makes and drops objects, so their net count stays low: the views say the user
    is scrolling (`note_activity`), and a due full collection waits until they stop."""
    monkeypatch.setattr("assetdesk.ui.main_thread_gc.QUIET_AFTER_S", 0.3)
    long_lived = [Node() for _ in range(20_000)]
    collector = MainThreadGarbageCollector(interval_ms=40, settle_after_ms=None)
    try:
        qtbot.waitUntil(lambda: len(full_collections) == 1, timeout=5000)
        long_lived += [Node() for _ in range(full_collections[0] // 2)]  # due: grew by half
        for _ in range(3):  # the new ones into the oldest generation, its count past 1
            gc.collect(1)
        for _ in range(40):  # ~1.2 s of scrolling, a step every 30 ms
            note_activity()
            qtbot.wait(30)
        assert len(full_collections) == 1, "a full collection ran while the user scrolled"
        qtbot.waitUntil(lambda: len(full_collections) == 2, timeout=3000)  # the pause
    finally:
        collector.stop()
    assert len(long_lived) > 20_000


def test_scrolling_a_library_view_tells_the_collector(
    open_library: OpenLibrary, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    library = open_library(added=40, size=(900, 600))
    noted: list[float] = []
    monkeypatch.setattr("assetdesk.ui.library.pane.note_activity", lambda: noted.append(1))
    for which, view in (("grid", library.pane.grid), ("list", library.pane.table)):
        library.pane.set_view(which)
        bar = view.verticalScrollBar()
        qtbot.waitUntil(lambda bar=bar: bar.maximum() > 0)  # laid out: something to scroll
        before = len(noted)
        bar.setValue(bar.maximum())
        assert len(noted) > before, f"scrolling the {which} said nothing"
