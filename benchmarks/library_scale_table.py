"""The library benchmark's table: the figures of library_scale_figures.py as the lines a person
reads, each with its target and verdict (`ok` or `MISSED`), medians with minimums in brackets."""

from __future__ import annotations

import functools
from typing import Any

from library_scale_figures import (
    MIB,
    TARGET_CHANGE_P99_MS,
    TARGET_FIRST_S,
    TARGET_MAX_GAP_MS,
    TARGET_RSS,
    TARGET_SORT_MS,
)
from shared import table_row

STEP_MS = 16  # the scroll's step (library_scale_window.py)

_row = functools.partial(table_row, label_width=32)


def _mm(figure: dict[str, Any], scale: float = 1.0, unit: str = "s") -> str:
    if figure["median"] is None:
        return "—"
    return f"{figure['median'] * scale:.2f} {unit} ({figure['min'] * scale:.2f})"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _longest(worst: list[list[Any]]) -> str:
    return ", ".join(
        f"{gap:.0f} ms at {at / 1000:.2f} s" + (f" ({why})" if why else "")
        for gap, at, why in worst
    )


def _open_lines(op: dict[str, Any]) -> list[str]:
    gaps, empty = op["gaps_ms"], op["empty_gaps_ms"]
    lines = [
        _row("open, seconds after show()", f"(show() itself took {_mm(op['shown_s'])})"),
        _row("  catalog in the view", _mm(op["loaded_s"])),
        _row(
            "  ... painted",
            f"{_mm(op['loaded_painted_s'])}   empty catalog {_mm(op['empty_loaded_painted_s'])}",
        ),
        _row("  ratio full / empty", f"{_ratio(op['ratio'])} ({_ratio(op['ratio_min'])})"),
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
    ]
    if gaps:
        reference = f" (empty catalog {empty['max']:.1f})" if empty else ""
        lines.append(
            _row(
                "  loop gaps while opening",
                f"max {gaps['max']:.1f} ms{reference}, {gaps['over_50ms']} > 50 ms",
                f"target <= {TARGET_MAX_GAP_MS:.0f} ms",
                gaps["max"] <= TARGET_MAX_GAP_MS,
            )
        )
        lines.append(_row("  longest while opening", _longest(op["worst_per_round"])))
    return lines


def _scroll_lines(sc: dict[str, Any]) -> list[str]:
    gaps, empty = sc["gaps_ms"], sc["empty_gaps_ms"] or {}

    def ref(key: str) -> str:
        return f"   empty catalog {empty[key]:.1f} ms" if empty else ""

    lines = [
        _row(
            f"scroll, {sc['steps']} steps of a page",
            f"{_mm(sc['seconds'])} top to bottom, {STEP_MS} ms a step; {gaps['ticks']} gaps",
        ),
        _row("  p50", f"{gaps['p50']:.1f} ms{ref('p50')}"),
        _row("  p99", f"{gaps['p99']:.1f} ms{ref('p99')}   ratio {_ratio(sc['ratio_p99'])}"),
        _row(
            "  max",
            f"{gaps['max']:.1f} ms{ref('max')}   ratio {_ratio(sc['ratio_max'])}",
            f"target <= {TARGET_MAX_GAP_MS:.0f} ms",
            gaps["max_ok"],
        ),
        _row(
            "  gaps > 16 ms / > 50 ms",
            f"{gaps['over_16ms']} / {gaps['over_50ms']}"
            + (f"   empty catalog {empty['over_16ms']} / {empty['over_50ms']}" if empty else ""),
        ),
    ]
    for n, worst in enumerate(gaps["worst_per_round"], 1):
        lines.append(
            _row(f"  longest, round {n}" if n == 1 else f"  round {n}", _longest(worst[:3]))
        )
    lines.append(
        _row(
            "  thumbnails made",
            f"{sc['thumbnails_at_start']} at the top, {sc['thumbnails_at_bottom']} at the "
            f"bottom; {sc['tasks_pending']} tasks still pending",
        )
    )
    return lines


