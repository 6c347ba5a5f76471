"""The library benchmark's last phase, in the window child: search, filter and sort changes made
through the filter bar as a user makes them, each timed to the view updated and checked against
the plan's count, then a refresh that adds rows while the loop's gaps are recorded.

"View updated": when the pane's model has a `rows_settled` signal (it asks SQLite without
blocking the loop and says when the rows shown match the filters and sort), the time from the
change to the first `rows_settled` after which the view shows the expected count; otherwise the
change is synchronous and its time is that of the call that makes it.

The refresh: the rows of the plan's refresh file go into the catalog from another connection in
a worker thread (as the library's refresh writes a listing), then the pane reloads as a refresh
ends (`pane.refresh()`); timed until the view shows them all.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from library_scale_plan import insert_catalog

PAUSE_S = 0.15  # between two changes: the repaint after one, a user's pace
TAIL_S = 0.5


class _Settles:
    """The times `rows_settled` was emitted (none when the model has no such signal)."""

    def __init__(self, model: Any) -> None:
        self.times: list[float] = []
        self.signal = getattr(model, "rows_settled", None)  # the brief's optional signal
        if self.signal is not None:
            self.signal.connect(lambda: self.times.append(time.perf_counter()))


def _apply(bar: Any, step: dict[str, Any]) -> None:
    """Make one change through the filter bar's own widgets."""
    from assetdesk.ui.library.model import Column

    what, value = step["what"], step["value"]
    if what == "search":
        bar.search.setText(value)
    elif what in ("kind", "provider"):
        combo = bar.kind_filter if what == "kind" else bar.provider_filter
        combo.setCurrentIndex(0 if value is None else combo.findData(value))  # 0: "All ..."
    elif what == "sort":
        bar.sort_combo.setCurrentIndex(bar.sort_combo.findData(int(Column[value.upper()])))
    elif what == "order":
        bar.descending.setChecked(value == "desc")
    else:
        raise ValueError(f"no such change {what!r}")


def _count_ok(step: dict[str, Any], count: int) -> bool:
    if step["exact"]:
        return count == step["expect"]
    return 0 < count <= step["expect"]


def _first_ok(view_model: Any, step: dict[str, Any]) -> bool | None:
    """Whether the first row shown is the one the sort puts first (None: nothing to check)."""
    from assetdesk.ui.library.model import AssetRole

    if "first" not in step:
        return None
    asset = view_model.index(0, 0).data(AssetRole)
    if asset is None:
        return False
    field, value = step["first"]
    return asset.title.casefold() == value if field == "name" else asset.size == value


async def _one(
    pane: Any, rec: Any, settles: _Settles, step: dict[str, Any], timeout: float
) -> dict[str, Any]:
    shown = pane.grid.model()
    seen = len(settles.times)
    start = time.perf_counter()
    _apply(pane.filter_bar, step)
    call_s = time.perf_counter() - start
    outcome: dict[str, Any] = {"label": step["label"], "call_ms": call_s * 1000}
    if settles.signal is None:
        updated_s: float | None = call_s
    else:
        updated_s = None
        deadline = start + timeout
        while time.perf_counter() < deadline:
            if len(settles.times) > seen:
                seen = len(settles.times)
                if _count_ok(step, shown.rowCount()):
                    updated_s = settles.times[seen - 1] - start
                    break
            await asyncio.sleep(0.002)
    count = shown.rowCount()
    outcome.update(
        ms=None if updated_s is None else updated_s * 1000,
        rows=count,
        expect=step["expect"],
        exact=step["exact"],
        ok=_count_ok(step, count) and _first_ok(shown, step) is not False,
        first_ok=_first_ok(shown, step),
    )
    await asyncio.sleep(PAUSE_S)
    # The grid's first paint after the update (None: not within the pause).
    painted = next(
        (p for p in rec.paints if updated_s is not None and p >= start + updated_s), None
    )
    outcome["painted_ms"] = None if painted is None else (painted - start) * 1000
    return outcome


async def run_changes(
    pane: Any,
    rec: Any,
    script: dict[str, Any],
    result: dict[str, Any],
    keep: Callable[[str], None],
    database: Path,
    account_id: int,
    timeout: float,
) -> None:
    """The changes, the sorts and the refresh, into `result` (`keep` after each part)."""
    settles = _Settles(pane.model)
    result["rows_settled"] = settles.signal is not None
    for part in ("changes", "sorts"):
        first = rec.mark()
        done = []
        for step in script[part]:
            outcome = await _one(pane, rec, settles, step, timeout)
            done.append(outcome)
            if outcome["ms"] is None:  # no settle in time: the rest would measure the backlog
                break
        last = rec.mark()
        result[part] = {
            "steps": done,
            "gaps_ms": rec.gaps(first, last),
            "worst": rec.worst(first, last, rec.ticks[first]),
        }
        keep("sorts" if part == "changes" else "refresh")

    refresh = script["refresh"]
    expected = result["rows"] + refresh["count"]
    shown = pane.grid.model()
    first = rec.mark()
    start = rec.ticks[first]
    seen = len(settles.times)
    added = await asyncio.to_thread(insert_catalog, database, Path(refresh["file"]), account_id)
    inserted_at = time.perf_counter()
    pane.refresh()
    shown_at = None
    while time.perf_counter() < inserted_at + timeout:
        settled = settles.signal is None or len(settles.times) > seen
        if settled and shown.rowCount() == expected:
            shown_at = time.perf_counter()
            break
        await asyncio.sleep(0.002)
    await asyncio.sleep(TAIL_S)
    last = rec.mark()
    top = _first_ok(shown, {"first": ["name", refresh["first_name"]]})
    result["refresh"] = {
        "added": added,
        "insert_s": inserted_at - start,
        "shown_s": None if shown_at is None else shown_at - start,
        "rows": shown.rowCount(),
        "expect": expected,
        "ok": shown.rowCount() == expected and bool(top),
        "gaps_ms": rec.gaps(first, last),
        "worst": rec.worst(first, last, start),
    }
    keep("done")
