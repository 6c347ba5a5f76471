"""The sentences about the upload queue: what names an item (its details and its tooltip start
with it), the selected file's details and the overall line."""

from __future__ import annotations

from assetdesk.core.errors import as_sentence
from assetdesk.core.units import format_duration, format_eta, format_size, format_speed
from assetdesk.services.upload_items import QueueSummary, UploadItem


def item_lines(item: UploadItem) -> list[str]:
    """The lines that start both an item's details and its tooltip: path, note and message."""
    row = item.row
    lines = [row.path]
    if row.note:
        lines.append(as_sentence(row.note))
    if row.message:
        lines.append(row.message)
    return lines


def details_text(items: list[UploadItem]) -> str:
    """One selected file: its path, note, message, id and measures; several: how many."""
    if len(items) != 1:
        return f"{len(items)} files selected." if items else ""
    row = items[0].row
    parts = item_lines(items[0])
    if row.remote_id:
        who = f" on {row.used_email}" if row.used_email else ""
        parts.append(f"Uploaded{who} as {row.remote_id}.")
    if row.width and row.height:
        measures = f"{row.width} × {row.height}"
        if row.duration_seconds:
            measures += f", {format_duration(row.duration_seconds)}"
        parts.append(measures)
    return "\n".join(parts)


def queue_total(summary: QueueSummary) -> int:
    return summary.done + summary.failed + summary.active + summary.waiting + summary.queued


def overall_text(summary: QueueSummary, has_rows: bool) -> str:
    """'3 of 5 uploaded · 1 failed · 12 MB of 40 MB · 2 MB/s · about 14 s left'."""
    total = queue_total(summary)
    if total == 0:
        return "Nothing to send." if has_rows else "Nothing queued."
    parts = [f"{summary.done} of {total} uploaded"]
    if summary.failed:
        parts.append(f"{summary.failed} failed")
    if summary.waiting:
        parts.append(f"{summary.waiting} waiting")
    parts.append(f"{format_size(summary.bytes_done)} of {format_size(summary.bytes_total)}")
    if summary.active:
        if summary.speed > 0:
            parts.append(format_speed(summary.speed))
        if summary.eta is not None:
            parts.append(f"about {format_eta(summary.eta)} left")
    return " · ".join(parts)
