"""What the Uploads pane's target row needs from the services, and what a change of it does.

1. The row lists every account; for the chosen one it is given the token's Google accounts
   (Google Flow), its Runway accounts (Runway) or the projects the Library follows (Wordbee).
2. A change the user makes is remembered (the window's settings) and moves the items not sent
   yet (refused, or pending and never tried; throttled, failed, unknown and done ones keep their
   target) to the new target, which checks each again: the notice says how many moved and how
   many it refuses.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QSettings
from shiboken6 import isValid

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.provider import Provider
from assetdesk.services.accounts import AccountInfo, AccountsService
from assetdesk.services.upload_items import ItemState, UploadItem, UploadTarget, apply_target
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.store.uploads import QueueRow
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.uploads.target_memory import save_target
from assetdesk.ui.uploads.target_picker import TargetPicker
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_actions import pluralise

log = logging.getLogger("assetdesk.ui.uploads")

#: Items a change of target moves: nothing of theirs has been sent.
MOVABLE = frozenset({ItemState.PENDING, ItemState.REFUSED})
#: Reads the Wordbee projects the Library follows for a Wordbee account.
FollowedProjects = Callable[[int], Awaitable[list[str]]]

_TARGET_FIELDS = (
    "provider",
    "account_id",
    "account_name",
    "email",
    "scope",
    "segment_id",
    "locale",
    "relative_path",
)


def not_sent_yet(item: UploadItem) -> bool:
    """Refused, or waiting and never tried (one the service throttled, or a retry after an
    error, keeps the target it was tried on)."""
    if item.task is not None or item.state not in MOVABLE:
        return False
    return item.state is ItemState.REFUSED or (
        item.row.attempts == 0 and item.row.error_kind is None and item.waiting_until is None
    )


def aims_at(row: QueueRow, target: UploadTarget) -> bool:
    """Whether `row` already goes to `target` (its Wordbee folder joined with the file's own)."""
    aimed = QueueRow(path=row.path, name=row.name, state=row.state, folder=row.folder)
    apply_target(aimed, target)
    return all(getattr(row, name) == getattr(aimed, name) for name in _TARGET_FIELDS)


class TargetSwitch:
    """Fills `picker` from the services and applies its changes to the queue."""

    def __init__(
        self,
        picker: TargetPicker,
        queue: UploadQueue,
        accounts: AccountsService,
        tasks: BackgroundTasks,
        notice: Notice,
        *,
        settings: QSettings | None,
        followed_projects: FollowedProjects | None,
    ) -> None:
        self._picker = picker
        self._queue = queue
        self._accounts = accounts
        self._tasks = tasks
        self._notice = notice
        self._settings = settings
        self._followed_projects = followed_projects
        picker.account_changed.connect(self._account_changed)
        picker.target_changed.connect(self._target_changed)

    async def reload(self) -> None:
        """List every account in the row, keeping the current choice."""
        accounts = await self._accounts.list()
        if not isValid(self._picker):  # the window was closed meanwhile
            return
        self._picker.set_accounts(accounts)

    # ------------------------------------------------------------------ listing

    def _account_changed(self, info: AccountInfo) -> None:
        if self._tasks.closing:
            return
        provider = self._picker.provider()
        self._tasks.spawn(
            self._list_for(info, provider), name="uploads.target_lists", key="uploads.emails"
        )

    async def _list_for(self, info: AccountInfo, provider: Provider) -> None:
        picker = self._picker
        try:
            if provider is Provider.WORDBEE:
                if self._followed_projects is not None:
                    scopes = await self._followed_projects(info.id)
                    if self._still(info, provider):
                        picker.set_projects(scopes)
                return
            clients = await self._accounts.useapi(info.id)
            if provider is Provider.RUNWAY:
                emails = await clients.runway.accounts()
                if self._still(info, provider):
                    picker.set_runway_emails(emails)
                return
            flow_accounts = await clients.google_flow.accounts()
        except AssetDeskError as error:
            log.info("cannot list the %s choices of %s: %s", provider.label, info.name, error)
            return
        if self._still(info, provider):
            picker.add_emails(
                (a.email if a.healthy else f"{a.email} (not ready)", a.email) for a in flow_accounts
            )

    def _still(self, info: AccountInfo, provider: Provider) -> bool:
        """Whether the row still shows this account of this service (a listing came back)."""
        picker = self._picker
        return (
            isValid(picker) and picker.current_account() == info and picker.provider() is provider
        )

    # ------------------------------------------------------------------ changes

    def _target_changed(self) -> None:
        target = self._picker.target()
        if target is None:
            return
        save_target(self._settings, target)
        movable = [
            item.id
            for item in self._queue.items
            if not_sent_yet(item) and not aims_at(item.row, target)
        ]
        if movable and not self._tasks.closing:
            self._tasks.spawn(self._move(movable, target), name="uploads.retarget")

    async def _move(self, ids: list[int], target: UploadTarget) -> None:
        await self._queue.retarget(ids, target)
        moved = [
            item
            for item_id in ids
            if (item := self._queue.item(item_id)) is not None and aims_at(item.row, target)
        ]
        self._notice.show_message(*moved_text(moved, target))


def moved_text(moved: list[UploadItem], target: UploadTarget) -> tuple[str, str]:
    """The notice after a change of target: how many moved, how many it refuses; its kind."""
    refused = sum(1 for item in moved if item.state is ItemState.REFUSED)
    text = f"Moved {pluralise(len(moved), 'waiting file')} to {target.label}"
    if refused:
        text += f"; {target.provider.label} does not take {refused} of them (see why on each)"
    return text + ".", "warning" if refused else "info"
