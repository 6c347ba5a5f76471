"""What the Library says about one asset beyond its name: that it is gone from its service,
that its account is gone, its provenance (prompt, model, seed), and its tooltip; and the grey that
gone assets are drawn in.
"""

from __future__ import annotations

from collections.abc import Container

from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette

from assetdesk.services.account_gone import library_gone
from assetdesk.services.library import Asset

__all__ = [
    "account_gone_line",
    "gone_colour",
    "gone_line",
    "greyed",
    "provenance_lines",
    "titled",
    "tooltip",
]

#: A gone asset's name on its tile is cut to this many characters, so that the name stays on one
#: line and "No longer on …" fits on the second (the tooltip has the whole name).
TILE_NAME = 22


def gone_line(asset: Asset) -> str | None:
    """'No longer on Google Flow' for an asset the last refresh did not find; None otherwise."""
    return f"No longer on {asset.provider.label}" if asset.gone else None


def account_gone_line(asset: Asset, accounts: Container[int]) -> str | None:
    """What an asset whose account is not among `accounts` (the ids there are now) says: its
    account is gone and what can be done; None when its account is there, or it has none."""
    if asset.account_id is None or asset.account_id in accounts:
        return None
    return library_gone(asset.account_id).message


def titled(asset: Asset) -> str:
    """The name as a tile shows it: with 'No longer on …' on a second line when gone."""
    gone = gone_line(asset)
    if gone is None:
        return asset.title
    title = asset.title
    short = title if len(title) <= TILE_NAME else title[: TILE_NAME - 1] + "…"
    return f"{short}\n{gone}"


def gone_colour() -> QColor:
    """The palette's disabled text colour (light or dark theme alike), for gone assets."""
    palette = QGuiApplication.palette()
    return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)


def greyed(icon: QIcon, size: int) -> QIcon:
    """The thumbnail as the style draws a disabled one, for a gone asset's tile and row."""
    return QIcon(icon.pixmap(size, size, QIcon.Mode.Disabled))


def provenance_lines(asset: Asset) -> list[str]:
    """'Prompt: …', 'Model: …', 'Seed: …' for what the service said made the asset."""
    lines = []
    if asset.prompt:
        lines.append(f"Prompt: {asset.prompt}")
    if asset.model:
        lines.append(f"Model: {asset.model}")
    if asset.seed is not None:
        lines.append(f"Seed: {asset.seed}")
    return lines


def tooltip(asset: Asset, error: str | None) -> str:
    """The asset's tooltip: name, id, where it sits, provenance, where it was saved, problems."""
    lines = [asset.title, asset.remote_id]
    gone = gone_line(asset)
    if gone:
        lines.append(gone)
    if asset.locale or asset.relative_path:
        lines.append("/".join(p for p in (asset.locale, asset.relative_path) if p))
    if asset.uploaded is not None:
        lines.append("Uploaded" if asset.uploaded else "Generated")
    lines.extend(provenance_lines(asset))
    if asset.local_path:
        lines.append(f"Saved at {asset.local_path}")
    if error:
        lines.append(error)
    return "\n".join(lines)
