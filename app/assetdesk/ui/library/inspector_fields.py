"""What the Library's inspector says: the known facts of one asset as labelled lines, the files
on this computer that hold it, and the totals of a multi-selection. Values the catalog does not
have are left out (never shown as "None"); the widget that lays them out is `inspector.py`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from assetdesk.core.provider import Provider
from assetdesk.core.units import format_duration, format_size
from assetdesk.services.library import Asset
from assetdesk.services.library_views import Totals
from assetdesk.ui.library.asset_text import gone_line
from assetdesk.ui.library.model import short_date
from assetdesk.ui.widgets.pane_actions import pluralise

__all__ = ["Field", "LocalCopy", "asset_fields", "local_copies", "selection_fields"]

#: How the service names the id of the job or task that made an asset.
_TASK_LABELS = {Provider.GOOGLE_FLOW: "Job id", Provider.RUNWAY: "Task id"}
_KIND_NOUNS = {"image": "image", "video": "video", "audio": "sound", "other": "other file"}


@dataclass(frozen=True)
class Field:
    """One line of the inspector: a label and its value; `copy` adds a Copy button (ids)."""

    label: str
    value: str
    copy: bool = False


@dataclass(frozen=True)
class LocalCopy:
    """A file on this computer with the asset's bytes, and what it is to the asset."""

    label: str
    path: Path


def _present(fields: list[Field]) -> list[Field]:
    return [field for field in fields if field.value]


def _place(asset: Asset) -> list[Field]:
    """Where the asset sits on its service: a Google Flow project, a Wordbee segment."""
    if asset.provider is Provider.WORDBEE:
        segment = f"{asset.scope} / {asset.segment_id}" if asset.segment_id is not None else ""
        return [
            Field("Segment", segment or (asset.scope or "")),
            Field("Language", asset.locale or ""),
            Field("Path", asset.relative_path or ""),
        ]
    return [Field("Project", asset.project_id or "", copy=True)]


def asset_fields(asset: Asset, account: str) -> list[Field]:
    """What is known of one asset, in the inspector's order; `account` is its account's name."""
    made = {True: "Uploaded", False: "Generated", None: ""}[asset.uploaded]
    dimensions = f"{asset.width} × {asset.height}" if asset.width and asset.height else ""
    duration = format_duration(asset.duration_seconds) if asset.duration_seconds else ""
    fields = [
        Field("Name", asset.name or asset.title),
        Field("State", gone_line(asset) or ""),
        Field("Service", asset.provider.label),
        Field("Account", account),
        *_place(asset),
        Field("Kind", (asset.kind or "other").capitalize()),
        Field("Made", made),
        Field("Type", asset.mime or ""),
        Field("Dimensions", dimensions),
        Field("Duration", duration),
        Field("Size", format_size(asset.size) if asset.size is not None else ""),
        Field("Created", short_date(asset.created_at or "")),
        Field("Added", short_date(asset.added_at)),
        Field("Id", asset.remote_id, copy=True),
        Field(_TASK_LABELS.get(asset.provider, "Task id"), asset.task_id or "", copy=True),
        Field("Prompt", asset.prompt or ""),
        Field("Model", asset.model or ""),
        Field("Seed", "" if asset.seed is None else str(asset.seed), copy=True),
    ]
    return _present(fields)


def local_copies(asset: Asset) -> list[LocalCopy]:
    """The files AssetDesk knows hold the asset and that are still there (stats each one)."""
    found = [
        LocalCopy("Downloaded", Path(asset.local_path)) if asset.local_path else None,
        LocalCopy("Uploaded from", Path(asset.source_path)) if asset.source_path else None,
    ]
    copies: list[LocalCopy] = []
    for copy in found:
        if copy is not None and copy.path.is_file() and copy.path not in {c.path for c in copies}:
            copies.append(copy)
    return copies


def _counted(counts: Counter[str]) -> str:
    """'2 images, 1 video', most first."""
    return ", ".join(pluralise(n, noun) for noun, n in counts.most_common())


def selection_fields(assets: list[Asset]) -> list[Field]:
    """A multi-selection: how many, by kind and by service, and their total size."""
    return totals_fields(Totals.of(assets))


def totals_fields(totals: Totals) -> list[Field]:
    """A selection's `Totals` (counted in Python for a few, by SQLite for many)."""
    kinds = Counter({_KIND_NOUNS.get(kind, "other file"): n for kind, n in totals.kinds.items()})
    services = Counter({Provider(name).label: n for name, n in totals.providers.items()})
    sized = totals.count - totals.unsized
    total = format_size(totals.size) if sized else ""
    if totals.unsized:
        unsized = f"{totals.unsized} of unknown size"
        total = f"{total} ({unsized})" if total else unsized.capitalize()
    return _present(
        [
            Field("Selected", pluralise(totals.count, "asset")),
            Field("Kinds", _counted(kinds)),
            Field("Services", ", ".join(f"{n} on {label}" for label, n in services.most_common())),
            Field("Total size", total),
        ]
    )
