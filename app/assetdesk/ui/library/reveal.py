"""Reveal one asset in the Library (an upload row opened in Uploads): the filters that hide it
are cleared, it is selected, scrolled to and previewed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetdesk.core.provider import Provider

if TYPE_CHECKING:
    from assetdesk.ui.library.pane import LibraryPane


async def reveal(pane: LibraryPane, provider: Provider, remote_id: str) -> bool:
    """Select and preview the asset `remote_id` of `provider`; False (and the notice says so)
    when the catalog does not hold it."""
    asset = await pane.library.views.find(provider, remote_id)
    if asset is None or not pane.isVisible():
        if asset is None:
            pane.notice.show_message(
                f"This upload is not in the Library (yet): Refresh (F5) lists {provider.label}.",
                "warning",
            )
        return False
    if pane.model.row_of(asset.id) < 0:  # hidden by a filter, or read before it was filed
        pane.filter_bar.clear()
        pane.sources.choose(())
        pane.sources.origin.setCurrentIndex(0)
        pane.sources.show_gone.setChecked(True)
        await pane.reload()
    pane.select_ids({asset.id})
    pane.current_view.setFocus()
    pane.selection.show_preview(asset)
    return True
