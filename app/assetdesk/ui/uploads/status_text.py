"""The sentences about the upload queue: what names an item (its details and its tooltip start
with it), where it goes, what an unknown outcome means, the selected file's details and the
overall line."""

from __future__ import annotations

from assetdesk.core.errors import as_sentence
from assetdesk.core.provider import Provider
from assetdesk.core.units import format_duration, format_eta, format_size, format_speed
from assetdesk.services.upload_items import ItemState, QueueSummary, UploadItem, UploadTarget
from assetdesk.store.uploads import QueueRow


def target_label(row: QueueRow) -> str:
    """Where the item goes, in one line: "Runway · studio · a@b.c"."""
    target = UploadTarget(
        row.account_id or 0,
        row.account_name or "?",
        row.email,
        provider=row.provider,
        scope=row.scope,
        segment_id=row.segment_id,
        locale=row.locale,
        relative_path=row.relative_path,
    )
    return target.label


def target_short(row: QueueRow) -> str:
    """The queue's "To" column: the service, and a Wordbee item's segment."""
    if row.provider is Provider.WORDBEE and row.segment_id is not None:
        return f"Wordbee {row.segment_id}"
    return row.provider.label


def unknown_text(row: QueueRow) -> str:
    """What an unknown outcome means, plainly."""
    return f"Sent; the answer was lost — it may be on {row.provider.label}."


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
    item = items[0]
    row = item.row
    parts = item_lines(item)
    if row.account_name:
        parts.append(f"To {target_label(row)}.")
    if row.remote_id:
        who = f" on {row.used_email}" if row.used_email else ""
        parts.append(f"Uploaded{who} as {row.remote_id}.")
    if row.width and row.height:
        measures = f"{row.width} × {row.height}"
        if row.duration_seconds:
            measures += f", {format_duration(row.duration_seconds)}"
        parts.append(measures)
    return "\n".join(parts)


def checked_text(said: dict[int, str], items: dict[int, UploadItem | None]) -> tuple[str, bool]:
    """What "Check the service" found (a line per item, named when there are several), and
    whether it found any upload."""
    lines = []
    for item_id, sentence in said.items():
        item = items.get(item_id)
        lines.append(f"{item.row.name}: {sentence}" if item and len(said) > 1 else sentence)
    found = any(item is not None and item.state is ItemState.DONE for item in items.values())
    return "\n".join(lines), found


def queue_total(summary: QueueSummary) -> int:
    return (
        summary.done
        + summary.failed
        + summary.active
        + summary.waiting
        + summary.queued
        + summary.needs_secret
    )


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
    if summary.needs_secret:
        parts.append(f"{summary.needs_secret} waiting for a secret")
    parts.append(f"{format_size(summary.bytes_done)} of {format_size(summary.bytes_total)}")
    if summary.active:
        if summary.speed > 0:
            parts.append(format_speed(summary.speed))
        if summary.eta is not None:
            parts.append(f"about {format_eta(summary.eta)} left")
    return " · ".join(parts)