def _change_lines(ch: dict[str, Any], title: str, sort: bool) -> list[str]:
    gaps = ch["gaps_ms"]
    if sort:
        verdict = f"target <= {TARGET_SORT_MS:.0f} ms"
        figure = f"max {_ms(ch['max_ms'])}, p50 {_ms(ch['p50_ms'])}"
    else:
        verdict = f"p99 <= {TARGET_CHANGE_P99_MS:.0f} ms"
        figure = f"p50 {_ms(ch['p50_ms'])}, p99 {_ms(ch['p99_ms'])}, max {_ms(ch['max_ms'])}"
    lines = [
        _row(f"{title}, {ch['per_round']} a round", figure, verdict, ch["ok"]),
        _row(
            "  ... the grid painted",
            f"p50 {_ms(ch['painted_p50_ms'])}, p99 {_ms(ch['painted_p99_ms'])}, "
            f"max {_ms(ch['painted_max_ms'])} after the change",
        ),
        _row(
            "  slowest",
            ", ".join(f"{ms:.0f} ms {label}" for ms, label in ch["slowest"])
            + (f"; {ch['timed_out']} never settled" if ch["timed_out"] else ""),
        ),
        _row(
            "  rows shown as the plan says",
            f"{ch['checks_ok']} of {ch['changes']}",
            "all",
            ch["checks_ok"] == ch["changes"],
        ),
        *(
            _row(
                "    wrong",
                f"{label}: {rows:,} rows, expected {'' if exact else '<= '}{expect:,}"
                + ("" if first is not False else ", wrong first row"),
            )
            for label, rows, expect, exact, first in ch["wrong"][:5]
        ),
        _row(
            "  loop gaps meanwhile",
            f"p99 {gaps['p99']:.1f} ms, max {gaps['max']:.1f} ms, {gaps['over_50ms']} > 50 ms",
        ),
    ]
    if sort:
        lines += [_row(f"    {label}", _ms(ms)) for label, ms in ch["by_label"].items()]
    return lines


def _refresh_lines(rf: dict[str, Any]) -> list[str]:
    gaps = rf["gaps_ms"]
    return [
        _row(
            f"refresh adding {rf['added']:,} rows",
            f"written {_mm(rf['insert_s'])}, shown {_mm(rf['shown_s'])}",
            "all rows shown",
            rf["rows_ok"],
        ),
        _row(
            "  loop gaps while they land",
            f"p99 {gaps['p99']:.1f} ms, max {gaps['max']:.1f} ms, {gaps['over_50ms']} > 50 ms",
            f"target <= {TARGET_MAX_GAP_MS:.0f} ms",
            gaps["max"] <= TARGET_MAX_GAP_MS,
        ),
        _row("  longest, each round", "; ".join(_longest(w[:1]) for w in rf["worst_per_round"])),
    ]


def table(result: dict[str, Any]) -> str:
    load, rss = result["load"], result["rss"]
    rounds = f"{result['rounds']} round{'s' if result['rounds'] != 1 else ''}"
    viewport = load.get("viewport") or ["?", "?"]
    lines = [
        f"library scale benchmark, {rounds}, median (min): {load['assets']:,} Runway assets "
        f"(sandbox; {load['distinct_images']} images + {load['distinct_videos']} videos, "
        f"1 row in {load['video_every']} a video), empty thumbnail cache (first open)",
        _row(
            "grid viewport",
            f"{viewport[0]} x {viewport[1]} px; the model "
            + ("has rows_settled" if result["rows_settled"] else "has no rows_settled (sync)"),
        ),
        _row("catalog written before show()", f"{_mm(result['insert_s'])} (another process)"),
    ]
    if result["open"]:
        lines += _open_lines(result["open"])
    if result["scroll"]:
        lines += _scroll_lines(result["scroll"])
    if result["changes"]:
        lines += _change_lines(result["changes"], "search/filter", sort=False)
    if result["sorts"]:
        lines += _change_lines(result["sorts"], "sort", sort=True)
    if result["refresh"]:
        lines += _refresh_lines(result["refresh"])
    lines.append(
        _row(
            "peak RSS, window process",
            f"{rss['peak'] / MIB:.0f} MiB ("
            + "; ".join(
                text
                for text, value in (
                    (f"{(rss['at_bottom'] or 0) / MIB:.0f} by the scroll's end", rss["at_bottom"]),
                    (f"empty catalog {(rss['empty_peak'] or 0) / MIB:.0f}", rss["empty_peak"]),
                )
                if value
            )
            + ")",
            f"target <= {TARGET_RSS // MIB} MiB",
            rss["ok"],
        )
    )
    settled = result.get("settled")
    if settled:
        lines.append(
            _row(
                f"  after --settle {settled['seconds']:.0f} s",
                f"{settled['rss'] / MIB:.0f} MiB, peak {settled['peak_rss'] / MIB:.0f} MiB; "
                f"{settled['thumbnails']} thumbnails, {settled['tasks_pending']} tasks pending",
            )
        )
    lines.append(
        _row("sandbox assets registered", f"{load['register_s']:.1f} s (not part of any figure)")
    )
    lines += [f"STOPPED: {why}" for why in result["stopped"]]
    if result.get("profile"):
        lines += ["", result["profile"].rstrip()]
    return "\n".join(lines)
