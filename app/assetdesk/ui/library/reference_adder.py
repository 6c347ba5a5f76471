"""Adding to the Library by a pasted reference (a mediaGenerationId, a Google Flow job id, a
Runway asset id, a Wordbee segment or project): which account it goes through, the add itself,
and what the pane says and selects afterwards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtWidgets import QComboBox

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.provider import AccountKind
from assetdesk.services.accounts import AccountInfo
from assetdesk.services.library import LibraryService
from assetdesk.ui.library.filter_bar import ReferenceBar
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_actions import pluralise


class ReferenceAdder:
    """`add()` adds what the reference bar's field names, through the account filter's account
    when it is of the right kind, else the first account of that kind."""

    def __init__(
        self,
        library: LibraryService,
        tasks: BackgroundTasks,
        notice: Notice,
        bar: ReferenceBar,
        account_filter: QComboBox,
        *,
        accounts: Callable[[], list[AccountInfo]],
        reload: Callable[[], Awaitable[None]],
        select: Callable[[set[int]], None],
        alive: Callable[[], bool],
    ) -> None:
        self._library, self._tasks, self.notice = library, tasks, notice
        self.reference, self.add_button = bar.reference, bar.add_button
        self.account_filter = account_filter
        self._accounts, self._reload = accounts, reload
        self._select_ids, self._alive = select, alive

    def add(self) -> None:
        text = self.reference.text().strip()
        if text:
            self._tasks.spawn(self._add_reference(text), name="library.add", key="library.add")

    def _account_for(self, text: str) -> AccountInfo | None:
        wordbee = "/" in text and not text.startswith("user:")
        wanted = AccountKind.WORDBEE if wordbee else AccountKind.USEAPI
        chosen = self.account_filter.currentData()
        for account in self._accounts():
            if account.kind == wanted and (chosen is None or account.id == chosen):
                return account
        return next((a for a in self._accounts() if a.kind == wanted), None)

    async def _add_reference(self, text: str) -> None:
        account = self._account_for(text)
        if account is None:
            self.notice.show_message(
                "Add a useapi.net (or, for a segment, a Wordbee) account first.", "warning"
            )
            return
        self.add_button.setEnabled(False)
        try:
            outcome = await self._library.add_reference(text, account.id)
        except AssetDeskError as error:
            if self._alive():
                self.notice.show_message(str(error), "error")
            return
        finally:
            if self._alive():
                self.add_button.setEnabled(True)
        if not self._alive():
            return
        self.reference.clear()
        await self._reload()
        if not self._alive():
            return
        self._select_ids({asset.id for asset in outcome.assets})
        if outcome.added:
            self.notice.show_message(f"Added {pluralise(outcome.added, 'asset')}.", "info")
        else:
            self.notice.show_message("Already in the library.", "info")
